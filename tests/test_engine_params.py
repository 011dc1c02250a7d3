"""``params=``: a demo over a small grid of keyword values, each value a cached call of its
own, switched between in the page without a kernel."""

from __future__ import annotations

import json
import logging
import re

import pytest

import docexec.build_state as dx
from docexec import deps
from docexec.notebook import page_notebook
from docexec.params import expand, parse_params, render_grid
from docexec.refs import Ref, ReferenceError_, parse_options, scan_text
from docexec.runner import Failure
from test_engine import _markdown, make_engine, write

GRID = '''
import matplotlib.pyplot as plt


def scaled(factor=1, label="x"):
    print(f"factor={factor!r} label={label!r}")
    return factor * 10


def plot(width=1):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, width])
    return fig


def picky(window=5):
    if window > 30:
        raise ValueError(f"window {window} is too long")
    return window


def plain():
    return "plain"
'''


@pytest.fixture
def grid_project(tmp_path):
    write(tmp_path / "snippets" / "__init__.py", '"""test snippets"""\n')
    write(tmp_path / "snippets" / "grid.py", GRID)
    return tmp_path


def block(params: str, target: str = "snippets.grid:scaled", **options) -> Ref:
    return Ref(target, "docs/page.md", 7,
               tuple(sorted({"params": params, **options}.items())))


# --- parsing -------------------------------------------------------------------------------------

def test_values_are_python_literals_or_strings():
    assert parse_params("min_support=0.2,0.3,0.4") == (("min_support", (0.2, 0.3, 0.4)),)
    assert parse_params("a=1, 2 ;b=x,'y z',True,None") == (
        ("a", (1, 2)), ("b", ("x", "y z", True, None)))
    assert parse_params("base=1e4,100") == (("base", (10000.0, 100)),)


@pytest.mark.parametrize("text, message", [
    ("min_support", "is not key=v1"),
    ("=1,2", "is not key=v1"),
    ("class=1,2", "is not key=v1"),
    ("a=", "empty list"),
    ("a=1,,2", "empty value"),
    ("a=1;a=2", "given twice"),
    ("a=1,1", "repeats a value"),
    ("a=[1]", "not a number, string"),
    ("a=1,2,3,4,5;b=1,2,3,4,5", "25 combinations; at most 24"),
])
def test_bad_params_are_reference_errors(text, message):
    with pytest.raises(ReferenceError_, match=re.escape(message)):
        parse_params(text)


def test_bad_params_are_reported_at_page_line_when_scanning():
    (scanned,) = scan_text('# t\n\n```exec params="a=1;a=2"\nsnippets.grid:scaled\n```\n',
                           "docs/page.md")
    assert scanned.ref is None and scanned.line == 3 and "given twice" in scanned.error
    with pytest.raises(ReferenceError_, match="kwargs"):  # internal: a page cannot set it
        parse_options('exec kwargs="[]"')


def test_expand_gives_one_ref_per_combination_first_value_first():
    combos = expand(block("a=1,2;b=x,y"))
    assert [c.kwargs for c in combos] == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"},
                                          {"a": 2, "b": "x"}, {"a": 2, "b": "y"}]
    assert combos[3].call == "snippets.grid:scaled(a=2, b='y')"
    plain = Ref("snippets.grid:plain", "docs/page.md", 3)
    assert expand(plain) == [plain] and plain.call == plain.target and plain.kwargs == {}


# --- execution and the cache ---------------------------------------------------------------------

def test_each_value_is_a_call_and_a_cached_result_of_its_own(grid_project):
    engine = make_engine(grid_project)
    ref = block("factor=1,2,3")
    results = engine.run([ref])
    assert engine.executed == 3
    combos = expand(ref)
    assert [results[c]["outputs"][-1]["text"] for c in combos] == ["10", "20", "30"]
    assert len({engine.key(c) for c in combos}) == 3
    warm = make_engine(grid_project)
    warm.run([block("factor=1,2,3,4")])  # one value added: only it runs
    assert warm.executed == 1


def test_the_key_of_a_block_without_params_is_unchanged(grid_project):
    engine = make_engine(grid_project)
    plain = Ref("snippets.grid:scaled", "docs/page.md", 7)
    payload = {  # the payload as it was before params existed
        "engine": deps.engine_fingerprint(), "target": plain.target, "raises": None,
        "python": "%d.%d" % __import__("sys").version_info[:2],
        "packages": {p: deps.package_version(p) for p in engine.settings.key_packages},
        "files": deps.dependency_files(plain.module, engine.settings)}
    expected = deps.sha256_bytes(json.dumps(payload, sort_keys=True).encode())
    assert engine.key(plain) == expected
    assert engine.key(block("factor=1,2")) == expected  # the block itself: no kwargs
    assert expected not in {engine.key(c) for c in expand(block("factor=1,2"))}


