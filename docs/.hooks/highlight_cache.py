"""Highlighted code kept by content: Pygments is the largest share of a rebuild, and most code
does not change from one build to the next.

pymdownx.highlight calls ``pygments.highlight(src, lexer, formatter)``; this hook puts a cache
in front of that one call. The key is the source, the lexer's and the formatter's classes and
options, and the Pygments and pymdown-extensions versions. The call is a pure function of
that key, so the cache cannot return stale HTML. Kept in memory (``mkdocs serve`` rebuilds,
the blog index re-rendering excerpts) and in ``.cache/highlight`` (the next build).
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

import pygments
import pymdownx.highlight

from docexec.cache import TextStore

_highlight = pygments.highlight
_VERSIONS = (pygments.__version__, metadata.version("pymdown-extensions"))
_store = TextStore()  # its folder is set per build (on_config)


def _key(src: str, lexer, formatter) -> str:
    parts = (_VERSIONS, type(lexer).__module__, type(lexer).__qualname__,
             sorted(lexer.options.items()), [type(f).__qualname__ for f in lexer.filters],
             type(formatter).__module__, type(formatter).__qualname__,
             sorted(formatter.options.items()), getattr(formatter, "pymdownx_inline", None), src)
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def cached_highlight(src, lexer, formatter, outfile=None):
    if outfile is not None or lexer.filters:  # (pymdownx passes neither)
        return _highlight(src, lexer, formatter, outfile)
    key = _key(src, lexer, formatter)
    html = _store.get(key)
    if html is None:
        html = _highlight(src, lexer, formatter)
        _store.put(key, html)
    return html


def on_config(config):
    _store.folder = Path(config.config_file_path).resolve().parent / ".cache" / "highlight"
    pymdownx.highlight.highlight = cached_highlight
    return config
