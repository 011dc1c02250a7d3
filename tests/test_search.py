"""Search (Pagefind in Material's header box): the post that explains a term comes first, a
reader's first search stays small, and indexing fails loudly in a build but not in serve.

Timings are measured in benchmarks/bench_search.py, never asserted here.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import logging
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from mkdocs.exceptions import PluginError

from search_probe import first_search, search_again
from site_build import ARTIFACTS, REPO, Page, posts

HOOKS = REPO / "docs" / ".hooks"
sys.path.insert(0, str(HOOKS))  # as MkDocs does while it loads the hooks
_spec = importlib.util.spec_from_file_location("hook_pagefind_index", HOOKS / "pagefind_index.py")
hook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hook)

FIRST_SEARCH_BUDGET = 150_000  # bytes a reader's first search may download (issue 14)

# term -> the post that explains it (its slug). Drawn from the posts: headings, the jieba
# dictionary (docs/.dict/jieba_user.txt), terms defined in the text; Chinese compounds,
# Latin names and mixed queries. The first five ranked the wrong page first with lunr.
PAIRS = [
    ("标签平滑", "cross-entropy-loss"),
    ("重置门", "gru-internals"),
    ("Bland 规则", "simplex-method"),
    ("广义交叉验证", "penalized-regression"),
    ("批量 Cholesky", "rolling-regression"),
    # the design document's examples
    ("交叉熵", "cross-entropy-loss"),
    ("反向传播", "backprop-by-hand"),
    ("位置编码", "positional-encoding"),
    ("单纯形法", "simplex-method"),
    ("滚动回归", "rolling-regression"),
    # penalized regression
    ("SCAD", "penalized-regression"),
    ("非负绞杀", "penalized-regression"),
    ("岭回归", "penalized-regression"),
    ("坐标下降", "penalized-regression"),
    ("阈值规则", "penalized-regression"),
    ("Oracle 性质", "penalized-regression"),
    ("LASSO", "penalized-regression"),
    # simplex
    ("HiGHS", "simplex-method"),
    ("两阶段法", "simplex-method"),
    ("影子价格", "simplex-method"),
    ("单纯形表", "simplex-method"),
    ("基本可行解", "simplex-method"),
    ("检验数", "simplex-method"),
    ("linprog", "simplex-method"),
    # cross-entropy
    ("label_smoothing", "cross-entropy-loss"),
    ("负对数似然", "cross-entropy-loss"),
    ("KL 散度", "cross-entropy-loss"),
    ("CrossEntropyLoss", "cross-entropy-loss"),
    # GRU
    ("更新门", "gru-internals"),
    ("梯度消失", "gru-internals"),
    ("门控循环单元", "gru-internals"),
    ("nn.GRU", "gru-internals"),
    # backprop
    ("链式法则", "backprop-by-hand"),
    ("中心差分", "backprop-by-hand"),
    ("向量–雅可比积", "backprop-by-hand"),
    # positional encoding
    ("自注意力", "positional-encoding"),
    ("正弦位置编码", "positional-encoding"),
    ("旋转矩阵", "positional-encoding"),
    ("PositionalEncoding", "positional-encoding"),
    # apriori
    ("频繁项集", "apriori-numpy"),
    ("关联规则", "apriori-numpy"),
    ("提升度", "apriori-numpy"),
    ("popcount", "apriori-numpy"),
    # rolling regression
    ("RollingOLS", "rolling-regression"),
    ("灾难性抵消", "rolling-regression"),
    ("polars-ols", "rolling-regression"),
    # combining datasets
    ("StackDataset", "concat-dataset"),
    ("bisect_right", "concat-dataset"),
    ("组合数据集", "concat-dataset"),
]


def _slug(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_pairs_name_real_posts_and_terms_they_contain():
    """The table itself: every post exists and holds its term (whole, or each of its words)."""
    assert len(PAIRS) >= 40 and len({q for q, _ in PAIRS}) == len(PAIRS)
    by_slug = {p.meta["slug"]: p.source.read_text(encoding="utf-8") for p in posts()}
    for query, slug in PAIRS:
        assert slug in by_slug, slug
        for word in query.split():
            assert word in by_slug[slug] or word.replace("–", "-") in by_slug[slug], (query, slug)


# --- the index, from the built site -----------------------------------------------------------

def _fragments(site: Path) -> list[dict]:
    out = []
    for path in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        raw = gzip.decompress(path.read_bytes())
        assert raw.startswith(b"pagefind_dcd")
        out.append(json.loads(raw[len(b"pagefind_dcd"):]))
    return out


@pytest.mark.site
def test_index_holds_the_post_bodies_only(built_site):
    fragments = _fragments(built_site)
    assert sorted(f["url"].strip("/") for f in fragments) == sorted(
        p.url.strip("/") for p in posts())
    assert not (built_site / "search" / "search_index.json").exists()  # Material's lunr index
    for f in fragments:
        content = f["content"]
        assert "复现信息" not in content  # the reproducibility record
        assert "¶" not in content and "¶" not in f["meta"]["title"]  # heading permalinks
        assert "import " not in content  # code blocks
        assert f["meta"]["topic"] and f["meta"]["terms"]
    # Pagefind's own UIs are not shipped (the site uses its JS API)
    assert not list((built_site / "pagefind").glob("pagefind-*ui*"))


@pytest.mark.site
def test_post_carries_its_terms_with_their_suffixes(built_site):
    gru = next(p for p in posts() if p.meta["slug"] == "gru-internals")
    html = (built_site / gru.url / "index.html").read_text(encoding="utf-8")
    terms = html.split('data-pagefind-meta="terms:', 1)[1].split('"', 1)[0].split()
    assert {"重置门", "置门", "门", "更新门", "梯度消失"} <= set(terms)
    topic = html.split('data-pagefind-meta="topic:', 1)[1].split('"', 1)[0].split()
    assert {"gru", "循环神经网络", "梯度消失"} <= set(topic)
    assert html.count("data-pagefind-body") == 1
    for page in ("", "tags/", "blog/", "about/"):
        assert "data-pagefind-body" not in (built_site / page / "index.html").read_text(
            encoding="utf-8")


# --- the hook's logic, without a build --------------------------------------------------------

def test_suffixes_let_any_cut_of_a_term_match():
    assert hook.suffixes("重置门") == ["重置门", "置门", "门"]
    assert hook.suffixes("cholesky") == ["cholesky"]


def test_post_terms_fields():
    dictionary, tokenizer = hook._dictionary(str(REPO / "docs" / ".dict" / "jieba_user.txt"))
    body = ('<h2 id="a">重置门乘在哪里</h2><p>滚动回归（rolling regression）在每个交易日'
            '重新估计；交叉熵在这里。</p><h3>与 torch.nn.GRU 对照</h3>')
    fields = hook.post_terms(body, "多资产滚动回归", ["NumPy"], dictionary, tokenizer)
    topic, terms = fields["topic"].split(), fields["terms"].split()
    assert {"多资产", "资产", "产", "滚动回归", "numpy"} <= set(topic)
    assert {"重置门", "置门", "交叉熵", "滚动回归", "rolling", "regression",
            "torch.nn.gru"} <= set(terms)
    assert "乘" not in terms  # one-character words are left out (but not suffixes: 门)


def _page(src_uri):
    return SimpleNamespace(file=SimpleNamespace(src_uri=src_uri), meta={}, title="t")


def test_only_posts_are_marked_for_indexing(monkeypatch):
    html = '<html><article class="md-content__inner md-typeset"><h1>x</h1></article></html>'
    hook._fields["blog/posts/x.md"] = {"topic": "a b", "terms": 'c "d'}
    marked = hook.on_post_page(html, _page("blog/posts/x.md"), None)
    assert '<article class="md-content__inner md-typeset" data-pagefind-body>' in marked
    assert 'data-pagefind-meta="terms:c &quot;d"' in marked
    assert hook.on_post_page(html, _page("tags.md"), None) == html
    monkeypatch.setattr(hook, "_serving", False)
    with pytest.raises(PluginError, match="has no"):
        hook.on_post_page("<html></html>", _page("blog/posts/x.md"), None)
    monkeypatch.setattr(hook, "_serving", True)  # serve logs it and keeps serving
    assert hook.on_post_page("<html></html>", _page("blog/posts/x.md"), None) == "<html></html>"


def test_indexing_a_site_without_posts_fails_the_build_naming_the_cause(tmp_path, monkeypatch):
    (tmp_path / "index.html").write_text("<html lang='zh'><body><p>没有文章</p></body></html>")
    monkeypatch.setattr(hook, "_serving", False)
    with pytest.raises(PluginError, match="search index not built: Pagefind indexed no post"):
        hook.on_post_build(SimpleNamespace(site_dir=str(tmp_path)))


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("names", [
    ["blog/2026/11/20/a/index.html", "blog/2026/11/21/b/index.html"],
    ["blog/2026/11/20/a/index.html"],
    ["blog/a,b/index.html", "blog/c/index.html"],  # a comma would split the glob: all files
])
def test_indexing_only_the_marked_pages_gives_the_index_of_the_whole_site(tmp_path, names):
    import shutil

    whole, marked = tmp_path / "whole", tmp_path / "marked"
    for i, name in enumerate(names):
        page = whole / name
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"<html lang='zh'><body><main data-pagefind-body><h1>第{i}篇</h1>"
                        f"<p>交叉熵 损失 第{i}段</p></main></body></html>", encoding="utf-8")
    for other in ("index.html", "tags/index.html", "blog/archive/2026/index.html"):
        (whole / other).parent.mkdir(parents=True, exist_ok=True)
        (whole / other).write_text("<html lang='zh'><body><p>交叉熵 目录</p></body></html>",
                                   encoding="utf-8")
    shutil.copytree(whole, marked)
    hook.index_site(whole)
    report = hook.index_site(marked, pages=names)
    assert f"Indexed {len(names)} page" in report
    assert _files(marked) == _files(whole)


def test_a_missing_binary_is_named(tmp_path, monkeypatch):
    def missing():
        raise FileNotFoundError("pagefind_extended")
    monkeypatch.setattr(hook, "executable", missing)
    with pytest.raises(RuntimeError, match=r"binary is missing .*pip install"):
        hook.index_site(tmp_path)


def test_a_hanging_indexer_is_stopped_and_reaped(tmp_path):
    psutil = pytest.importorskip("psutil")
    (tmp_path / "index.html").write_text("<html><body data-pagefind-body>x</body></html>")
    before = {c.pid for c in psutil.Process().children(recursive=True)}
    with pytest.raises(RuntimeError, match="did not finish"):
        hook.index_site(tmp_path, timeout=0.001)
    after = {c.pid for c in psutil.Process().children(recursive=True)
             if c.is_running() and c.status() != psutil.STATUS_ZOMBIE}
    assert after <= before  # the binary ended with the call


def test_serve_logs_the_failure_keeps_going_and_the_box_shows_it(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(hook, "_serving", True)
    (tmp_path / "index.html").write_text("<html lang='zh'><body><p>没有文章</p></body></html>")
    with caplog.at_level(logging.ERROR, logger="mkdocs.pagefind"):
        hook.on_post_build(SimpleNamespace(site_dir=str(tmp_path)))  # does not raise
    assert "Pagefind indexed no post" in caplog.text
    stub = (tmp_path / "pagefind" / "pagefind.js").read_text(encoding="utf-8")
    assert stub.startswith("throw new Error(") and "Pagefind indexed no post" in stub


# --- in the browser ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def search_page(browser, base_url):
    """One page whose search box answers every query of PAIRS in turn."""
    result, page = first_search(browser, base_url, "交叉熵")
    assert not result.errors, result.errors
    yield page
    page.close()


@pytest.mark.browser
@pytest.mark.site
@pytest.mark.parametrize("query, slug", PAIRS, ids=[q for q, _ in PAIRS])
def test_the_post_that_explains_a_term_comes_first(search_page, query, slug):
    result = search_again(search_page, query)
    assert result.urls, f"{query}: no result"
    assert _slug(result.urls[0]) == slug, (query, [_slug(u) for u in result.urls[:3]])


@pytest.mark.browser
@pytest.mark.site
def test_first_search_downloads_within_budget_from_the_site_itself(browser, base_url):
    """Everything fetched from focusing the box until the results show, plus search.js,
    as a compressing host sends it; every file from the site's own origin."""
    for query in ("交叉熵", "广义交叉验证", "批量 Cholesky"):
        result, page = first_search(browser, base_url, query)
        page.close()
        assert not result.errors, result.errors
        assert result.page_script_bytes > 0  # search.js was counted
        assert any(name.endswith(".pf_index") for name in result.files)  # chunks were fetched
        print(f"{query}: {result.total_bytes} bytes", result.files)
        assert result.total_bytes <= FIRST_SEARCH_BUDGET, (query, result.files)
        assert result.hosts == {urlsplit(base_url).netloc}  # no CDN: the site serves it all
        assert not any("search_index.json" in name or "/workers/search" in name
                       for name in result.files), result.files  # nothing of Material's search


