"""Reader-experience budgets, on every page (new posts are picked up automatically).

- no request leaves localhost; no console error or failed request;
- axe-core finds no serious or critical accessibility violation, in both palettes;
- each post's HTML plus the figures it loads stays within WEIGHT_BUDGET;
- each post's HTML has at most ELEMENT_BUDGET elements and GZIP_BUDGET bytes gzipped (issue 14);
- pages fit a phone-width viewport (390 px) without sideways scrolling, with no code text
  smaller than 12 px;
- the lighter code blocks (``docs/.hooks/code_anchors.py``) still copy exactly the snippet,
  number every line beside it, link their title to the section's first line, and draw the
  tokens they unwrapped in the code's own colour, in both palettes.
"""

from __future__ import annotations

import importlib.util
import re
import textwrap
from urllib.parse import urlsplit

import pytest

from site_build import ARTIFACTS, REPO, WEIGHTS, Page, posts

pytestmark = [pytest.mark.browser, pytest.mark.site]

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WEIGHT_BUDGET = 1_000_000  # bytes: a post's HTML + the figures its palette loads, uncompressed
ELEMENT_BUDGET = 5_000  # elements in a post's HTML (a phone styles and lays out every one)
GZIP_BUDGET = 60 * 1024  # bytes: a post's HTML as a static host sends it
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
        # legible on a phone: no code text below 12 px, in tables and folded outputs too
        # (the simplex tableaux were 10.9 px)
        small = p.evaluate("""() => [...document.querySelectorAll('.md-content code')]
            .filter(c => c.textContent.trim() && parseFloat(getComputedStyle(c).fontSize) < 12)
            .map(c => c.parentElement.tagName + ': ' + c.textContent.slice(0, 30))""")
        assert not small, small
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


# --- issue 14: the heaviest post within 5,000 elements and 60 KB gzipped --------------------------

def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("post", posts(), ids=lambda p: p.url)
def test_post_html_within_element_and_gzip_budget(built_site, post):
    weigh = _load(REPO / "benchmarks" / "page_weight.py", "page_weight").weigh
    w = weigh(built_site / post.url / "index.html")
    WEIGHTS.append(f"{post.url}: {w['elements']} elements ({w['mathml']} MathML, {w['code']} in "
                   f"code), {w['gzip'] / 1024:.1f} KB gzipped (budgets {ELEMENT_BUDGET}, "
                   f"{GZIP_BUDGET / 1024:.0f} KB)")
    assert w["elements"] <= ELEMENT_BUDGET, w
    assert w["gzip"] <= GZIP_BUDGET, w


# --- lighter code blocks: what a reader sees and copies is unchanged -----------------------------

_TITLED = re.compile(r'^```python title="([^"]+)"\n(.*?)\n```', re.M | re.S)
_INCLUDE = re.compile(r'--8<-- "([^":]+):([\w-]+)"')
_MARKER = re.compile(r"# --8<-- \[(start|end):[\w-]+\]")
_CAPTURE_COPY = """document.addEventListener('copy', e => {
    const t = e.target;  // clipboard.js copies from a hidden textarea it selected
    window.__copied = t && typeof t.value === 'string'
        ? t.value.slice(t.selectionStart, t.selectionEnd) : String(document.getSelection());
}, true);"""
_NUMBER_COLUMN = """code => {
    const cs = getComputedStyle(code), col = getComputedStyle(code, '::before');
    return {numbers: code.dataset.linenos || '', content: col.content,
            column: parseFloat(col.height), line: parseFloat(cs.lineHeight),
            inner: code.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom)};
}"""


def _section(path: str, name: str) -> tuple[int, str]:
    """The section as pymdownx.snippets includes it (markers out, dedented): first line, text."""
    lines = (REPO / path).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if f"[start:{name}]" in line)
    end = next(i for i, line in enumerate(lines) if f"[end:{name}]" in line)
    body = [line for line in lines[start + 1:end] if not _MARKER.search(line)]
    return start + 2, textwrap.dedent("\n".join(body)).rstrip()


def _source_line(site, path: str, number: int) -> str:
    """The text the module's source page shows on line ``number`` (after its anchor)."""
    import html

    text = (site / "src" / path[:-3] / "index.html").read_text(encoding="utf-8")
    anchor = f'<a id="__codelineno-0-{number}" name="__codelineno-0-{number}"></a>'
    assert anchor in text, (path, number)
    line = text.split(anchor, 1)[1].split("\n", 1)[0]
    return html.unescape(re.sub(r"<[^>]+>", "", line)).strip()


