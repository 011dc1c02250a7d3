"""Posts authored as notebooks (jupytext Markdown): executed once per code change, shown with
their outputs, failures at page:line, and a download that runs without the repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat
import pytest

import docexec.notebook_post as nbpost
from docexec.notebook_post import (CellFailure, download, executed, notebook_key, post_markdown,
                                   read_notebook)
from docexec.settings import Settings
from test_engine import project, write  # noqa: F401 - project is a fixture
from test_engine_mkdocs import ENV, MKDOCS
from test_engine_serve import BLOG

HEADER = """---
title: 一篇 Notebook
jupyter:
  jupytext:
    text_representation: {extension: .md, format_name: markdown}
  kernelspec: {display_name: Python 3, language: python, name: python3}
---
"""

BODY = """
# 一篇 Notebook

引言写在这里。

<!-- more -->

```python tags=["remove_cell"]
print("set-up the reader never sees")
```

## 计算

```python
from snippets import helper
x = helper.VALUE + 1
print("x is", x)
```

```python
import pandas as pd
pd.DataFrame({"列": [x, 2 * x]})
```
"""


@pytest.fixture(autouse=True)
def _fresh_memory():
    nbpost._memory.clear()
    yield
    nbpost._memory.clear()


def _settings(root: Path) -> Settings:
    return Settings(root=root, cache_dir=root / ".cache", timeout=120)


def _post(root: Path, body: str = BODY) -> Path:
    return write(root / "docs" / "post.md", HEADER + body)


def test_the_page_shows_prose_code_and_outputs_not_hidden_cells(project):
    nb = executed(_post(project), "docs/post.md", _settings(project))
    assert not isinstance(nb, CellFailure), nb
    page = post_markdown(nb)
    assert "# 一篇 Notebook" in page and "<!-- more -->" in page and "## 计算" in page
    assert "x = helper.VALUE + 1" in page and "x is 42" in page
    assert "set-up the reader never sees" not in page and "remove_cell" not in page
    assert "<table" in page and "84" in page and "dataframe" not in page  # the engine's tables
    assert "title: 一篇 Notebook" not in page  # the front matter is the page's, not a cell


def test_prose_edits_keep_the_key_code_and_module_edits_change_it(project):
    settings = _settings(project)
    key = notebook_key(read_notebook(_post(project)), settings)
    prose = notebook_key(read_notebook(_post(project, BODY.replace("引言", "新的引言"))), settings)
    code = notebook_key(read_notebook(_post(project, BODY.replace("+ 1", "+ 2"))), settings)
    assert prose == key and code != key
    _post(project)
    helper = project / "snippets" / "helper.py"
    helper.write_text(helper.read_text().replace("VALUE = 41", "VALUE = 40"))
    assert notebook_key(read_notebook(project / "docs" / "post.md"), settings) != key


def test_a_cached_notebook_is_reused_and_a_corrupt_one_recomputed(project):
    settings = _settings(project)
    path = _post(project)
    first = executed(path, "docs/post.md", settings)
    [stored] = (project / ".cache" / "notebooks").glob("*.ipynb")
    nbpost._memory.clear()
    again = executed(path, "docs/post.md", settings)
    assert nbformat.writes(again) == nbformat.writes(first)
    stored.write_text('{"cells": [', encoding="utf-8")  # truncated
    nbpost._memory.clear()
    fixed = executed(path, "docs/post.md", settings)
    assert "x is 42" in post_markdown(fixed)
    nbformat.validate(nbformat.reads(stored.read_text(encoding="utf-8"), as_version=4))


def _line_of(text: str, needle: str) -> int:
    """1-based line of the fence that opens the cell holding ``needle``."""
    lines = text.splitlines()
    hit = next(i for i, line in enumerate(lines) if needle in line)
    return next(i for i in range(hit, -1, -1) if lines[i].startswith("```python")) + 1


@pytest.mark.parametrize("code, error", [
    ("y = 1 / 0", "ZeroDivisionError"),
    ("import snippets.nowhere", "ModuleNotFoundError"),
    ("import warnings; warnings.warn('careful')", "stderr"),
])
def test_a_failing_cell_is_reported_at_its_line(project, code, error):
    body = BODY.replace("print(\"x is\", x)", f"print('x is', x)\n{code}")
    path = _post(project, body)
    failure = executed(path, "docs/post.md", _settings(project))
    assert isinstance(failure, CellFailure)
    assert error in failure.error or error in failure.traceback
    assert failure.where == f"docs/post.md:{_line_of(path.read_text(), code)}"
    assert not list((project / ".cache").glob("notebooks/*.ipynb"))  # failures are not stored


def test_the_download_carries_its_modules_and_drops_hidden_cells(project, tmp_path):
    settings = _settings(project)
    nb = download(executed(_post(project), "docs/post.md", settings), settings)
    assert [c.cell_type for c in nb.cells][:2] == ["code", "markdown"]
    assert "snippets/helper.py" in nb.cells[0].source and "VALUE = 41" in nb.cells[0].source
    assert not any("never sees" in c.source for c in nb.cells)
    assert [c.id for c in nb.cells] == [f"cell-{i}" for i in range(len(nb.cells))]
    assert any("x is 42" in o.get("text", "") for c in nb.cells if c.cell_type == "code"
               for o in c.outputs)  # the outputs travel with it
    from nbclient import NotebookClient
    reader = tmp_path / "reader"
    reader.mkdir()
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(reader)}}).execute()
    assert any("x is 42" in o.get("text", "") for c in nb.cells if c.cell_type == "code"
               for o in c.outputs)


# --- through MkDocs: the blog shows the post; a failing cell stops the strict build ------------

NB_BLOG = BLOG.replace(
    "hooks:\n", "hooks:\n  - " + str(Path(__file__).resolve().parents[1]
                                    / "docs/.hooks/notebook_posts.py") + "\n")


@pytest.fixture
def notebook_blog(project):
    write(project / "mkdocs.yml", NB_BLOG + "strict: true\n")
    write(project / "docs" / "index.md", "# 首页\n")
    write(project / "docs" / "blog" / "index.md", "# 博客\n")
    head = HEADER.replace("---\ntitle", "---\ndate: 2026-01-02\nslug: nb-post\ntitle")
    write(project / "docs" / "blog" / "posts" / "nb.md", head + BODY)
    return project


def test_the_blog_shows_a_notebook_post_and_its_excerpt(notebook_blog):
    out = notebook_blog / "out"
    run = subprocess.run([*MKDOCS, "build", "-d", str(out)], cwd=notebook_blog, env=ENV,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    post = (out / "blog/2026/01/02/nb-post/index.html").read_text(encoding="utf-8")
    assert "x is 42" in post and "never sees" not in post
    index = (out / "blog/index.html").read_text(encoding="utf-8")
    assert "引言写在这里" in index and "x is 42" not in index  # the excerpt is the lead


def test_a_failing_cell_stops_the_strict_build_at_its_line(notebook_blog):
    post = notebook_blog / "docs" / "blog" / "posts" / "nb.md"
    post.write_text(post.read_text().replace("x = helper.VALUE + 1", "x = helper.NOPE"))
    run = subprocess.run([*MKDOCS, "build", "-d", str(notebook_blog / "out")],
                         cwd=notebook_blog, env=ENV, capture_output=True, text=True, timeout=600)
    line = _line_of(post.read_text(), "helper.NOPE")
    assert run.returncode != 0
    assert f"docs/blog/posts/nb.md:{line}" in run.stderr and "AttributeError" in run.stderr


def test_the_download_numbers_citations_and_ends_with_their_list(project):
    write(project / "docs" / "references.bib", """
        @book{knuth1984, author = {Knuth, Donald E.}, title = {The TeXbook},
              publisher = {Addison-Wesley}, year = {1984}}
    """)
    body = BODY.replace("引言写在这里。", "引言写在这里[@knuth1984]。").replace(
        "## 计算", "## 计算\n\n再引一次[@knuth1984]。")
    settings = _settings(project)
    nb = download(executed(_post(project, body), "docs/post.md", settings), settings)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "[@knuth1984]" not in prose and prose.count("#ref-knuth1984") == 2
    assert nb.cells[-1].cell_type == "markdown" and "TeXbook" in nb.cells[-1].source
