"""Which page the Markdown being rendered comes from, for error messages at page:line.

A Python-Markdown extension is not told its page: docexec's build state is (the MkDocs hook,
or docexec's Zensical adapter, names each page before it renders). Lines a preprocessor sees
start after the front matter MkDocs strips; ``current_page`` gives that offset.
"""

from __future__ import annotations

import re

_FRONT_MATTER_RE = re.compile(r"^-{3}[ \t]*\n.*?\n(?:\.{3}|-{3})[ \t]*\n", re.S)


def current_page() -> tuple[str, int]:
    """(page path, number of front-matter lines before the Markdown body)."""
    try:
        from docexec.build_state import STATE
    except ImportError:  # rendering without docexec
        return "<string>", 0
    page = STATE.page
    offset = 0
    if page.src_path is not None and page.src_path.is_file():
        m = _FRONT_MATTER_RE.match(page.src_path.read_text(encoding="utf-8-sig"))
        offset = m.group(0).count("\n") if m else 0
    return page.src, offset


def is_excerpt(md) -> bool:
    """Whether ``md`` renders a blog excerpt (Material's blog plugin renders every post again
    for its index, archive and category pages): its errors were reported with the post."""
    return "excerpt" in md.treeprocessors
