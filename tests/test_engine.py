"""The docexec engine: execution, capture, caching, invalidation, failures, rendering.

Each test builds a throw-away project (a ``snippets`` package in a temporary
folder) so that it can edit sources and break things freely.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import docexec.build_state as dx
from docexec.extension import exec_fence
from docexec.page_html import render_entry
from docexec import deps
from docexec.refs import Ref, parse_target, scan_text
from docexec.runner import Engine, Failure
from docexec.settings import Settings

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path):
    """A tiny project: snippets/{__init__,helper,demo,other}.py."""
    write(tmp_path / "snippets" / "__init__.py", '"""test snippets"""\n')
    write(tmp_path / "snippets" / "helper.py", """
        VALUE = 41

        def shout(text):
            print("helper says", text)
    """)
    write(tmp_path / "snippets" / "demo.py", """
        import pandas as pd
        from snippets import helper
        from . import state

        def answer():
            helper.shout("<script>alert(1)</script>")
            return f"answer={helper.VALUE + 1}"

        def table():
            return pd.DataFrame({"项": [frozenset({"b", "a"}), "x<y"], "值": [0.5, 1e-12]})

        def boom():
            return 1 / 0

        def set_global():
            state.COUNTER += 1
            return state.COUNTER

        def read_global():
            return state.COUNTER

        def hang():
            import time
            time.sleep(60)

        def crash():
            import os
            os._exit(7)

        def bad_value():
            raise ValueError("window must be positive")

        def fine():
            return "fine"

        def markdown():
            from docexec import Markdown
            return Markdown("**粗体** 与公式 $x^2$")

        def figure():
            import matplotlib.pyplot as plt
            fig, ax = plt.subplots()
            ax.plot([0, 1, 2], [1, 0, 2], label="损失")
            ax.set_title("中文标题")
            ax.legend()
            return fig

        def missing_glyph():
            import matplotlib.pyplot as plt
            fig, ax = plt.subplots()
            ax.set_title("\\u2c00")  # a Glagolitic letter: in no bundled font
            return fig

        NOT_CALLABLE = 3
    """)
    write(tmp_path / "snippets" / "state.py", "COUNTER = 0\n")
    write(tmp_path / "snippets" / "other.py", """
        import json
        from pathlib import Path

        def independent():
            return "other"

        def from_data():
            return Path("data/numbers.json").read_text()
    """)
    write(tmp_path / "data" / "numbers.json", "[1, 2, 3]\n")
    return tmp_path


def make_engine(root: Path, **kw) -> Engine:
    kw.setdefault("timeout", 30)
    kw.setdefault("jobs", 2)
    return Engine(Settings(root=root, cache_dir=root / ".cache", **kw))


def ref(target: str, **options) -> Ref:
    return Ref(target, "docs/page.md", 7, tuple(sorted(options.items())))


# --- execution and capture ---------------------------------------------------------------------

def test_captures_prints_from_other_modules_and_the_return_value(project):
    entry = make_engine(project).result(ref("snippets.demo:answer"))
    assert [o["kind"] for o in entry["outputs"]] == ["text", "text"]
    assert entry["outputs"][0]["text"] == "helper says <script>alert(1)</script>\n"
    assert entry["outputs"][1]["text"] == "answer=42"


def test_printed_script_tag_is_escaped_in_the_page(project):
    r = ref("snippets.demo:answer")
    html = render_entry(make_engine(project).result(r), r, "")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_dataframe_becomes_an_escaped_table(project):
    r = ref("snippets.demo:table")
    entry = make_engine(project).result(r)
    (out,) = entry["outputs"]
    assert out["kind"] == "table"
    assert "<table>" in out["html"] and "x&lt;y" in out["html"] and "x<y" not in out["html"]
    assert "{a, b}" in out["text"] and "1e-12" in out["text"]
    assert '<td style="text-align: right">0.5</td>' in out["html"]


def test_markdown_output_is_converted(project):
    r = ref("snippets.demo:markdown")
    html = render_entry(make_engine(project).result(r), r, "")
    assert "<strong>粗体</strong>" in html
    assert 'class="arithmatex"' in html  # math is left for the KaTeX postprocessor


def test_each_call_runs_in_a_fresh_process(project):
    engine = make_engine(project)
    first = engine.result(ref("snippets.demo:set_global"))
    second = engine.result(ref("snippets.demo:read_global"))
    assert first["outputs"][0]["text"] == "1"
    assert second["outputs"][0]["text"] == "0"  # the increment did not leak


def test_parallel_run_executes_each_key_once(project):
    engine = make_engine(project)
    refs = [Ref("snippets.demo:fine", "a.md", 1), Ref("snippets.demo:fine", "b.md", 3),
            Ref("snippets.other:independent", "a.md", 9)]
    results = engine.run(refs)
    assert engine.executed == 2
    texts = [results[r]["outputs"] for r in refs]
    assert texts == [[{"kind": "text", "text": "fine"}]] * 2 + [[{"kind": "text", "text": "other"}]]


# --- failures ----------------------------------------------------------------------------------

def test_exception_reports_page_line_function_and_traceback(project):
    failure = make_engine(project).result(ref("snippets.demo:boom"))
    assert isinstance(failure, Failure)
    report = failure.report()
    assert "docs/page.md:7" in report and "snippets.demo:boom" in report
    assert "ZeroDivisionError: division by zero" in report
    assert "snippets/demo.py" in report and "in boom" in report
    assert "docexec/worker.py" not in report  # the engine's own frames are trimmed


@pytest.mark.parametrize("target, message", [
    ("snippets.nowhere:f", "No module named 'snippets.nowhere'"),
    ("snippets.demo:nothing", "has no function 'nothing'"),
    ("snippets.demo:NOT_CALLABLE", "is not callable"),
])
def test_missing_module_or_function(project, target, message):
    failure = make_engine(project).result(ref(target))
    assert isinstance(failure, Failure) and message in failure.error


def test_hang_is_stopped_by_the_timeout(project):
    engine = make_engine(project, timeout=2)
    start = time.monotonic()
    failure = engine.result(ref("snippets.demo:hang"))
    assert time.monotonic() - start < 15
    assert isinstance(failure, Failure) and "TimeoutError" in failure.error


def test_crashing_worker_is_reported(project):
    failure = make_engine(project).result(ref("snippets.demo:crash"))
    assert isinstance(failure, Failure) and "exit code 7" in failure.error


def test_failures_are_not_cached_on_disk(project):
    engine = make_engine(project)
    assert isinstance(engine.result(ref("snippets.demo:boom")), Failure)
    assert not list((project / ".cache").rglob("*.json"))
    fresh = make_engine(project)
    write(project / "snippets" / "demo.py",
          (project / "snippets" / "demo.py").read_text().replace("1 / 0", "1 / 1"))
    assert fresh.result(ref("snippets.demo:boom"))["outputs"][0]["text"] == "1.0"


def test_expected_exception_is_shown_as_output(project):
    entry = make_engine(project).result(ref("snippets.demo:bad_value", raises="ValueError"))
    assert entry["outputs"][0]["text"].strip() == "ValueError: window must be positive"
    wrong = make_engine(project).result(ref("snippets.demo:fine", raises="ValueError"))
    assert isinstance(wrong, Failure) and "returned normally" in wrong.error
    other = make_engine(project).result(ref("snippets.demo:boom", raises="ValueError"))
    assert isinstance(other, Failure) and "ZeroDivisionError" in other.error


def test_missing_glyph_fails_the_reference(project):
    failure = make_engine(project).result(ref("snippets.demo:missing_glyph"))
    assert isinstance(failure, Failure) and "no bundled font" in failure.error


# --- caching and invalidation ------------------------------------------------------------------

def test_warm_run_executes_nothing(project):
    refs = [ref("snippets.demo:answer"), ref("snippets.other:independent")]
    make_engine(project).run(refs)
    warm = make_engine(project)
    results = warm.run(refs)
    assert warm.executed == 0
    # the cached outputs, not just any dict: what the cold run printed and returned
    assert results[refs[0]]["outputs"] == [
        {"kind": "text", "text": "helper says <script>alert(1)</script>\n", "stream": True},
        {"kind": "text", "text": "answer=42"}]
    assert results[refs[1]]["outputs"] == [{"kind": "text", "text": "other"}]


def test_editing_a_module_invalidates_exactly_its_dependents(project):
    refs = [ref("snippets.demo:answer"), ref("snippets.demo:fine"),
            ref("snippets.other:independent"), ref("snippets.other:from_data")]
    make_engine(project).run(refs)
    helper = project / "snippets" / "helper.py"
    helper.write_text(helper.read_text().replace("VALUE = 41", "VALUE = 99"))
    engine = make_engine(project)
    results = engine.run(refs)
    assert engine.executed == 2  # both demo.py references (demo imports helper), not other.py
    assert results[refs[0]]["outputs"][1]["text"] == "answer=100"


def test_editing_a_named_data_file_invalidates_its_reader(project):
    r_data, r_other = ref("snippets.other:from_data"), ref("snippets.demo:fine")
    make_engine(project).run([r_data, r_other])
    (project / "data" / "numbers.json").write_text("[4, 5]\n")
    engine = make_engine(project)
    results = engine.run([r_data, r_other])
    assert engine.executed == 1
    assert results[r_data]["outputs"][0]["text"] == "[4, 5]\n"


def test_key_ignores_prose_and_page_but_not_options(project):
    settings = Settings(root=project)
    a = Ref("snippets.demo:fine", "docs/a.md", 3)
    b = Ref("snippets.demo:fine", "docs/b.md", 90, (("alt", "x"),))
    c = Ref("snippets.demo:fine", "docs/a.md", 3, (("raises", "ValueError"),))
    assert deps.cache_key(a, settings) == deps.cache_key(b, settings)
    assert deps.cache_key(a, settings) != deps.cache_key(c, settings)


def test_dependency_files_follow_imports_transitively(project):
    files = deps.dependency_files("snippets.demo", Settings(root=project))
    assert set(files) == {"snippets/__init__.py", "snippets/demo.py",
                          "snippets/helper.py", "snippets/state.py"}
    files = deps.dependency_files("snippets.other", Settings(root=project))
    assert "data/numbers.json" in files


def test_corrupt_and_foreign_cache_entries_are_recomputed(project):
    r = ref("snippets.demo:fine")
    engine = make_engine(project)
    engine.result(r)
    (entry_path,) = (project / ".cache" / "results").rglob("*.json")
    entry_path.write_text("{ not json")
    again = make_engine(project)
    assert again.result(r)["outputs"][0]["text"] == "fine" and again.executed == 1
    data = json.loads(entry_path.read_text())
    data["key"] = "0" * 64  # an entry copied from elsewhere
    entry_path.write_text(json.dumps(data))
    third = make_engine(project)
    assert third.result(r)["outputs"][0]["text"] == "fine" and third.executed == 1


def test_force_re_executes(project):
    r = ref("snippets.demo:fine")
    make_engine(project).result(r)
    forced = make_engine(project, force=True)
    forced.result(r)
    assert forced.executed == 1


def test_two_runs_at_once_share_the_cache_safely(project):
    write(project / "docs" / "page.md", """
        # page

        ```exec
        snippets.demo:answer
        ```

        ```exec alt="图"
        snippets.demo:figure
        ```

        ```exec
        snippets.demo:table
        ```
    """)
    cmd = [PY, "-m", "docexec", "run", str(project / "docs"), "--root", str(project),
           "--cache-dir", str(project / ".cache"), "--jobs", "2"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen(cmd, cwd=project, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    engine = make_engine(project)
    results = engine.run([ref("snippets.demo:answer"), ref("snippets.demo:figure", alt="图"),
                          ref("snippets.demo:table")])
    assert engine.executed == 0
    answer, figure, table = (results[r]["outputs"] for r in results)
    assert answer[-1] == {"kind": "text", "text": "answer=42"}
    assert [o["kind"] for o in figure] == ["figure"]
    assert all((project / ".cache" / "figures" / figure[0][v]).is_file() for v in ("light", "dark"))
    assert table[0]["kind"] == "table" and "x&lt;y" in table[0]["html"]
    assert not list((project / ".cache").rglob("*.tmp"))


# --- figures -----------------------------------------------------------------------------------

def test_figure_has_light_and_dark_svg_and_is_deterministic(project):
    r = ref("snippets.demo:figure", alt="图")
    first = make_engine(project).result(r)
    (fig,) = first["outputs"]
    light = (project / ".cache" / "figures" / fig["light"]).read_bytes()
    dark = (project / ".cache" / "figures" / fig["dark"]).read_bytes()
    assert light.startswith(b"<?xml") and b"<svg" in light and light != dark
    assert b"#1f2328" in light and b"#e6edf3" in dark  # the ink follows the palette
    assert b"#0969da" in light and b"#58a6ff" in dark  # so does the first data colour
    assert b"<dc:date>" not in light  # no timestamp
    assert fig["width"] > 100 and fig["height"] > 100
    again = make_engine(project, force=True)
    (fig2,) = again.result(r)["outputs"]
    assert (fig2["light"], fig2["dark"]) == (fig["light"], fig["dark"])  # byte-identical
    html = render_entry(first, r, "../../")
    assert f'src="../../assets/figures/{fig["light"]}#only-light"' in html
    assert f'src="../../assets/figures/{fig["dark"]}#only-dark"' in html
    assert html.count('alt="图"') == 2


def test_figure_without_alt_text_is_an_error(project):
    r = ref("snippets.demo:figure")
    entry = make_engine(project).result(r)
    with pytest.raises(ValueError, match="alt text"):
        render_entry(entry, r, "")


# --- the Markdown extension --------------------------------------------------------------------

def _markdown(project, text, show_tracebacks=True, **settings):
    """A page through the extension, as HTML (settings over the test defaults)."""
    import markdown

    dx.configure(Settings(**{"root": project, "cache_dir": project / ".cache", "timeout": 20,
                             **settings}))
    dx.begin_build(show_tracebacks=show_tracebacks)
    page = write(project / "docs" / "page.md", text)
    dx.set_page(page, "blog/page/", project)
    md = markdown.Markdown(extensions=["pymdownx.superfences"], extension_configs={
        "pymdownx.superfences": {"custom_fences": [exec_fence()]}})
    return md.convert(page.read_text(encoding="utf-8"))


def test_extension_renders_results_and_relative_figure_links(project):
    html = _markdown(project, """
        # t

        ```exec
        snippets.demo:answer
        ```

        ```exec alt="折线图"
        snippets.demo:figure
        ```
    """)
    assert "answer=42" in html and "helper says &lt;script&gt;" in html
    assert 'src="../../assets/figures/' in html and 'alt="折线图"' in html
    assert dx.STATE.figures_used


def test_extension_reports_failures_with_page_and_line(project, caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs.docexec")
    text = "# t\n\nsome prose\n\n```exec\nsnippets.demo:boom\n```\n"
    html = _markdown(project, text, show_tracebacks=True)
    assert "执行失败" in html and "ZeroDivisionError" in html and "Traceback" in html
    assert any("docs/page.md:5" in r.getMessage() and "snippets.demo:boom" in r.getMessage()
               and "snippets/demo.py" in r.getMessage() for r in caplog.records)
    published = _markdown(project, text, show_tracebacks=False)
    assert "执行失败" in published and "Traceback" not in published


@pytest.mark.parametrize("body, message", [
    ("snippets.demo:fine\nsnippets.demo:answer", "exactly one function"),
    ("print('hi')", "not of the form"),
])
def test_extension_reports_malformed_references(project, caplog, body, message):
    caplog.set_level(logging.ERROR, logger="mkdocs.docexec")
    html = _markdown(project, f"# t\n\n```exec\n{body}\n```\n")
    assert "执行失败" in html and any(message in r.getMessage() for r in caplog.records)


def test_extension_rejects_unknown_options(project, caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs.docexec")
    html = _markdown(project, '# t\n\n```exec colour="red"\nsnippets.demo:fine\n```\n')
    assert "执行失败" in html and any("unknown exec option" in r.getMessage() for r in caplog.records)


def test_disabled_engine_renders_placeholders(project):
    html = _markdown(project, "# t\n\n```exec\nsnippets.demo:hang\n```\n", disabled=True)
    assert "docexec-disabled" in html


# --- finding references ------------------------------------------------------------------------

def test_scan_finds_fences_with_lines_and_options_and_skips_other_code():
    text = textwrap.dedent('''
        # title

        ````markdown
        ```exec
        snippets.shown:as_an_example
        ```
        ````

        ```exec alt="a figure"
        snippets.mod:plot
        ```

        !!! note
            ```exec
            snippets.mod:inside_admonition
            ```

        ```python
        x = 1
        ```

        ``` { .exec raises="ValueError" }
        snippets.mod:fails
        ```
    ''')
    found = scan_text(text, "p.md")
    assert [(s.line, s.ref.target) for s in found] == [
        (10, "snippets.mod:plot"), (15, "snippets.mod:inside_admonition"),
        (23, "snippets.mod:fails")]
    assert found[0].ref.option("alt") == "a figure"
    assert found[2].ref.option("raises") == "ValueError"


@pytest.mark.parametrize("body", ["", "a:b:c", "snippets.mod", "snippets.mod:f()", "x\ny"])
def test_parse_target_rejects_malformed_bodies(body):
    with pytest.raises(ValueError):
        parse_target(body)


def test_a_data_file_created_later_changes_the_key(project):
    write(project / "snippets" / "late.py", """
        from pathlib import Path

        def read():
            return Path("data/later.json").read_text()
    """)
    settings = Settings(root=project)
    r = Ref("snippets.late:read")
    before = deps.cache_key(r, settings)
    write(project / "data" / "later.json", "{}\n")
    assert deps.cache_key(r, settings) != before


def test_malformed_reference_is_reported_at_its_own_line(project, caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs.docexec")
    html = _markdown(project, "# t\n\n```exec\nsnippets.demo:fine\n```\n\n"
                              "```exec\nprint('hi')\n```\n\n```exec colour=\"red\"\nsnippets.demo:fine\n```\n")
    assert "fine" in html and html.count("执行失败") == 2
    messages = [r.getMessage() for r in caplog.records]
    assert any("docs/page.md:7" in m and "not of the form" in m for m in messages), messages
    assert any("docs/page.md:11" in m and "unknown exec option" in m for m in messages), messages
    assert not any("page.md:0" in m for m in messages)


def test_notebook_of_a_page_with_a_malformed_fence_keeps_the_good_ones(project):
    from docexec.notebook import page_notebook

    engine = make_engine(project)
    text = "# t\n\n```exec\nsnippets.demo:answer\n```\n\n```exec\nnot a reference\n```\n"
    engine.run([r.ref for r in scan_text(text, "docs/page.md") if r.ref])
    nb = page_notebook(text, {"title": "t"}, engine, "docs/page.md")
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert any("from snippets.demo import answer" in c for c in code)
    assert not any("not a reference" in c for c in code)


def test_build_summary_counts_calls_times_and_failures(project, caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs.docexec")
    _markdown(project, "# t\n\n```exec\nsnippets.demo:answer\n```\n\n```exec\nsnippets.demo:boom\n```\n")
    summary = dx.build_summary()
    assert summary.startswith("docexec: 2 references rendered, 1 executed")
    assert "slowest: snippets.demo:answer" in summary
    assert "1 failed: docs/page.md:7 snippets.demo:boom" in summary
    # a warm build of the same page executes nothing and says so
    _markdown(project, "# t\n\n```exec\nsnippets.demo:answer\n```\n")
    assert dx.build_summary() == "docexec: 1 references rendered, 0 executed (0.0 s of calls)"


@pytest.mark.parametrize("bad_output", [
    {"kind": "text"},                                   # no text
    {"kind": "table", "html": "<table></table>"},       # no snapshot text
    {"kind": "figure", "light": "a.svg"},               # no dark variant, no size
    {"kind": "video", "text": "?"},                     # no such kind
    "text",                                             # not an output at all
])
def test_a_cache_entry_with_a_malformed_output_is_recomputed(project, bad_output):
    r = ref("snippets.demo:fine")
    make_engine(project).result(r)
    (entry_path,) = (project / ".cache" / "results").rglob("*.json")
    data = json.loads(entry_path.read_text())
    data["outputs"] = [bad_output]
    entry_path.write_text(json.dumps(data))
    again = make_engine(project)
    assert again.result(r)["outputs"] == [{"kind": "text", "text": "fine"}]
    assert again.executed == 1


@pytest.mark.parametrize("line, expected", [
    ('--8<-- "snippets/gru.py:gru_cell"', ("snippets/gru.py", "gru_cell")),
    ('  --8<-- "snippets/gru.py"', ("snippets/gru.py", None)),
    ('--8<-- "snippets/a/core.py:start-here"  ', ("snippets/a/core.py", "start-here")),
    ('--8<-- snippets/gru.py', None),
    ('print("--8<--")', None),
])
def test_include_lines_are_parsed_in_one_place(line, expected):
    from docexec.refs import parse_include

    found = parse_include(line)
    assert (found and (found.path, found.section)) == expected


@pytest.mark.parametrize("path, name", [
    ("snippets/gru.py", "snippets.gru"), ("snippets/apriori/core.py", "snippets.apriori.core"),
    ("snippets/apriori/__init__.py", "snippets.apriori"), ("docs/x.py", None),
    ("snippets/data.csv", None),
])
def test_module_name_follows_the_configured_packages(path, name):
    from docexec.refs import module_name

    assert module_name(path, ("snippets",)) == name
