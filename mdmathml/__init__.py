"""Math rendered once, at build time, as MathML Core: a Python-Markdown extension that runs Temml in embedded V8.

``pymdownx.arithmatex`` (generic mode) finds the math and wraps it as
``<span class="arithmatex">\\(...\\)</span>`` / ``<div class="arithmatex">\\[...\\]</div>``;
this extension's postprocessor replaces each with Temml's MathML (``<math>``), which browsers
lay out natively with the OpenType math font the site serves (``docs/assets/math/temml.css``,
Latin Modern Math cut by each build to what its formulas draw: ``mdmathml/font.py``). No JavaScript and no CDN in pages; feed readers get the same MathML.
A formula Temml cannot parse is reported through the ``mkdocs`` logger (so ``--strict`` fails)
and left as code. The vendored files are refreshed by ``python -m mdmathml.vendor``.
"""

from __future__ import annotations

import atexit
import html
import logging
import re
import threading
from pathlib import Path

from markdown import Extension
from markdown.postprocessors import Postprocessor

log = logging.getLogger("mkdocs.mdmathml")
TEMML_JS = Path(__file__).resolve().parent / "temml.min.js"
ERROR_CLASS = "math-error"  # a formula that did not parse, shown as code
BLOCK_CLASS = "math-block"  # the block around display math (it scrolls on a phone)

_RENDER_JS = """
function mdmathmlRender(tex, display, macros) {
  try {
    return {mathml: temml.renderToString(tex, {
      displayMode: display, throwOnError: true, strict: false, trust: false,
      macros: macros})};
  } catch (e) {
    return {error: String(e.message || e)};
  }
}
"""

_INLINE_RE = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>', re.S)
_BLOCK_RE = re.compile(r'<div class="arithmatex">\s*\\\[(.*?)\\\]\s*</div>', re.S)


class MathError(ValueError):
    pass


class _Temml:
    """One V8 context with Temml loaded, shared by every page (V8 is not thread-safe: a lock)."""

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
                ctx.eval(TEMML_JS.read_text(encoding="utf-8"))
                ctx.eval(_RENDER_JS)
                self._ctx = ctx
                atexit.register(self.close)
            # Temml adds to the macros object it is given (\gdef): give it a copy
            out = self._ctx.call("mdmathmlRender", tex, display, dict(macros))
        if "error" in out:
            raise MathError(out["error"].strip())
        self._memo[key] = out["mathml"]
        return out["mathml"]


    def close(self) -> None:
        # an open V8 context left to interpreter shutdown sometimes hangs the exit
        with self._lock:
            if self._ctx is not None:
                self._ctx.close()
                self._ctx = None


TEMML = _Temml()


def render(tex: str, display: bool = False, macros: dict | None = None) -> str:
    """MathML for one formula; MathError when it does not parse."""
    return TEMML.render(tex, display, macros or {})


class MathMLPostprocessor(Postprocessor):
    def __init__(self, md, macros):
        super().__init__(md)
        self.macros = macros

    def _sub(self, match: re.Match, display: bool) -> str:
        tex = html.unescape(match.group(1)).strip()
        try:
            out = render(tex, display, self.macros)
        except MathError as exc:
            log.error("mdmathml: cannot render %s: %s", tex, exc)
            return f'<code class="{ERROR_CLASS}">{html.escape(tex)}</code>'
        # formulas are left out of the search index: their text is glyph soup
        if display:
            return f'<div class="{BLOCK_CLASS}" data-search-exclude>{out}</div>'
        return out.replace("<math", "<math data-search-exclude", 1)

    def run(self, text: str) -> str:
        if "arithmatex" not in text:
            return text
        text = _BLOCK_RE.sub(lambda m: self._sub(m, True), text)
        return _INLINE_RE.sub(lambda m: self._sub(m, False), text)


class MathMLExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {"macros": [{}, "TeX macros, e.g. {'\\\\RR': '\\\\mathbb{R}'}"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        # after raw HTML is restored (30), so math inside stashed blocks is found too
        md.postprocessors.register(MathMLPostprocessor(md, dict(self.getConfig("macros"))),
                                   "mdmathml", 5)


def makeExtension(**kwargs):
    return MathMLExtension(**kwargs)