def _shown(body: str) -> tuple[str, int, str]:
    """A titled fence's body (includes and blank lines): the first include's module, the
    line its section starts at, and the text the block shows."""
    parts, first = [], None
    for line in body.split("\n"):
        include = _INCLUDE.fullmatch(line.strip())
        assert include or not line.strip(), f"pasted code in a page: {line!r}"
        if include:
            start, text = _section(*include.groups())
            first = first or (include[1], start)
            parts.append(text)
        else:
            parts.append(line)
    return first[0], first[1], "\n".join(parts).rstrip()


@pytest.mark.parametrize("post", [p for p in posts()
                                  if _TITLED.search(p.source.read_text(encoding="utf-8"))],
                         ids=lambda p: p.url)
def test_code_blocks_copy_the_snippet_number_each_line_and_link_its_first_line(
        browser, base_url, built_site, post):
    """The copy button copies exactly the included section (no line numbers); one number per
    line stands beside it, 1..n, as tall as the code; the title links to the line of the
    module's source page that shows the section's first line, numbered as in the file."""
    included = _TITLED.findall(post.source.read_text(encoding="utf-8"))
    page = Page(browser)
    page.context.add_init_script(_CAPTURE_COPY)
    try:
        p = page.open(base_url + post.url)
        blocks = p.locator(".md-content div.highlight:has(> .filename a)")
        assert blocks.count() == len(included)
        for i, (title, body) in enumerate(included):
            path, first_line, expected = _shown(body)
            block = blocks.nth(i)
            block.scroll_into_view_if_needed()
            assert block.locator(".filename").text_content() == title
            href = block.locator(".filename a").get_attribute("href")
            assert href.endswith(f"src/{path[:-3]}/#__codelineno-0-{first_line}"), href
            assert _source_line(built_site, path, first_line) == expected.split("\n")[0].strip()
            p.evaluate("window.__copied = undefined")
            block.hover()
            block.locator("button.md-code__button[data-md-type=copy]").click()
            p.wait_for_function("window.__copied !== undefined")
            copied = p.evaluate("window.__copied")
            assert copied == expected, title
            n = len(copied.split("\n"))
            col = block.locator("pre > code").evaluate(_NUMBER_COLUMN)
            assert [int(x) for x in col["numbers"].split("\n")] == list(range(1, n + 1)), title
            assert col["content"].startswith('"'), col  # the column is drawn
            assert abs(col["column"] - n * col["line"]) < 2, (title, col)
            assert abs(col["inner"] - n * col["line"]) < 2, (title, col)  # one line box per line
        assert not page.errors, page.errors
    finally:
        page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_unwrapped_token_classes_draw_in_the_code_colour(browser, base_url, scheme):
    """``code_anchors.PLAIN`` unwraps these tokens' spans: Material must draw them as the code
    around them (colour, weight, style, no decoration or background), in both palettes."""
    plain = sorted(_load(REPO / "docs" / ".hooks" / "code_anchors.py", "code_anchors").PLAIN)
    page = Page(browser, scheme=scheme)
    try:
        p = page.open(base_url + posts()[0].url)
        styles = p.locator(".md-content div.highlight pre > code").first.evaluate(
            """(code, classes) => {
                const keys = ['color', 'fontWeight', 'fontStyle', 'textDecorationLine',
                              'backgroundColor'];
                const pick = el => Object.fromEntries(keys.map(k => [k, getComputedStyle(el)[k]]));
                const out = {'': pick(code)};
                out[''].backgroundColor = 'rgba(0, 0, 0, 0)';  // the block's own, not a token's
                for (const c of classes) {
                    const s = document.createElement('span');
                    s.className = c; s.textContent = 'x'; code.append(s);
                    out[c] = pick(s); s.remove();
                }
                return out;
            }""", plain)
        own = styles.pop("")
        assert styles == {c: own for c in plain}
        # and the hook's premise: the coloured classes are told apart from the code colour
        colours = p.locator(".md-content div.highlight pre > code span.k").first.evaluate(
            "s => getComputedStyle(s).color")
        assert colours != own["color"]
    finally:
        page.close()
