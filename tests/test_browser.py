"""The built site in headless Debian Chromium (driven by Playwright): what a reader sees.

Screenshots go to ``test-artifacts/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import pytest

from docexec.refs import scan_file
from site_build import ARTIFACTS, REPO, Page, notebook_pages, posts

pytestmark = [pytest.mark.browser, pytest.mark.site]

def _all_pages():
    return ["", "blog/", "tags/", "about/"] + [p.url for p in posts()] + notebook_pages()


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
            assert p.locator(".katex").count() > 0
            box = p.locator(".katex").first.bounding_box()
            assert box and box["width"] > 0
        # the palette's own variants show (the other ones are display: none) and load
        figures = p.locator(f'.docexec-figure img[src$="#only-{scheme}"]')
        for i in range(figures.count()):
            img = figures.nth(i)
            img.scroll_into_view_if_needed()
            img.evaluate("e => e.decode()")  # waits for the (lazy) image to load
            loaded = img.evaluate("e => e.complete && e.naturalWidth > 0")
            assert loaded, img.get_attribute("src")
            assert img.is_visible() and img.get_attribute("alt")
        assert figures.count() * 2 == p.locator(".docexec-figure img").count()
        # every block with alt text draws a figure: a page that lost its figures fails here
        drawn = [s for s in scan_file(post.source, REPO) if s.ref and s.ref.option("alt")]
        assert figures.count() == len(drawn) > 0, (figures.count(), len(drawn))
        assert not page.errors, page.errors
        name = post.url.strip("/").replace("/", "_")
        page.screenshot(ARTIFACTS / f"{name}-{scheme}.png")
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
        p.locator("form[data-md-component=palette] label:visible").first.click()
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


def test_chinese_search_finds_the_post(browser, base_url):
    page = Page(browser)
    try:
        p = page.open(base_url)
        box = p.locator("input.md-search__input")
        box.click()
        box.fill("交叉熵")
        # Material queries on keyup; Chinese arrives through an IME, which ends with one
        box.dispatch_event("keyup")
        result = p.locator(".md-search-result__item").first
        result.wait_for()
        text = p.locator(".md-search-result").inner_text()
        assert "CrossEntropyLoss" in text
        assert not page.errors, page.errors
        p.wait_for_timeout(500)  # the result list fades in
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
