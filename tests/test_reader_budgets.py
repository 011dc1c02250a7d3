"""Reader-experience budgets, on every page (new posts are picked up automatically).

- no request leaves localhost; no console error or failed request;
- axe-core finds no serious or critical accessibility violation, in both palettes;
- each post's HTML plus the figures it loads stays within WEIGHT_BUDGET;
- pages fit a phone-width viewport (390 px) without sideways scrolling.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from site_build import ARTIFACTS, REPO, WEIGHTS, Page, posts

pytestmark = [pytest.mark.browser, pytest.mark.site]

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WEIGHT_BUDGET = 1_000_000  # bytes: a post's HTML + the figures its palette loads, uncompressed
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}


def _pages():
    return (["", "blog/", "tags/", "about/", "?q=交叉熵"] + [p.url for p in posts()])


@pytest.mark.parametrize("path", _pages())
def test_no_request_leaves_localhost_and_nothing_fails(browser, base_url, path):
    page = Page(browser)
    try:
        page.open(base_url + path)
        page.load_lazy_images()
        if path.startswith("?q="):
            page.page.locator(".md-search-result__item").first.wait_for()
        remote = [u for u in page.requests
                  if urlsplit(u).scheme in ("http", "https")
                  and urlsplit(u).hostname not in LOCAL_HOSTS]
        assert not remote, remote
        assert not page.errors, page.errors
    finally:
        page.close()


def _axe(page) -> list[dict]:
    if not AXE.is_file():
        pytest.fail("node_modules/axe-core is missing: run `npm ci` (make test does)")
    # Material fades the tabs back in after scrolling; judge the settled page, not a transition
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; "
                               "animation: none !important; }")
    page.wait_for_timeout(300)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["", "blog/"] + [p.url for p in posts()])
def test_axe_finds_no_serious_violations(browser, base_url, path, scheme):
    page = Page(browser, scheme=scheme)
    try:
        p = page.open(base_url + path)
        page.load_lazy_images()
        violations = _axe(p)
        assert not violations, violations
    finally:
        page.close()


def test_every_image_has_alt_text(built_site):
    import re

    for post in posts():
        text = (built_site / post.url / "index.html").read_text(encoding="utf-8")
        for img in re.findall(r"<img\b[^>]*>", text):
            assert re.search(r'alt="[^"]+"', img), (post.url, img[:120])


@pytest.mark.parametrize("post", posts(), ids=lambda p: p.url)
def test_post_weight_within_budget(browser, base_url, built_site, post, record_property):
    page = Page(browser)
    try:
        page.open(base_url + post.url)
        page.load_lazy_images()
        html = (built_site / post.url / "index.html").stat().st_size
        figures = sorted({u for u in page.requests if "/assets/figures/" in u})
        fig_bytes = sum((built_site / urlsplit(u).path.lstrip("/")).stat().st_size
                        for u in figures)
        total = html + fig_bytes
        record_property("weight_bytes", total)
        WEIGHTS.append(f"{post.url}: HTML {html / 1000:.0f} KB + {len(figures)} figures "
                       f"{fig_bytes / 1000:.0f} KB = {total / 1000:.0f} KB "
                       f"(budget {WEIGHT_BUDGET / 1000:.0f} KB)")
        assert total <= WEIGHT_BUDGET
    finally:
        page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", [""] + [p.url for p in posts()])
def test_phone_width_has_no_sideways_scroll(browser, base_url, path, scheme):
    page = Page(browser, scheme=scheme, width=390, height=844)
    try:
        p = page.open(base_url + path)
        page.load_lazy_images()
        overflow = p.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{overflow}px wider than the phone"
        for img in p.locator('.docexec-figure img:visible').all():
            box = img.bounding_box()
            assert box is None or box["width"] <= 390
        name = (path.strip("/").replace("/", "_") or "home") + f"-phone-{scheme}.png"
        page.screenshot(ARTIFACTS / name, full_page=False)
    finally:
        page.close()


def test_plot_ink_contrast_in_both_palettes():
    """Text ink >= 4.5:1 and every data colour >= 3:1 against the page background."""
    from docexec.figures import PALETTES

    def luminance(hex_colour):
        rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    def contrast(a, b):
        la, lb = sorted((luminance(a), luminance(b)), reverse=True)
        return (la + 0.05) / (lb + 0.05)

    for name, p in PALETTES.items():
        assert contrast(p["ink"], p["bg"]) >= 4.5, name
        assert contrast(p["muted"], p["bg"]) >= 3.0, name
        for colour in p["cycle"]:
            assert contrast(colour, p["bg"]) >= 3.0, (name, colour)
