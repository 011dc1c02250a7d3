"""The MkDocs hooks' own logic, without a site build: reading time and post dates."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, datetime

import pytest

from site_build import REPO

HOOKS = REPO / "docs" / ".hooks"
sys.path.insert(0, str(HOOKS))  # as MkDocs does while it loads the hooks


def _load(name):
    spec = importlib.util.spec_from_file_location(f"hook_{name}", HOOKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


blog = _load("blog")
from post_dates import post_date  # noqa: E402


@pytest.mark.parametrize("chinese, words, figures, minutes", [
    (0, 0, 0, 1),          # never "0 minutes"
    (300, 0, 0, 1),        # 300 characters a minute
    (301, 0, 0, 2),        # a started minute counts
    (900, 0, 0, 3),
    (0, 400, 0, 2),        # 200 Latin words a minute
    (600, 200, 0, 3),
    (0, 0, 12, 2),         # 10 s a figure (light and dark variants count once)
])
def test_reading_time_counts_chinese_per_character(chinese, words, figures, minutes):
    html = ("<p>" + "字" * chinese + "</p><p>" + " ".join(["word"] * words) + "</p>"
            + '<figure><img src="a.svg#only-light"><img src="a.svg#only-dark"></figure>' * figures)
    assert blog.reading_minutes(html) == minutes


def test_reading_time_ignores_scripts_styles_svg_and_mathml_twins():
    hidden = ("<script>" + "字" * 3000 + "</script><style>" + "x " * 3000 + "</style>"
              "<svg>" + "字" * 3000 + "</svg>"
              '<span class="katex-mathml">' + "字" * 3000 + "</span>")
    assert blog.reading_minutes(hidden + "<p>" + "字" * 300 + "</p>") == 1


@pytest.mark.parametrize("value, expected", [
    (date(2026, 11, 25), date(2026, 11, 25)),
    (datetime(2026, 11, 25, 23, 59), date(2026, 11, 25)),
    ("2026-11-25", date(2026, 11, 25)),
    ("2026-11-25 08:00:00", date(2026, 11, 25)),
    ({"created": date(2026, 11, 20), "updated": date(2026, 11, 28)}, date(2026, 11, 20)),
])
def test_post_date_reads_every_form_the_blog_plugin_accepts(value, expected):
    assert post_date(value) == expected


@pytest.mark.parametrize("value", ["25.11.2026", "", None, {"updated": "2026-11-25"}])
def test_a_post_date_that_is_not_a_date_is_an_error(value):
    with pytest.raises(ValueError):
        post_date(value)
