"""The built site: every post at its URL with its executed results, links intact, feeds, search.

Marked ``site``: one strict build of the whole site (shared by the browser tests).
"""

from __future__ import annotations

import html
import math
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from docexec.outputs import FIGURE_DIR, figure_files
from docexec.params import expand
from docexec.refs import scan_file
from docexec.runner import Engine
from docexec.settings import Settings, mkdocs_options
from math_check import check_math, italic_by_offset
from site_build import REPO, assert_shows_results, build, posts

pytestmark = pytest.mark.site


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (attribute, value)
        self.ids: set[str] = set()
        self.external_assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        for attr in ("href", "src"):
            value = a.get(attr)
            if value is None:
                continue
            self.links.append((tag, value))
            rel = set((a.get("rel") or "").split())
            # a canonical or alternate <link> names a URL; it does not load it
            is_asset = tag in ("script", "img", "iframe", "source") or (
                tag == "link" and rel & {"stylesheet", "icon", "preload", "modulepreload", "manifest"})
            remote = urlsplit(value).scheme in ("http", "https") or value.startswith("//")
            if is_asset and remote:
                self.external_assets.append(value)


def _parse(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def test_every_post_is_at_its_url_with_title(built_site):
    assert posts(), "no posts found"
    for post in posts():
        page = built_site / post.url / "index.html"
        assert page.is_file(), f"{post.source.name} not at /{post.url}"
        assert html.escape(post.title, quote=False) in page.read_text(encoding="utf-8")


def _approved_snapshot(page, ref) -> str | None:
    """The approved snapshot of a block compared exactly (None when it has a tolerance)."""
    if ref.option("rtol") or ref.option("atol") or ref.option("params"):
        return None  # (a params= block: assert_shows_results checks each value's output)
    rel = page.relative_to(REPO / "docs").with_suffix("")
    module, _, func = ref.target.partition(":")
    return (REPO / "tests" / "snapshots" / rel / f"{module}.{func}.txt").read_text(encoding="utf-8")


def test_each_post_contains_its_executed_results_and_figures(built_site):
    engine = Engine(Settings.resolve(flags={"root": REPO},
                                     config=mkdocs_options(REPO / "mkdocs.yml")))
    for post in posts():
        text = (built_site / post.url / "index.html").read_text(encoding="utf-8")
        assert_shows_results(text, post, engine)
        for scanned in scan_file(post.source, REPO):
            entry = engine.cached(expand(scanned.ref)[0])  # params=: the first value
            approved = _approved_snapshot(post.source, scanned.ref)
            if approved is not None and [o["kind"] for o in entry["outputs"]] == ["text"]:
                # the page shows the reviewed text, not only whatever the cache holds
                assert html.escape(approved.rstrip("\n")) in text, scanned.ref.target
            for name in figure_files(entry["outputs"]):
                svg = built_site / FIGURE_DIR / name
                assert svg.is_file() and svg.stat().st_size > 1000, name


def test_every_post_ends_with_its_generated_reference_list(built_site):
    """[@key] citations are numbered links to the 参考文献 list the build appends (mdscholar)."""
    for post in posts():
        text = (built_site / post.url / "index.html").read_text(encoding="utf-8")
        body = text[text.index('<article'):text.index('</article>')]
        assert "[@" not in body and "citation-error" not in body, post.url
        assert body.count('id="references"') == 1, f"{post.url} has no generated 参考文献"
        listed = re.findall(r'<p class="csl-entry" id="ref-([^"]+)">\[(\d+)\] ', body)
        assert listed, post.url
        assert [int(n) for _, n in listed] == list(range(1, len(listed) + 1)), post.url
        cited = re.findall(r'<span class="citation">(.*?)</span>', body)
        assert cited, post.url
        targets = {k for c in cited for k in re.findall(r'href="#ref-([^"]+)"', c)}
        assert targets <= {k for k, _ in listed}, post.url
        assert body.index('id="references"') > body.index('<span class="citation">'), post.url


def test_math_is_rendered_at_build_time(built_site):
    for post in posts():
        text = (built_site / post.url / "index.html").read_text(encoding="utf-8")
        if "$" in post.source.read_text(encoding="utf-8"):
            assert check_math(text).formulas > 0, post.url
            assert "<math data-search-exclude>" in text  # formulas stay out of the search index
        assert "assets/math/temml.css" in text  # MathML's stylesheet and math font


def test_no_formula_on_any_page_renders_as_an_error_or_raw_tex(built_site):
    problems = [(str(page.relative_to(built_site)), problem)
                for page in sorted(built_site.rglob("*.html"))
                for problem in check_math(page.read_text(encoding="utf-8")).problems]
    assert not problems, problems[:20]


# invisible operators (function application, times), and the overline Temml draws \bar with,
# which Latin Modern Math lacks (the browser takes it from the text font: a plain rule)
_NOT_IN_LATIN_MODERN = {0x2061, 0x2062, 0x2063, 0x203E}


def _served_math_font(built_site):
    """The font file the built temml.css names (docs/.hooks/math_font.py writes both)."""
    css = (built_site / "assets" / "math" / "temml.css").read_text(encoding="utf-8")
    names = re.findall(r"url\('(lm-math-[0-9a-f]{16}\.woff2)'\)", css)
    assert len(names) == 1, names
    return built_site / "assets" / "math" / names[0]


def test_the_math_font_has_every_character_a_formula_draws(built_site):
    """The served font is cut to the formulas: a formula must not fall back to another font,
    in the characters its MathML holds, the italics a browser draws one-letter <mi> with, or
    the radical sign of a root."""
    from fontTools.ttLib import TTFont

    from mdmathml.vendor import FONT

    font_file = _served_math_font(built_site)
    covered = set(TTFont(font_file).getBestCmap())
    missing = {}
    for page in sorted(built_site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        drawn = {ord(c) for c in check_math(text).math_chars if not c.isspace()}
        drawn |= {italic_by_offset(c) for c in re.findall(r"<mi>(.)</mi>", text)} - {None}
        if re.search(r"<m(sqrt|root)[\s>]", text):  # the radical sign: drawn, in no text node
            drawn.add(0x221A)
        for point in drawn - covered - _NOT_IN_LATIN_MODERN:
            missing.setdefault(f"U+{point:04X} {chr(point)}", str(page.relative_to(built_site)))
    assert not missing, missing
    # the vendored font (every block a formula may use) stays out of the site: readers get the cut
    assert not (built_site / "assets" / "math" / FONT).exists()
    assert font_file.stat().st_size < 100_000


def test_pages_with_formulas_preload_the_served_math_font(built_site):
    name = _served_math_font(built_site).name
    pages = [p for p in built_site.rglob("*.html") if "<math" in p.read_text(encoding="utf-8")]
    assert len(pages) >= len(posts()) - 1
    for page in pages:
        text = page.read_text(encoding="utf-8")
        preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="font" type="font/woff2" '
                              r'crossorigin>', text)
        assert len(preloads) == 1, page
        assert (page.parent / preloads[0]).resolve() == (built_site / "assets/math" / name).resolve()


def test_no_broken_internal_links_or_anchors(built_site):
    pages = {p: _parse(p) for p in built_site.rglob("*.html")}
    problems = []
    for page, parsed in pages.items():
        for tag, link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("//", "mailto:", "data:", "javascript:")):
                continue
            if not parts.path and not parts.fragment:
                continue
            if parts.path.startswith("/"):  # root-relative (the 404 page): site_url's path is /
                target = built_site / unquote(parts.path).lstrip("/")
            else:
                target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{page.relative_to(built_site)}: {link}")
                continue
            frag = unquote(parts.fragment)
            if frag and target.suffix == ".html" and not frag.startswith(("only-", "__")):
                ids = pages[target].ids if target in pages else _parse(target).ids
                if frag not in ids:
                    problems.append(f"{page.relative_to(built_site)}: {link} (no anchor)")
    assert not problems, "\n".join(sorted(set(problems))[:50])


