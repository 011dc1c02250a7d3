"""A page's notebook, made without a site build: prose, shown code and cached outputs."""

from __future__ import annotations

import json

import nbformat

from docexec.notebook import notebook_bytes, page_notebook, snippet_section
from docexec.refs import scan_text
from site_build import REPO
from test_engine import make_engine, project, write  # noqa: F401  (project is a fixture)

PAGE = """---
title: 示例
---

# 示例

引言。

<!-- more -->

!!! note "提示"
    缩进的说明。

[下载](x.ipynb){ .md-button }

## 代码

```python title="snippets/shown.py"
--8<-- "snippets/shown.py:double"
```

```exec
snippets.demo:answer
```

```exec
snippets.demo:table
```

```exec raises="ValueError"
snippets.demo:bad_value
```

```exec
snippets.demo:never_run
```
"""


def _notebook(project):
    write(project / "snippets" / "shown.py", """
        def helper(x):
            return x

        class Box:
            # --8<-- [start:double]
            def double(self, x):
                return 2 * helper(x)
            # --8<-- [end:double]
    """)
    write(project / "snippets" / "demo.py",
          (project / "snippets" / "demo.py").read_text() + "\ndef never_run():\n    return 1\n")
    engine = make_engine(project)
    refs = [s.ref for s in scan_text(PAGE, "docs/page.md") if s.ref]
    engine.run([r for r in refs if r.function != "never_run"])
    return page_notebook(PAGE, {"title": "示例"}, engine, "docs/page.md"), engine


def test_prose_cells_drop_front_matter_excerpt_marker_and_material_syntax(project):
    nb, _ = _notebook(project)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "title: 示例" not in prose and "<!-- more -->" not in prose
    assert "> **提示**\n> 缩进的说明。" in prose
    assert "[下载](x.ipynb)" in prose and ".md-button" not in prose
    # a level-2 heading starts a new cell
    assert any(c.source.startswith("## 代码") for c in nb.cells if c.cell_type == "markdown")


def test_shown_code_is_the_dedented_section_and_setup_loads_its_module(project):
    nb, _ = _notebook(project)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert "def double(self, x):\n    return 2 * helper(x)" in code
    assert 'import_module("snippets.shown")' in nb.cells[1].source


def test_each_exec_block_is_a_call_with_its_cached_outputs(project):
    nb, _ = _notebook(project)
    calls = {c.source.splitlines()[0]: c for c in nb.cells
             if c.cell_type == "code" and c.source.startswith("from snippets.demo")}
    answer = calls["from snippets.demo import answer"]
    assert answer.source.endswith("print(answer())")
    text = "".join(o.get("text", "") for o in answer.outputs)
    assert "helper says <script>alert(1)</script>" in text and "answer=42" in text
    table = calls["from snippets.demo import table"].outputs[0]
    assert table.output_type == "execute_result" and "<table" in table.data["text/html"]
    assert "项" in table.data["text/plain"]
    bad = calls["from snippets.demo import bad_value"]
    assert "except ValueError as exc:" in bad.source
    assert "window must be positive" in "".join(o.get("text", "") for o in bad.outputs)
    # a block with no cached result still becomes a cell, without outputs
    assert calls["from snippets.demo import never_run"].outputs == []
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code" and c.execution_count]
    assert counts == list(range(1, len(counts) + 1))


def test_notebook_is_valid_and_the_same_twice(project):
    nb, engine = _notebook(project)
    nbformat.validate(nb)
    again = page_notebook(PAGE, {"title": "示例"}, engine, "docs/page.md")
    assert notebook_bytes(nb) == notebook_bytes(again)
    assert json.loads(notebook_bytes(nb))["metadata"]["title"] == "示例"


def test_snippet_section_names_a_missing_section(project):
    write(project / "snippets" / "shown.py", "x = 1\n")
    try:
        snippet_section(project, "snippets/shown.py", "nowhere")
    except ValueError as exc:
        assert "snippets/shown.py has no section 'nowhere'" in str(exc)
    else:
        raise AssertionError("a missing section must raise")


def test_the_first_cell_carries_the_modules_and_runs_in_an_empty_folder(project, tmp_path_factory):
    import subprocess
    import sys

    from test_notebooks import HIDE_PROJECT

    nb, _ = _notebook(project)
    setup = nb.cells[1].source
    for rel in ("snippets/__init__.py", "snippets/demo.py", "snippets/helper.py",
                "snippets/state.py", "snippets/shown.py"):
        assert f"'{rel}':" in setup, rel
    empty = tmp_path_factory.mktemp("reader")
    hide = HIDE_PROJECT.replace(repr(str(REPO)), repr(str(project)))
    check = "\nimport snippets.demo\nprint(snippets.demo.answer())\n"
    run = subprocess.run([sys.executable, "-c", hide + "\n" + setup + check], cwd=empty,
                         capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"})
    assert run.returncode == 0, run.stderr
    assert "answer=42" in run.stdout
    assert list(empty.iterdir()) == []  # it writes into a temporary folder, not the reader's


def test_a_module_that_uses_docexec_gets_a_stand_in(project):
    write(project / "snippets" / "uses_engine.py", """
        from docexec import Markdown

        def table():
            return Markdown("| a |\\n|---|\\n| 1 |")
    """)
    engine = make_engine(project)
    text = "# t\n\n```exec\nsnippets.uses_engine:table\n```\n"
    engine.run([r.ref for r in scan_text(text, "docs/page.md") if r.ref])
    nb = page_notebook(text, {"title": "t"}, engine, "docs/page.md")
    assert "'docexec/__init__.py':" in nb.cells[1].source
    assert "class Markdown(str)" in nb.cells[1].source


def test_a_fence_shown_as_code_is_prose_not_a_call(project):
    text = ("# t\n\n<!--\n```exec\nsnippets.demo:answer\n```\n-->\n\n"
            "    ```exec\n    snippets.demo:boom\n    ```\n")
    nb = page_notebook(text, {"title": "t"}, make_engine(project), "docs/page.md")
    calls = [c.source for c in nb.cells if c.cell_type == "code" and c.id != "setup"]
    assert calls == []  # both fences stay in the prose, as the page shows them
