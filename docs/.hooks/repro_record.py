"""A collapsed 复现信息 block at the end of each post (``docexec.record``): the commit, Python
and library versions, torch's CPU kernel and each block's cache key. Deterministic: nothing
from the clock."""

from __future__ import annotations

import docexec.build_state as dx
from docexec.record import post_record, record_html


def on_page_content(html, page, config, files):
    if not page.file.src_uri.startswith("blog/posts/") or page.file.abs_src_path is None:
        return html
    engine = dx.engine()
    if engine.settings.disabled:
        return html
    return html + "\n" + record_html(post_record(page.file.abs_src_path, page.meta, engine))
