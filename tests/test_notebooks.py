"""Every post's generated notebook: valid, linked from the post, and runs top to bottom in an
empty folder where the blog's repository cannot be imported (as a reader downloads it)."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from site_build import REPO, posts

pytestmark = pytest.mark.site


# run first, before the notebook's own cells: the repository (installed in editable mode for
# the tests) disappears, as it is absent from a reader's machine
HIDE_PROJECT = f"""
import importlib.util, os, sys
sys.meta_path[:] = [f for f in sys.meta_path if "executable_blog" not in repr(f)]
sys.path[:] = [p for p in sys.path if p and os.path.realpath(p) != {str(REPO.resolve())!r}]
for name in list(sys.modules):
    if name.split(".")[0] in ("snippets", "docexec"):
        del sys.modules[name]
assert importlib.util.find_spec("snippets") is None
assert importlib.util.find_spec("docexec") is None
"""


@pytest.mark.parametrize("post", posts(), ids=lambda p: p.url)
def test_notebook_is_linked_valid_and_runs(built_site, post, tmp_path):
    name = f"{post.meta['slug']}.ipynb"
    page = (built_site / post.url / "index.html").read_text(encoding="utf-8")
    assert f'href="{name}" download>下载 Notebook</a>' in page
    nb = nbformat.read(built_site / post.url / name, as_version=4)
    nbformat.validate(nb)
    record = nb.metadata["reproducibility"]  # the same record as the page's 复现信息
    assert record["blocks"] and record["python"] and record["commit"]
    assert all(b["key"] in page for b in record["blocks"])
    code = [c for c in nb.cells if c.cell_type == "code"]
    source = post.source.read_text(encoding="utf-8")
    if "jupyter" in post.meta:  # a post authored as a notebook: its own code cells, shown ones
        shown = [ln for ln in source.splitlines()
                 if ln.startswith("```python") and "remove_cell" not in ln]
        assert len(code) == 1 + len(shown)
    else:  # one code cell per executed block and per included snippet block
        assert len(code) == 1 + source.count("```exec") + source.count('```python title="snippets/')
    assert any(c.outputs for c in code), "the cached outputs are in the notebook"
    nb.cells.insert(0, nbformat.v4.new_code_cell(HIDE_PROJECT, id="hide-project"))
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
