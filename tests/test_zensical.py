"""Zensical, MkDocs' successor, renders every post with its results, figures, math and links.

MkDocs with Material stays the supported build; this checks that the engine does not
need MkDocs hooks for what a post shows (README: "Building with Zensical").
"""

from __future__ import annotations

import html
import posixpath
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from docexec.outputs import FIGURE_DIR
from docexec.runner import Engine
from docexec.settings import Settings, mkdocs_options
from math_check import check_math
from site_build import REPO, assert_shows_results, posts

pytestmark = pytest.mark.site
SITE = REPO / "build" / "zensical"  # zensical.yml's site_dir (Zensical wants it inside the project)
_LINK = re.compile(r'(?:href|src)="([^"#?]+)[^"]*"')


@pytest.fixture(scope="module")
def zensical_site() -> Path:
    shutil.rmtree(SITE, ignore_errors=True)
    # as `make zensical`: every reference first (in parallel; it fails on any failure)
    run = subprocess.run([sys.executable, "-m", "docexec", "run", "docs"], cwd=REPO,
                         capture_output=True, text=True, timeout=3600)
    assert run.returncode == 0, run.stdout + run.stderr
    run = subprocess.run([str(Path(sys.executable).parent / "zensical"), "build", "-f", "zensical.yml"],
                         cwd=REPO, capture_output=True, text=True, timeout=3600)
    assert run.returncode == 0, run.stdout + run.stderr
    return SITE


def _page(site: Path, post) -> str:
    path = site / post.url / "index.html"
    assert path.is_file(), f"{post.source.name} is not at /{post.url}"
    return path.read_text(encoding="utf-8")


def test_every_post_shows_each_result_as_the_mkdocs_build_does(zensical_site):
    engine = Engine(Settings.resolve(flags={"root": REPO}, config=mkdocs_options(REPO / "mkdocs.yml")))
    for post in posts():
        assert_shows_results(_page(zensical_site, post), post, engine)


def test_every_link_and_figure_of_a_post_resolves(zensical_site):
    for post in posts():
        text = _page(zensical_site, post)
        figures = 0
        for target in _LINK.findall(text):
            if re.match(r"^[a-z]+:|^/", target):
                continue  # external, data: and mailto: links
            resolved = posixpath.normpath(posixpath.join(post.url, unquote(html.unescape(target))))
            path = zensical_site / resolved
            assert path.is_file() or (path / "index.html").is_file(), (post.url, target)
            figures += resolved.startswith(FIGURE_DIR + "/")
        assert figures == 2 * text.count('class="docexec-figure"'), post.url


def test_math_is_rendered_at_build_time(zensical_site):
    for post in posts():
        text = _page(zensical_site, post)
        if "$" in post.source.read_text(encoding="utf-8"):
            assert check_math(text).formulas > 0, post.url
        assert not check_math(text).problems, post.url  # no formula as an error or raw TeX
