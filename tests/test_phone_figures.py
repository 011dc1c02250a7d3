"""Figures are readable where they are shown: on a phone (390 px) and on a desktop.

A figure is an SVG whose text is drawn as glyph paths (``svg.fonttype: path``): each
piece of text is a group scaled by ``font size / 100`` in the SVG's units (pt). The
browser scales the whole SVG to the width the page gives it, so a text of size ``s`` pt
in an SVG ``W`` pt wide, shown ``w`` CSS px wide, is ``s · w / W`` CSS px tall (at its
intrinsic size a pt is 4/3 px). For every figure a reader of every post sees, in both
palettes, at a phone's and a desktop's viewport, the smallest text must be at least
``MIN_TEXT_PX``. Which file the browser shows (the wide one, or the narrow one a
``<picture>`` serves to a phone) is the image's ``currentSrc``; its text is read from
the built site. Each figure is also screenshotted as the phone shows it
(``test-artifacts/screenshots/phone-figures/``), for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from docexec.refs import scan_file
from site_build import ARTIFACTS, REPO, Page, posts

MIN_TEXT_PX = 9.0
# a phone; and the narrowest content column (686 px) that is served the wide variant: from
# 960 px (60em) on Material shows the table of contents beside the content
VIEWPORTS = {"phone": (390, 844), "desktop": (960, 900)}
SHOTS = ARTIFACTS / "phone-figures"

_WIDTH_RE = re.compile(r'<svg[^>]*?\swidth="([\d.]+)pt"', re.S)
# a text's group: translate(x y) [rotate(a)] scale(s -s): s = font size / 100 (matplotlib's
# text-to-path scale); glyph outlines inside use other, unmirrored scales
_TEXT_SCALE_RE = re.compile(r'transform="translate\([^)]*\)(?: rotate\([^)]*\))? '
                            r'scale\(([\d.e-]+) -\1\)"')


def text_sizes_pt(svg: str) -> list[float]:
    """The font size (pt) of every text an SVG written by matplotlib draws as paths."""
    return [float(s) * 100 for s in _TEXT_SCALE_RE.findall(svg)]


def svg_width_pt(svg: str) -> float:
    m = _WIDTH_RE.search(svg[:3000])
    assert m, "the SVG has no width in pt"
    return float(m[1])


def smallest_text_px(svg: str, shown_width: float) -> float:
    """The smallest text of ``svg`` in CSS px when the SVG is shown ``shown_width`` px wide."""
    sizes = text_sizes_pt(svg)
    return min(sizes) * shown_width / svg_width_pt(svg) if sizes else float("inf")


def test_text_sizes_are_read_from_matplotlib_svg():
    """The parser finds every text at its size, rotated ones and Chinese ones included."""
    import io

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1], label="直线")
    ax.set_ylabel("纵轴 y")  # rotated 90°
    ax.set_title("标题", fontsize=13)
    ax.legend(fontsize=7)
    ax.set_xticks([0, 1])
    ax.set_yticks([0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    svg = buf.getvalue().decode()
    sizes = sorted(text_sizes_pt(svg))
    # 4 tick labels at 10 pt, the y label at 10, the title at 13, the legend at 7
    assert sizes == pytest.approx([7, 10, 10, 10, 10, 10, 13])
    assert svg_width_pt(svg) == pytest.approx(288)
    assert smallest_text_px(svg, 144) == pytest.approx(3.5)


# every figure the palette shows (a params= block's other values are hidden until chosen)
_SHOWN = ':not(.docexec-params-panel[hidden]) > .docexec > .docexec-figure img[src*="#only-{}"]'


def _figure_posts():
    return [p for p in posts() if any(s.ref and s.ref.option("alt")
                                      for s in scan_file(p.source, REPO))]


@pytest.mark.browser
@pytest.mark.site
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("post", _figure_posts(), ids=lambda p: p.url)
def test_smallest_figure_text_is_readable(browser, base_url, built_site, post, viewport, scheme):
    width, height = VIEWPORTS[viewport]
    page = Page(browser, scheme=scheme, width=width, height=height)
    try:
        p = page.open(base_url + post.url)
        # every block rendered; the header scrolls away instead of covering a tall figure
        p.add_style_tag(content="* { content-visibility: visible !important; } "
                                ".md-header { position: static !important; }")
        figures = p.locator(_SHOWN.format(scheme))
        assert figures.count() > 0
        too_small, slug = [], post.url.strip("/").split("/")[-1]
        for i in range(figures.count()):
            img = figures.nth(i)
            img.scroll_into_view_if_needed()
            img.evaluate("e => e.decode()")  # the chosen source has loaded
            shown, src = img.evaluate("e => [e.getBoundingClientRect().width, e.currentSrc]")
            path = Path(built_site) / urlparse(src).path.lstrip("/")
            px = smallest_text_px(path.read_text(encoding="utf-8"), shown)
            if px < MIN_TEXT_PX:
                too_small.append(f"figure {i + 1} ({path.name}, shown {shown:.0f} px wide): "
                                 f"smallest text {px:.1f} px")
            if viewport == "phone":
                SHOTS.mkdir(parents=True, exist_ok=True)
                img.screenshot(path=str(SHOTS / f"{slug}-{i + 1}-{scheme}.png"))
        assert not too_small, f"{post.url} at {width} px: " + "; ".join(too_small)
        assert not page.errors, page.errors
    finally:
        page.close()