def test_pages_load_no_asset_from_another_host(built_site):
    offenders = {}
    for page in built_site.rglob("*.html"):
        ext = _parse(page).external_assets
        if ext:
            offenders[str(page.relative_to(built_site))] = ext
    assert not offenders, offenders


def test_home_lists_latest_posts_and_tags_page_lists_tags(built_site):
    home = (built_site / "index.html").read_text(encoding="utf-8")
    tags = (built_site / "tags" / "index.html").read_text(encoding="utf-8")
    for post in posts()[-5:]:
        assert html.escape(post.title, quote=False) in home or post.url in home
    for post in posts():
        for tag in post.meta.get("tags", []):
            assert html.escape(str(tag), quote=False) in tags, tag


def test_reading_time_counts_chinese(built_site):
    """Bounded on both sides: at least the prose at 300 characters a minute, at most every
    character and word of the article (code included) at 300 and 200 a minute, plus figures."""
    for post in posts():
        text = (built_site / post.url / "index.html").read_text(encoding="utf-8")
        m = re.search(r"需要 (\d+) 分钟阅读时间", text)
        assert m, f"{post.url} shows no reading time"
        prose = re.sub(r"^```.*?^```", "", post.source.read_text(encoding="utf-8"), flags=re.S | re.M)
        lower = len(re.findall(r"[\u4e00-\u9fff]", prose)) // 300
        article = text[text.index('<article'):text.index('</article>')]
        article = re.sub(r"<(script|style|svg)\b.*?</\1>|<math\b.*?</math>", " ", article, flags=re.S)
        words = re.sub(r"<[^>]+>", " ", article)
        cjk = len(re.findall(r"[\u3400-\u9fff]", words))
        latin = len(re.findall(r"[A-Za-z0-9_]+", words))
        figures = article.count("<img") / 2
        upper = math.ceil(cjk / 300 + latin / 200 + figures * 10 / 60) + 1
        assert lower <= int(m.group(1)) <= upper, (post.url, m.group(1), lower, upper)