def test_a_failing_value_is_named_in_the_report(grid_project):
    engine = make_engine(grid_project)
    results = engine.run([block("window=5,60", "snippets.grid:picky")])
    ok, bad = (results[c] for c in expand(block("window=5,60", "snippets.grid:picky")))
    assert not isinstance(ok, Failure) and isinstance(bad, Failure)
    report = bad.report()
    assert "docs/page.md:7" in report and "snippets.grid:picky(window=60)" in report
    assert "window 60 is too long" in report


def test_a_keyword_the_function_does_not_take_is_a_clear_error(grid_project):
    engine = make_engine(grid_project)
    (failure,) = engine.run([block("windw=5", "snippets.grid:picky")]).values()
    assert isinstance(failure, Failure)
    assert "docs/page.md:7" in failure.report()
    assert "does not accept the keyword(s) windw" in failure.error
    assert "keyword parameters: window" in failure.error


# --- the page --------------------------------------------------------------------------------------

def test_page_shows_the_first_value_and_hides_the_others(grid_project):
    html = _markdown(grid_project, '''
        # t

        ```exec params="factor=1,2;label=a,b"
        snippets.grid:scaled
        ```

        ```exec params="width=1,3" alt="直线"
        snippets.grid:plot
        ```
    ''')
    panels = re.findall(r'<div class="docexec-params-panel" data-combo="([\d-]+)"( hidden)?>', html)
    assert panels[:4] == [("0-0", ""), ("0-1", " hidden"), ("1-0", " hidden"), ("1-1", " hidden")]
    assert panels[4:] == [("0", ""), ("1", " hidden")]
    for text in ("factor=1 label=&#x27;a&#x27;", "factor=2 label=&#x27;b&#x27;"):
        assert text in html
    assert html.count('role="radiogroup"') == 3 and 'aria-label="参数 factor"' in html
    assert html.count('aria-checked="true"') == 3  # the first value of each key
    # no JavaScript: the controls stay hidden, a note names the values shown
    assert '<div class="docexec-params-controls" hidden>' in html
    assert "下面是 factor = 1，label = a 时的结果" in html
    # every figure of the grid is in the page, lazily loaded
    imgs = re.findall(r"<img [^>]*>", html)
    assert len(imgs) == 4 and all('loading="lazy"' in i for i in imgs)
    assert len(dx.STATE.figures_used) == 8  # 2 figures x light, dark x wide, narrow


