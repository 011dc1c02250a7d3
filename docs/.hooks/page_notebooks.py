"""Each page with executed results also becomes a Jupyter notebook.

The notebook is assembled from the cache (nothing runs), written next to the
page and linked from it ("下载 Notebook"). A post authored as a notebook is offered as
itself, executed, with the modules it imports carried in its first cell.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

import nbformat

import docexec.build_state as dx
from docexec.deps import current_hash
from docexec.notebook import notebook_bytes, page_notebook
from docexec.notebook_post import CellFailure, download, executed, is_notebook_post
from docexec.reads import StepMemo, ready_keys, signature
from docexec.record import build_repo_state, cpu_model, installed_distributions, post_record
from docexec.refs import scan_file
from mdscholar.citations import default_bibliography

_notebooks: dict[str, bytes] = {}  # site-relative path -> notebook JSON
# a notebook is made again only when its inputs changed: in memory while serving, and in
# .cache/page-notebooks for the next build (set in on_config)
_memo = StepMemo()
# what a notebook depends on outside the project's files, which the memo checks again itself:
# the code that writes it, the installed libraries its record names, the CPU and torch kernel
_CODE = signature(sorted(current_hash(p) for p in
                         [Path(__file__), *Path(dx.__file__).parent.glob("*.py")]),
                  nbformat.__version__)


def on_config(config):
    _memo.folder = Path(config.config_file_path).resolve().parent / ".cache" / "page-notebooks"
    return config


def on_pre_build(config):
    _notebooks.clear()


def _notebook_name(page) -> str:
    return (page.meta.get("slug") or Path(page.file.src_uri).stem) + ".ipynb"


def on_page_markdown(markdown, page, config, files):
    engine = dx.engine()
    if page.file.abs_src_path is None or engine.settings.disabled:
        return markdown
    src = Path(page.file.abs_src_path)
    if is_notebook_post(page.meta):  # the failure, if any, is reported with the page
        nb = executed(src, src.resolve().relative_to(engine.settings.root).as_posix(),
                      engine.settings)
        if not isinstance(nb, CellFailure):
            _notebooks[page.url + _notebook_name(page)] = _with_record(
                download(nb, engine.settings), page, engine)
    elif page.file.src_uri.endswith(".md") and any(s.ref for s in scan_file(src, engine.settings.root)):
        def write():
            nb = page_notebook(markdown, page.meta, engine, dx.STATE.page.src)
            return _with_record(nb, page, engine)

        _notebooks[page.url + _notebook_name(page)] = _memo.run(
            page.file.src_uri, _signature(markdown, page, engine), write,
            engine.settings.root, [engine.settings.cache_dir])
    return markdown


def _signature(markdown, page, engine) -> str | None:
    """What a page's notebook is made from besides the files it opens: None (make it again)
    when a result is not ready."""
    keys = ready_keys(engine, dx.STATE.page.refs)
    if keys is None:
        return None
    bib = default_bibliography(engine.settings.root)  # read once per version: not seen opened
    parts = [_CODE, markdown, page.meta, page.url, dx.STATE.page.src, keys,
             build_repo_state(engine.settings.root), platform.python_version(), sys.path,
             installed_distributions(), os.environ.get("ATEN_CPU_CAPABILITY"), cpu_model(),
             current_hash(Path(bib)) if bib else None]
    return signature(*parts)


def _with_record(nb, page, engine) -> bytes:
    """The notebook, carrying the page's reproducibility record in its metadata."""
    nb.metadata["reproducibility"] = post_record(page.file.abs_src_path, page.meta, engine)
    return notebook_bytes(nb)


def on_page_content(html, page, config, files):
    if page.url + _notebook_name(page) in _notebooks:
        link = (f'<p class="docexec-notebook" data-search-exclude>'
                f'<a class="md-button" href="{_notebook_name(page)}" '
                f'download>下载 Notebook</a></p>')
        head, sep, rest = html.partition("</h1>")
        html = head + sep + link + rest if sep else link + html
    return html


def on_post_build(config):
    for rel, data in sorted(_notebooks.items()):
        out = Path(config.site_dir) / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