def test_sitemap_and_404_exist(built_site):
    sitemap = ET.parse(built_site / "sitemap.xml").getroot()
    locs = [e.text for e in sitemap.iter() if e.tag.endswith("loc")]
    for post in posts():
        assert any(loc.endswith(post.url) for loc in locs)
    assert (built_site / "404.html").is_file()


def test_search_index_keeps_chinese_terms_whole(built_site):
    """Pagefind's index (docs/.hooks/pagefind_index.py) carries each post's terms whole, with
    their suffixes, whatever cut the browser makes of a query; tests/test_search.py searches."""
    assert not (built_site / "search" / "search_index.json").exists()  # no lunr index
    entry = json.loads((built_site / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]["zh"]["page_count"] == len(posts())
    post = next(p for p in posts() if p.meta["slug"] == "cross-entropy-loss")
    html = (built_site / post.url / "index.html").read_text(encoding="utf-8")
    terms = set(html.split('data-pagefind-meta="terms:', 1)[1].split('"', 1)[0].split())
    for term in ("交叉熵", "损失函数", "标签平滑"):
        assert term in terms, term


def test_two_clean_builds_are_byte_identical(built_site, tmp_path):
    """A second build from an empty cache re-executes everything and writes the same bytes,
    in every file: pages, figures, feeds, sitemap, search index."""
    other = tmp_path / "site"
    build(other, env={"DOCEXEC_CACHE_DIR": str(tmp_path / "cache")})
    ours = {p.relative_to(built_site) for p in built_site.rglob("*") if p.is_file()}
    theirs = {p.relative_to(other) for p in other.rglob("*") if p.is_file()}
    assert ours == theirs, sorted(map(str, ours ^ theirs))[:20]
    differ = [str(rel) for rel in sorted(ours)
              if (built_site / rel).read_bytes() != (other / rel).read_bytes()]
    assert not differ, differ[:20]