def test_a_failing_value_is_an_error_box_at_its_line(grid_project, caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs.docexec")
    html = _markdown(grid_project, '# t\n\n```exec params="window=5,60"\nsnippets.grid:picky\n```\n')
    assert "执行失败" in html and "snippets.grid:picky(window=60)" in html
    assert any("docs/page.md:3" in r.getMessage() and "window=60" in r.getMessage()
               for r in caplog.records)


def test_bad_params_in_a_page_are_reported_at_its_line(grid_project, caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs.docexec")
    html = _markdown(grid_project, '# t\n\n```exec params="factor="\nsnippets.grid:scaled\n```\n')
    assert "执行失败" in html
    assert any("docs/page.md:3" in r.getMessage() and "empty list" in r.getMessage()
               for r in caplog.records)


def test_render_grid_orders_panels_like_expand():
    ref = block("a=1,2")
    html = render_grid(ref, ["<p>one</p>", "<p>two</p>"])
    assert html.index("one") < html.index("two")
    assert '<div class="docexec-params-panel" data-combo="1" hidden>\n<p>two</p>' in html


def test_notebook_calls_the_first_value_and_lists_the_others(grid_project):
    engine = make_engine(grid_project)
    page = '# t\n\n```exec params="factor=2,3;label=a,b"\nsnippets.grid:scaled\n```\n'
    engine.run([r.ref for r in scan_text(page, "docs/page.md")])
    nb = page_notebook(page, {"title": "t"}, engine, "docs/page.md")
    (cell,) = [c for c in nb.cells if "scaled" in c.source and c.cell_type == "code"
               and "import scaled" in c.source]
    assert "print(scaled(factor=2, label='a'))" in cell.source
    assert "# 文章里还可以切换到：factor=3；label='b'" in cell.source
    assert cell.outputs[0]["text"] == "factor=2 label='a'\n"


# --- the snapshot test -----------------------------------------------------------------------------

def test_the_snapshot_lists_every_combination_and_catches_a_changed_one(grid_project):
    from test_engine_snapshot import _run_pytest

    root = grid_project
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    write(root / "docs" / "p.md", '# 页\n\n```exec params="factor=1,2"\nsnippets.grid:scaled\n```\n')
    approve = _run_pytest(root, "--update-snapshots")
    assert approve.returncode == 0, approve.stdout + approve.stderr
    snap = root / "tests" / "snapshots" / "p" / "snippets.grid.scaled.params.txt"
    assert snap.read_text(encoding="utf-8") == (
        "### factor=1\nfactor=1 label='x'\n\n10\n\n"
        "### factor=2\nfactor=2 label='x'\n\n20\n")
    grid = root / "snippets" / "grid.py"
    grid.write_text(grid.read_text().replace("return factor * 10", "return factor * 10 + (factor > 1)"))
    changed = _run_pytest(root)
    assert changed.returncode == 1 and "+21" in changed.stdout and "-20" in changed.stdout


# --- in a browser ----------------------------------------------------------------------------------

@pytest.mark.browser
def test_the_control_switches_outputs_by_mouse_and_keyboard(grid_project, tmp_path_factory):
    """A page with a text grid and a figure grid, the site's params.js and blog.css: only the
    visible value's figures are fetched; a click or an arrow key shows another value."""
    from pathlib import Path

    from site_build import CHROMIUM, CHROMIUM_ARGS, REPO, serve

    body = _markdown(grid_project, '''
        # t

        ```exec params="factor=1,2,3;label=a,b"
        snippets.grid:scaled
        ```

        ```exec params="width=1,3" alt="直线"
        snippets.grid:plot
        ```
    ''')
    site = tmp_path_factory.mktemp("params-site")
    (site / "blog" / "page").mkdir(parents=True)
    figures = site / "assets" / "figures"
    figures.mkdir(parents=True)
    for name in dx.STATE.figures_used:
        (figures / name).write_bytes(dx.engine().cache.figure_bytes(name))
    assets = REPO / "docs" / "assets"
    (site / "params.js").write_bytes((assets / "javascripts" / "params.js").read_bytes())
    (site / "blog.css").write_bytes((assets / "stylesheets" / "blog.css").read_bytes())
    (site / "blog" / "page" / "index.html").write_text(
        '<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>t</title>'
        '<link rel="stylesheet" href="../../blog.css"></head><body><article class="md-typeset">'
        f'{body}</article><script src="../../params.js"></script></body></html>',
        encoding="utf-8")
    url = serve(str(site)) + "blog/page/"

    from playwright.sync_api import sync_playwright

    def drive():  # in a thread of its own: an earlier test may have left an asyncio loop
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                requests: list[str] = []
                page.on("request", lambda r: requests.append(r.url))
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(url)
                page.wait_for_load_state("networkidle")
                text_block, figure_block = page.locator(".docexec-params").all()
                factor = text_block.get_by_role("radiogroup", name="参数 factor")
                label = text_block.get_by_role("radiogroup", name="参数 label")
                assert factor.is_visible() and label.is_visible()  # shown by the script

                def shown(block):
                    return block.locator(".docexec-params-panel:not([hidden])").inner_text()

                assert "factor=1 label='a'" in shown(text_block)
                # only the visible value's figures (both palette variants here: no theme CSS)
                fetched = {Path(u).name.split("#")[0] for u in requests if "/assets/figures/" in u}
                first = figure_block.locator(".docexec-params-panel").nth(0).locator("img")
                hidden = figure_block.locator(".docexec-params-panel").nth(1).locator("img")
                names = lambda imgs: {Path(i.get_attribute("src")).name.split("#")[0]  # noqa: E731
                                      for i in imgs.all()}
                assert names(first) <= fetched and not names(hidden) & fetched

                factor.get_by_role("radio", name="3").click()
                assert "factor=3 label='a'" in shown(text_block)
                assert factor.get_by_role("radio", name="3").get_attribute("aria-checked") == "true"
                assert text_block.locator(".docexec-params-panel:not([hidden])").count() == 1

                # keyboard: arrow keys move the choice within a group, Tab goes to the next group
                factor.get_by_role("radio", name="3").focus()
                page.keyboard.press("ArrowRight")  # wraps around to the first value
                assert "factor=1 label='a'" in shown(text_block)
                assert page.evaluate("document.activeElement.textContent") == "1"
                page.keyboard.press("Tab")
                assert page.evaluate("document.activeElement.textContent") == "a"
                page.keyboard.press("ArrowRight")
                assert "factor=1 label='b'" in shown(text_block)

                figure_block.get_by_role("radio", name="3").click()
                figure_block.locator(".docexec-params-panel:not([hidden]) img").first.evaluate(
                    "e => e.decode()")
                fetched = {Path(u).name.split("#")[0] for u in requests if "/assets/figures/" in u}
                assert names(hidden) & fetched  # shown now, so fetched now
                assert not errors, errors
            finally:
                browser.close()

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(drive).result()


def test_a_grid_label_must_fit_its_outputs(grid_project, caplog):
    """mdscholar.crossref wraps the whole block in one numbered figure; the engine checks
    that the label's kind fits what the grid's values return."""
    caplog.set_level(logging.ERROR, logger="mkdocs.docexec")
    html = _markdown(grid_project, '# t\n\n```exec params="width=1,3" alt="直线" label="tbl-line" '
                     'caption="直线"\nsnippets.grid:plot\n```\n')
    assert "执行失败" in html and any("docs/page.md:3" in r.getMessage() for r in caplog.records)
