"""Posts authored as notebooks (jupytext Markdown, ``jupyter:`` in the front matter): the
page is the executed notebook, each code cell followed by its outputs (``docexec.notebook_post``).

Runs before the blog plugin renders excerpts, so the index shows the lead like any post's.
A failing cell is an error at its page:line: ``mkdocs build --strict`` stops, ``serve`` shows
the error box above the unexecuted cells and keeps serving.
"""

from __future__ import annotations

import logging
from pathlib import Path

import docexec.build_state as dx
from docexec.notebook_post import CellFailure, executed, is_notebook_post, post_markdown
from docexec.page_html import error_html

log = logging.getLogger("mkdocs.docexec")


def on_page_markdown(markdown, page, config, files):
    if page.file.abs_src_path is None or not is_notebook_post(page.meta):
        return markdown
    settings = dx.engine().settings
    src = Path(page.file.abs_src_path)
    where = src.resolve().relative_to(settings.root).as_posix()
    nb = executed(src, where, settings)
    if isinstance(nb, CellFailure):
        log.error(nb.report())
        box = error_html(f"Notebook（{nb.where}）", nb.error + "\n\n" + nb.traceback)
        return box + "\n\n" + markdown
    return post_markdown(nb)
