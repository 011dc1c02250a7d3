"""Math rendered at build time: a Python-Markdown extension that runs KaTeX in embedded V8.

``pymdownx.arithmatex`` (generic mode) finds the math and wraps it as
``<span class="arithmatex">\\(...\\)</span>`` / ``<div class="arithmatex">\\[...\\]</div>``;
this extension's postprocessor replaces each with KaTeX's HTML+MathML output.
Readers then need only ``katex.min.css`` and its fonts (served by the site), no
JavaScript and no CDN; feed readers get MathML. A formula KaTeX cannot parse is
reported through the ``mkdocs`` logger (so ``--strict`` fails) and left as code.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from pathlib import Path

from markdown import Extension
from markdown.postprocessors import Postprocessor

log = logging.getLogger("mkdocs.mdkatex")
KATEX_JS = Path(__file__).resolve().parent / "katex.min.js"

_RENDER_JS = """
function mdkatexRender(tex, display, macros) {
  try {
    return {html: katex.renderToString(tex, {
      displayMode: display, output: "htmlAndMathml", throwOnError: true,
      strict: "ignore", macros: macros})};
  } catch (e) {
    return {error: String(e.message || e)};
  }
}
"""

_INLINE_RE = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>', re.S)
_BLOCK_RE = re.compile(r'<div class="arithmatex">\s*\\\[(.*?)\\\]\s*</div>', re.S)


class KatexError(ValueError):
    pass


class _Katex:
    """One V8 context with KaTeX loaded, shared by every page (V8 is not thread-safe: a lock)."""

    def __init__(self):
        self._ctx = None
        self._lock = threading.Lock()
        self._memo: dict[tuple, str] = {}

    def render(self, tex: str, display: bool, macros: dict) -> str:
        key = (tex, display, tuple(sorted(macros.items())))
        if key in self._memo:
            return self._memo[key]
        with self._lock:
            if self._ctx is None:
                from py_mini_racer import MiniRacer

                ctx = MiniRacer()
                ctx.eval(KATEX_JS.read_text(encoding="utf-8"))
                ctx.eval(_RENDER_JS)
                self._ctx = ctx
            out = self._ctx.call("mdkatexRender", tex, display, macros)
        if "error" in out:
            raise KatexError(out["error"])
        self._memo[key] = out["html"]
        return out["html"]


KATEX = _Katex()


def render(tex: str, display: bool = False, macros: dict | None = None) -> str:
    """KaTeX HTML for one formula; KatexError when it does not parse."""
    return KATEX.render(tex, display, macros or {})


class KatexPostprocessor(Postprocessor):
    def __init__(self, md, macros):
        super().__init__(md)
        self.macros = macros

    def _sub(self, match: re.Match, display: bool) -> str:
        tex = html.unescape(match.group(1)).strip()
        try:
            out = render(tex, display, self.macros)
        except KatexError as exc:
            log.error("mdkatex: cannot render %s: %s", tex, exc)
            return f'<code class="katex-error">{html.escape(tex)}</code>'
        # formulas are left out of the search index: their text is TeX and glyph soup
        if display:
            return f'<div class="katex-block" data-search-exclude>{out}</div>'
        return out.replace('<span class="katex">', '<span class="katex" data-search-exclude>', 1)

    def run(self, text: str) -> str:
        if "arithmatex" not in text:
            return text
        text = _BLOCK_RE.sub(lambda m: self._sub(m, True), text)
        return _INLINE_RE.sub(lambda m: self._sub(m, False), text)


class KatexExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {"macros": [{}, "KaTeX macros, e.g. {'\\\\RR': '\\\\mathbb{R}'}"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        # after raw HTML is restored (30), so math inside stashed blocks is found too
        md.postprocessors.register(KatexPostprocessor(md, dict(self.getConfig("macros"))),
                                   "mdkatex", 5)


def makeExtension(**kwargs):
    return KatexExtension(**kwargs)
