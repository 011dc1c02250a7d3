"""Shared test set-up: figures are drawn under the blog's theme, as in the build."""

import matplotlib
import pytest

matplotlib.use("Agg")


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
