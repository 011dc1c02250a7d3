"""Shared test set-up: figures are drawn under the blog's theme, as in the build."""

import os

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")

# CI explores the same examples every run (a red CI run is then reproducible);
# locally hypothesis keeps looking for new counterexamples
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def blog_figure_theme():
    """The engine's rcParams (fonts with CJK glyphs, palette), so demos draw as they do in a page."""
    import matplotlib.pyplot as plt

    from docexec.figures import theme_rc

    with matplotlib.rc_context(theme_rc("light")):
        yield
    plt.close("all")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The whole site, built once per test session with ``mkdocs build --strict``."""
    from site_build import build

    site_dir = tmp_path_factory.mktemp("site")
    build(site_dir)
    return site_dir


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (Playwright's own browser download is not used)."""
    from pathlib import Path

    from site_build import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed: apt-get install chromium (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def base_url(built_site):
    """The built site served on a free localhost port."""
    from site_build import ARTIFACTS, serve

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return serve(str(built_site))


def pytest_terminal_summary(terminalreporter):
    """Report what the budget tests measured, pass or fail."""
    from site_build import WEIGHTS

    if WEIGHTS:
        terminalreporter.section("post weight (HTML + figures loaded, uncompressed)")
        for line in WEIGHTS:
            terminalreporter.write_line(line)
