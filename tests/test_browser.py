"""The built site in headless Debian Chromium (driven by Playwright): what a reader sees.

Screenshots go to ``test-artifacts/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import pytest

from docexec.refs import scan_file
from site_build import ARTIFACTS, REPO, Page, posts

pytestmark = [pytest.mark.browser, pytest.mark.site]

def _all_pages():
    return ["", "blog/", "tags/", "about/"] + [p.url for p in posts()]


@pytest.mark.parametrize("path", _all_pages())
def test_page_renders_without_console_errors(browser, base_url, path):
    page = Page(browser)
    try:
        p = page.open(base_url + path)
        assert p.title()
        assert not page.errors, page.errors
    finally:
        page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("post", posts(), ids=lambda p: p.url)
def test_post_math_typeset_and_figures_loaded(browser, base_url, post, scheme):
    page = Page(browser, scheme=scheme)
    try:
        p = page.open(base_url + post.url)
        if "$" in post.source.read_text(encoding="utf-8"):
            assert p.locator("math").count() > 0
            box = p.locator("math").first.bounding_box()
            assert box and box["width"] > 0
        # the palette's own variants show (the other ones are display: none) and load
        # (a params= block's other values are hidden: their figures load when shown)
        shown = ':not(.docexec-params-panel[hidden]) > .docexec > .docexec-figure'
        figures = p.locator(f'{shown} img[src$="#only-{scheme}"]')
        for i in range(figures.count()):
            img = figures.nth(i)
            img.scroll_into_view_if_needed()
            img.evaluate("e => e.decode()")  # waits for the (lazy) image to load
            loaded = img.evaluate("e => e.complete && e.naturalWidth > 0")
            assert loaded, img.get_attribute("src")
            assert img.is_visible() and img.get_attribute("alt")
        assert figures.count() * 2 == p.locator(f"{shown} img").count()
        # every block with alt text draws a figure: a page that lost its figures fails here
        drawn = [s for s in scan_file(post.source, REPO) if s.ref and s.ref.option("alt")]
        assert figures.count() == len(drawn), (figures.count(), len(drawn))
        assert not page.errors, page.errors
        name = post.url.strip("/").replace("/", "_")
        page.screenshot(ARTIFACTS / f"{name}-{scheme}.png")
    finally:
        page.close()


# MathML laid out with the site's math font: the font file loaded (a system copy of Latin Modern
# Math does not count: the site's subset has its own family name), and each display formula is
# as tall as its TeX asks (a fraction or a sum is taller than a line of text)
_MATH_FONT = """async () => {
    await document.fonts.ready;
    const face = [...document.fonts].find(f => f.family.replace(/"/g, "") === "LM Math Subset");
    if (!face) return "no @font-face";
    if (face.status !== "loaded") await face.load();
    return face.status;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("post", posts(), ids=lambda p: p.url)
def test_display_formulas_screenshots(browser, base_url, post, scheme):
    """Each post's display formulas, one screenshot per palette, for a person to look at."""
    page = Page(browser, scheme=scheme, width=900)
    try:
        p = page.open(base_url + post.url)
        blocks = p.locator(".md-content .math-block")
        if blocks.count() == 0:
            pytest.skip("no display math")
        assert p.evaluate(_MATH_FONT) == "loaded"
        family = p.locator(".math-block math").first.evaluate("e => getComputedStyle(e).fontFamily")
        assert family.startswith('"LM Math Subset"'), family
        p.add_style_tag(content="* { content-visibility: visible !important; } "
                                ".md-header, .md-tabs { display: none !important; }")
        # a strip of every display formula, in page order, stacked in one screenshot
        p.evaluate("""() => {
            const strip = document.createElement("div");
            strip.id = "formula-strip";
            strip.className = "md-typeset";
            strip.style.cssText = "padding: 12px; background: var(--md-default-bg-color)";
            document.querySelectorAll(".md-content .math-block").forEach(b => {
                const c = b.cloneNode(true);
                c.style.borderBottom = "1px dotted var(--md-default-fg-color--lighter)";
                strip.appendChild(c);
            });
            const article = document.querySelector(".md-content__inner");
            [...article.children].forEach(c => { c.style.display = "none"; });
            article.prepend(strip);
            window.scrollTo(0, 0);
        }""")
        p.wait_for_timeout(200)
        strip = p.locator("#formula-strip")
        heights = strip.locator("math").evaluate_all("ms => ms.map(m => m.getBoundingClientRect().height)")
        assert heights and min(heights) > 8, heights  # every formula was laid out
        line = strip.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert max(heights) > 1.8 * line, (max(heights), line)  # fractions, sums, matrices stack
        assert not page.errors, page.errors
        name = post.url.strip("/").split("/")[-1]
        strip.screenshot(path=str(ARTIFACTS / f"math-{name}-{scheme}.png"))
    finally:
        page.close()


def _visible(page, selector):
    return page.locator(selector).first.is_visible()


def test_palette_toggle_swaps_figure_variants(browser, base_url):
    post = next(p for p in posts() if "cross-entropy" in p.url)
    page = Page(browser, scheme="light")
    try:
        p = page.open(base_url + post.url)
        p.locator(".docexec-figure").first.scroll_into_view_if_needed()
        assert _visible(p, 'img[src$="#only-light"]')
        assert not _visible(p, 'img[src$="#only-dark"]')
        p.locator("form[data-md-palette] label:visible").first.click()
        p.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
        dark = p.locator('.docexec-figure img[src$="#only-dark"]').first
        dark.scroll_into_view_if_needed()
        dark.evaluate("e => e.decode()")
        assert dark.evaluate("e => e.naturalWidth > 0")
        assert _visible(p, 'img[src$="#only-dark"]')
        assert not _visible(p, 'img[src$="#only-light"]')
        assert not page.errors, page.errors
        page.screenshot(ARTIFACTS / "cross-entropy-dark-viewport.png", full_page=False)
        page.screenshot(ARTIFACTS / "cross-entropy-dark.png")
    finally:
        page.close()


_BODY_SCHEME = "document.body.getAttribute('data-md-color-scheme')"
_TOGGLE = "form[data-md-palette] label:visible"


@pytest.mark.parametrize("system, other", [("light", "slate"), ("dark", "default")])
def test_palette_follows_the_system_until_chosen_then_keeps_the_choice(browser, base_url, system,
                                                                       other):
    """The site's own toggle (partials/javascripts/palette.html, not Material's component)."""
    mine = {"light": "default", "dark": "slate"}[system]
    page = Page(browser, scheme=system)
    try:
        p = page.open(base_url + "blog/")
        assert p.evaluate(_BODY_SCHEME) == mine
        assert p.locator(_TOGGLE).count() == 1  # one toggle shows: the one that switches
        assert p.evaluate("Object.keys(localStorage).filter(k => k.endsWith('__palette'))") == []
        p.locator(_TOGGLE).click()
        assert p.evaluate(_BODY_SCHEME) == other
        p.wait_for_function("!document.body.hasAttribute('data-md-color-switching')")
        p.goto(base_url + "about/")  # the choice holds on the next page
        assert p.evaluate(_BODY_SCHEME) == other
        assert p.locator(_TOGGLE).count() == 1
        p.locator("form[data-md-palette] input:checked").focus()
        p.keyboard.press("Enter")  # the keyboard switches back
        assert p.evaluate(_BODY_SCHEME) == mine
        assert not page.errors, page.errors
    finally:
        page.close()


_REGIONS = """() => [...document.querySelectorAll(".md-typeset__scrollwrap")].map(w => ({
    wide: w.scrollWidth > w.clientWidth + 1, tabindex: w.getAttribute("tabindex"),
    role: w.getAttribute("role"), label: w.getAttribute("aria-label")}))"""


@pytest.mark.parametrize("post", [p for p in posts() if "simplex" in p.url or "apriori" in p.url],
                         ids=lambda p: p.url)
def test_wide_tables_become_keyboard_scrollable_regions_on_a_phone(browser, base_url, post):
    """scroll-regions.js measures the tables while the page is idle: every one wider than a
    phone's screen ends up focusable and named, and no narrow one is touched."""
    page = Page(browser, width=390, height=844)
    try:
        p = page.open(base_url + post.url)
        p.wait_for_function(_REGIONS.replace("() =>", "() => (") + ").every(r => !r.wide || r.tabindex)",
                            timeout=10_000)
        regions = p.evaluate(_REGIONS)
        wide = [r for r in regions if r["wide"]]
        assert wide, "no table overflows a phone's screen here: pick another post"
        assert all(r["tabindex"] == "0" and r["role"] == "region" and r["label"] for r in wide)
        assert all(r["tabindex"] is None for r in regions if not r["wide"])
    finally:
        page.close()


def test_chinese_search_finds_the_post(browser, base_url):
    page = Page(browser)
    try:
        p = page.open(base_url)
        box = p.locator("input.md-search__input")
        box.click()
        box.fill("交叉熵")  # search.js answers each input event (and an IME's compositionend)
        result = p.locator(".md-search-result__item").first
        result.wait_for()
        assert "CrossEntropyLoss" in result.locator("h1").inner_text()  # the post comes first
        assert "cross-entropy-loss" in result.locator("a").first.get_attribute("href")
        assert not page.errors, page.errors
        page.screenshot(ARTIFACTS / "search-交叉熵.png", full_page=False)
    finally:
        page.close()


def test_home_page_screenshots(browser, base_url):
    for scheme in ("light", "dark"):
        page = Page(browser, scheme=scheme)
        try:
            p = page.open(base_url)
            assert p.locator(".md-content a[href*='blog/20']").count() >= 1  # latest posts
            page.screenshot(ARTIFACTS / f"home-{scheme}.png")
        finally:
            page.close()


_SIDEBAR = """() => { const s = document.querySelector('.md-sidebar--post');
    const r = s.getBoundingClientRect();
    return {display: getComputedStyle(s).display, top: r.top, height: r.height}; }"""


@pytest.mark.parametrize("width, phone", [(390, True), (1280, False)])
def test_a_half_parsed_post_does_not_draw_its_sidebar_where_the_article_will_be(
        browser, base_url, width, phone):
    """A first paint can come while the parser has reached the post's sidebar and not its
    article. On a phone the sidebar belongs under the article: drawn at the top then, it would
    jump away when the article arrives (a layout shift). The page is served cut just before
    ``<article``, as the parser sees it at that moment, then whole."""
    post = next(p for p in posts() if "penalized" in p.url)
    page = Page(browser, width=width, height=844)
    try:
        p = page.page
        url = base_url + post.url
        html = p.request.get(url).text()
        cut = html.index("<article")
        p.route(url, lambda route: route.fulfill(
            status=200, body=html[:cut], headers={"content-type": "text/html; charset=utf-8"}))
        p.goto(url, wait_until="load")
        half = p.evaluate(_SIDEBAR)
        p.unroute(url)
        p.goto(url, wait_until="load")
        whole = p.evaluate(_SIDEBAR)
        assert whole["display"] != "none" and whole["height"] > 0  # the page itself shows it
        if phone:
            assert half["display"] == "none"
            assert whole["top"] > 844  # under the article, below the first screen
        else:  # beside the article: where it stays, so it is drawn from the start
            assert half["display"] != "none" and abs(half["top"] - whole["top"]) < 1
    finally:
        page.close()
