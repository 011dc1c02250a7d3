"""Which page the Markdown being rendered comes from, for error messages at page:line.

A Python-Markdown extension is not told its page: docexec knows it (the MkDocs hook names each
page before it renders; under Zensical docexec adopts it from Zensical's context). Lines a
preprocessor sees start after the front matter MkDocs strips; ``current_page`` gives that offset.
"""

from __future__ import annotations

import re
from pathlib import Path

_FRONT_MATTER_RE = re.compile(r"^-{3}[ \t]*\n.*?\n(?:\.{3}|-{3})[ \t]*\n", re.S)


def current_page(md) -> tuple[str, Path | None, int]:
    """(page path shown in errors, its Markdown file, lines of front matter before the body)."""
    try:
        from docexec.extension import rendering_page
    except ImportError:  # rendering without docexec
        return "<string>", None, 0
    page = rendering_page(md)
    if page.src_path is None or not Path(page.src_path).is_file():
        return page.src, None, 0
    m = _FRONT_MATTER_RE.match(Path(page.src_path).read_text(encoding="utf-8-sig"))
    return page.src, Path(page.src_path), m.group(0).count("\n") if m else 0


def is_excerpt(md) -> bool:
    """Whether ``md`` renders a blog excerpt (Material's blog plugin renders every post again
    for its index, archive and category pages): its errors were reported with the post."""
    return "excerpt" in md.treeprocessors
