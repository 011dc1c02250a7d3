"""A reader's search through the header's search box, measured in headless Chromium.

Shared by tests/test_search.py and benchmarks/bench_search.py. Bytes are what a compressing
static host sends (``site_build.serve`` gzips text; Pagefind's index files are gzipped
already): for every response the browser receives, its ``Content-Length`` plus its headers, as
Playwright reports them for the page and its web worker alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from site_build import Page

# the result list is filled (or says there is nothing): the query has its answer
_ANSWERED = """q => {
    const box = document.querySelector('input.md-search__input');
    const list = document.querySelector('.md-search-result__list');
    const meta = document.querySelector('.md-search-result__meta');
    return box.value === q && window.__searchAnswered !== undefined
        && (list.querySelector('.md-search-result__item') !== null
            || meta.textContent.includes('没有'));
}"""
# when the query is typed and when its first result (or "none") appears, in page time
_WATCH = """() => {
    const box = document.querySelector('input.md-search__input');
    const list = document.querySelector('.md-search-result__list');
    const meta = document.querySelector('.md-search-result__meta');
    window.__searchAnswered = undefined;
    box.addEventListener('input', () => { window.__searchTyped = performance.now(); },
                         {capture: true});
    new MutationObserver(() => {
        if (window.__searchAnswered === undefined && window.__searchTyped !== undefined
            && (list.querySelector('.md-search-result__item') || meta.textContent.includes('没有')))
            window.__searchAnswered = performance.now();
    }).observe(list.parentElement, {childList: true, subtree: true, characterData: true});
}"""


@dataclass
class Search:
    query: str
    urls: list[str]  # the results shown, in order, relative to the site
    ms: float  # from the query typed to its results shown
    bytes: int  # everything received from focusing the box until the results show
    files: dict[str, int] = field(default_factory=dict)  # those bytes per file
    page_script_bytes: int = 0  # search.js, which the page loads with itself
    hosts: set[str] = field(default_factory=set)  # where those files came from
    errors: list[str] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        """The first search's cost to a reader: the script that runs it and what it fetched."""
        return self.bytes + self.page_script_bytes


def _size(response) -> int:
    sizes = response.request.sizes()
    length = response.headers.get("content-length")
    body = int(length) if length is not None else sizes["responseBodySize"]
    return body + sizes["responseHeadersSize"]


def first_search(browser, base_url: str, query: str, path: str = "about/",
                 scheme: str = "light", pause_ms: int = 0) -> tuple[Search, Page]:
    """Open ``path``, focus the search box and type ``query`` (at once, or ``pause_ms``
    after focusing, as a reader takes a moment to type: the engine loads meanwhile); the
    results and what they cost. With no pause nothing of the search has loaded when the
    query arrives. The caller closes the returned page (it may screenshot it first)."""
    page = Page(browser, scheme=scheme)
    received: list = []
    page.context.on("requestfinished", lambda r: received.append(r.response()))
    p = page.open(base_url + path)
    script = [r for r in received if r and urlsplit(r.url).path.endswith("/search.js")]
    page_script = sum(_size(r) for r in script)
    p.evaluate(_WATCH)
    p.wait_for_timeout(500)  # the page's own late requests (not a quiet network: serve's
    received.clear()           # livereload never is); any that come later count as search
    box = p.locator("input.md-search__input")
    box.focus()
    if pause_ms:
        p.wait_for_timeout(pause_ms)
    box.fill(query)
    p.wait_for_function(_ANSWERED, arg=query)
    p.wait_for_timeout(200)  # anything still arriving for this search (excerpts) is counted
    ms = p.evaluate("window.__searchAnswered - window.__searchTyped")
    files: dict[str, int] = {}
    for r in filter(None, received):
        name = urlsplit(r.url).path
        files[name] = files.get(name, 0) + _size(r)
    hosts = {urlsplit(r.url).netloc for r in filter(None, received)}
    return Search(query, _shown(p), ms, sum(files.values()), files, page_script, hosts,
                  list(page.errors)), page


def _shown(p) -> list[str]:
    """The results in the list, in order: each page's path from the site root."""
    return p.eval_on_selector_all(
        ".md-search-result__item > a:first-child",
        "els => els.map(a => new URL(a.href).pathname.replace(/^\\//, ''))")


def search_again(page: Page, query: str) -> Search:
    """A further query in the same page (the engine and some chunks are loaded already)."""
    p = page.page
    p.evaluate("() => { window.__searchAnswered = undefined; window.__searchTyped = undefined; }")
    p.locator("input.md-search__input").fill(query)
    p.wait_for_function(_ANSWERED, arg=query)
    ms = p.evaluate("window.__searchAnswered - window.__searchTyped")
    return Search(query, _shown(p), ms, 0)
