"""Every post's generated notebook: valid, linked from the post, and runs top to bottom."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from site_build import REPO, posts

pytestmark = pytest.mark.site


@pytest.mark.parametrize("post", posts(), ids=lambda p: p.url)
def test_notebook_is_linked_valid_and_runs(built_site, post):
    name = f"{post.meta['slug']}.ipynb"
    page = (built_site / post.url / "index.html").read_text(encoding="utf-8")
    assert f'href="{name}" download>下载 Notebook</a>' in page
    nb = nbformat.read(built_site / post.url / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    source = post.source.read_text(encoding="utf-8")
    # one code cell per executed block and per included snippet block, plus the set-up cell
    assert len(code) == 1 + source.count("```exec") + source.count('```python title="snippets/')
    assert any(c.outputs for c in code), "the cached outputs are in the notebook"
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
