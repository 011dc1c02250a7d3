"""The Python-Markdown side: a ``pymdownx.superfences`` custom fence that renders results.

Configure it in ``mkdocs.yml`` (or any Python-Markdown user)::

    markdown_extensions:
      - docexec:
          timeout: 120
      - pymdownx.superfences:
          custom_fences:
            - !!python/object/apply:docexec.extension.exec_fence []

A formatter does not know which page it is rendering: whoever drives the build
calls ``build_state.set_page`` first (the MkDocs hook does), so that errors name
the page and line, and figure links are relative to the page. Under Zensical,
which runs no hooks, the formatter learns the page itself (``zensical``).
"""

from __future__ import annotations

import html

from markdown import Extension

from .build_state import STATE, configure, engine
from .page_html import log, relative_prefix, render_entry, report
from .refs import Ref, ReferenceError_, parse_options, parse_target
from .runner import Failure
from .settings import Settings
from .zensical import adopt_page, publish_figures


def validator(language, inputs, options, attrs, md) -> bool:
    """Accept every option; the formatter reports unknown ones (rejecting would fall back silently)."""
    options.update(inputs)
    return True


def formatter(src, language, class_name, options, md, **kwargs) -> str:
    """Render the result of the function named in ``src``. Never raises."""
    zensical_prefix = adopt_page(md)  # None unless Zensical renders this page
    page = STATE.page
    options = options or {}
    try:
        target = parse_target(src)
        opts = parse_options(" ".join(f'{k}="{v}"' for k, v in options.items()))
    except ReferenceError_ as exc:
        ref = Ref(src.strip().splitlines()[0] if src.strip() else "<empty>", page.src,
                  page.next_line(None))
        return report(ref, Failure(ref, f"ReferenceError: {exc}"))
    ref = Ref(target, page.src, page.next_line(target), opts)
    STATE.rendered += 1
    eng = engine()
    if eng.settings.disabled:
        return (f'<div class="docexec docexec-disabled" data-ref="{html.escape(target)}">'
                f"<p>（未执行：{html.escape(target)}）</p></div>")
    try:
        result = eng.result(ref)
        if isinstance(result, Failure):
            return report(ref, result)
        for warning in result.get("warnings", []):
            log.warning("docexec: %s: %s warned: %s", ref.where, ref.target, warning)
        prefix = relative_prefix(page.url) if zensical_prefix is None else zensical_prefix
        out = render_entry(result, ref, prefix)
        if zensical_prefix is not None:
            publish_figures(md, result["outputs"])
        return out
    except Exception as exc:  # a broken cache entry, a bad option: still report, never raise
        return report(ref, Failure(ref, f"{type(exc).__name__}: {exc}"))


def exec_fence() -> dict:
    """The ``pymdownx.superfences`` custom fence, declared once: ``mkdocs.yml`` lists it as
    ``- !!python/object/apply:docexec.extension.exec_fence []``."""
    from .refs import FENCE_LANG

    return {"name": FENCE_LANG, "class": FENCE_LANG, "validator": validator, "format": formatter}


class DocexecExtension(Extension):
    def __init__(self, **kwargs):
        # "" is "not set": the defaults live in Settings alone
        self.config = {
            "timeout": ["", "seconds one call may take"],
            "jobs": ["", "parallel workers (0: one per core)"],
            "cache_dir": ["", "result cache (.cache/docexec under the root)"],
            "root": ["", "project root (the current directory)"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        configure(Settings.resolve(config=self.getConfigs()))


def makeExtension(**kwargs):
    return DocexecExtension(**kwargs)