def _axe(page):
    from test_reader_budgets import _axe as axe

    return axe(page)


@pytest.mark.browser
@pytest.mark.site
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_results_look_like_material_and_pass_axe(browser, base_url, scheme):
    result, page = first_search(browser, base_url, "重置门", scheme=scheme)
    try:
        p = page.page
        first = p.locator(".md-search-result__item").first
        assert first.is_visible()
        assert "GRU" in first.locator("h1").inner_text()
        assert first.locator("mark").count() >= 1  # the matched words are marked
        colour = first.locator("h1").evaluate("e => getComputedStyle(e).color")
        background = p.locator(".md-search__output").evaluate(
            "e => getComputedStyle(e).backgroundColor")
        assert colour != background
        page.screenshot(ARTIFACTS / f"search-重置门-{scheme}.png", full_page=False)
        violations = _axe(p)
        assert not violations, violations
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.site
def test_keyboard_opens_moves_through_and_closes_the_results(browser, base_url):
    page = Page(browser)
    try:
        p = page.open(base_url + "about/")
        p.keyboard.press("/")
        assert p.evaluate("document.activeElement.classList.contains('md-search__input')")
        assert p.evaluate("document.getElementById('__search').checked")
        p.keyboard.type("单纯形法")
        p.locator(".md-search-result__item").first.wait_for()
        p.keyboard.press("ArrowDown")
        href = p.evaluate("document.activeElement.getAttribute('href')")
        assert href and "simplex-method" in href
        p.keyboard.press("ArrowUp")
        assert p.evaluate("document.activeElement.classList.contains('md-search__input')")
        p.keyboard.press("Escape")
        assert not p.evaluate("document.getElementById('__search').checked")
        p.locator("input.md-search__input").focus()
        p.keyboard.press("Enter")  # opens the first result
        p.wait_for_url("**/simplex-method/")
        assert not page.errors, page.errors
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.site
def test_a_query_in_the_address_opens_its_results(browser, base_url):
    page = Page(browser)
    try:
        p = page.open(base_url + "?q=" + "滚动回归")
        p.locator(".md-search-result__item").first.wait_for()
        assert "rolling-regression" in p.locator(".md-search-result__link").first.get_attribute(
            "href")
        assert not page.errors, page.errors
    finally:
        page.close()
