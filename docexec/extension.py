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
from markdown.preprocessors import Preprocessor

from .build_state import STATE, configure, engine, page_context
from .page_html import check_label, log, relative_prefix, render_entry, render_pending, report
from .params import expand, render_grid
from .refs import FENCE_LANG, TARGET_RE, Ref, ReferenceError_, parse_options, parse_target
from .runner import Failure, Pending
from .settings import CONFIG_HELP, Settings
from .zensical import adopt_page, publish_figures


def validator(language, inputs, options, attrs, md) -> bool:
    """Accept every option; the formatter reports unknown ones (rejecting would fall back silently)."""
    options.update(inputs)
    return True


def rendering_page(md):
    """The page ``md`` is rendering: a blog excerpt knows its post; under Zensical, which runs
    no hooks, the page is adopted from Zensical's context; else the page the hook named."""
    adopt_page(md)
    return getattr(md, "docexec_page", None) or STATE.page


def formatter(src, language, class_name, options, md, **kwargs) -> str:
    """Render the result of the function named in ``src``. Never raises."""
    zensical_prefix = adopt_page(md)  # None unless Zensical renders this page
    page = rendering_page(md)
    options = options or {}
    try:
        target = parse_target(src)
        opts = parse_options(" ".join(f'{k}="{v}"' for k, v in options.items()))
    except ReferenceError_ as exc:
        named = src.strip().splitlines()[0] if src.strip() else "<empty>"
        line, inert = page.next_fence(None)
        if not line and TARGET_RE.match(named):  # the scan found the fence well-formed
            line, inert = page.next_fence(named)
        if inert:
            return shown_as_code(src)
        ref = Ref(named, page.src, line)
        return report(ref, Failure(ref, f"ReferenceError: {exc}"), quiet=page.quiet)
    line, inert = page.next_fence(target)
    if inert:  # in an HTML comment or an indented code block: the page shows it as code
        return shown_as_code(src)
    ref = Ref(target, page.src, line, opts)
    if not page.quiet:
        STATE.rendered += 1
    eng = engine()
    if eng.settings.disabled:
        return (f'<div class="docexec docexec-disabled" data-ref="{html.escape(target)}">'
                f"<p>（未执行：{html.escape(target)}）</p></div>")
    try:
        prefix = relative_prefix(page.url) if zensical_prefix is None else zensical_prefix
        combos = expand(ref)  # a params= block: one combination each; otherwise [ref]
        results = eng.run(combos, STATE.on_ready)

        def render(combo):
            result = results[combo]
            if isinstance(result, Pending):
                return render_pending(result, combo, prefix)
            if isinstance(result, Failure):
                return report(combo, result, quiet=page.quiet)
            for warning in [] if page.quiet else result.get("warnings", []):
                log.warning("docexec: %s: %s warned: %s", combo.where, combo.call, warning)
            if zensical_prefix is not None:
                publish_figures(md, result["outputs"])
            return render_entry(result, combo, prefix)

        shown = [render(combo) for combo in combos]
        out = render_grid(ref, shown) if ref.option("params") else shown[0]
        entry = next((r for r in results.values() if isinstance(r, dict)), None)
        if entry is not None:  # mdscholar.crossref numbers the block: its kind must fit the label
            check_label(entry, ref)
        return out
    except Exception as exc:  # a broken cache entry, a bad option: still report, never raise
        return report(ref, Failure(ref, f"{type(exc).__name__}: {exc}"), quiet=page.quiet)


def shown_as_code(src: str) -> str:
    """An exec fence that the page shows as text (never executed)."""
    fence = "```" + FENCE_LANG + "\n" + src.strip() + "\n```"
    return f"<pre><code>{html.escape(fence)}</code></pre>"


class _PagePreprocessor(Preprocessor):
    """Before each conversion, whether this Markdown instance renders a blog excerpt: Material's
    blog plugin renders every post again (its own parser, no page hooks) for the index,
    archive and category pages. An excerpt's fences get their post's lines, its figure links
    are relative to the view's URL, and its failures are not reported a second time."""

    def run(self, lines):
        self.md.docexec_page = _excerpt_page(self.md)
        return lines


def _excerpt_page(md):
    if "excerpt" not in md.treeprocessors:
        return None
    processor = md.treeprocessors["excerpt"]
    post, view = getattr(processor, "page", None), getattr(processor, "base", None)
    src = getattr(getattr(post, "file", None), "abs_src_path", None)
    if src is None or view is None:
        return None
    return page_context(src, view.url, quiet=True)


def exec_fence() -> dict:
    """The ``pymdownx.superfences`` custom fence, declared once: ``mkdocs.yml`` lists it as
    ``- !!python/object/apply:docexec.extension.exec_fence []``."""
    from .refs import FENCE_LANG

    return {"name": FENCE_LANG, "class": FENCE_LANG, "validator": validator, "format": formatter}


class DocexecExtension(Extension):
    def __init__(self, **kwargs):
        # "" is "not set": the defaults live in Settings alone
        self.config = {key: ["", text] for key, text in CONFIG_HELP.items()}
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        configure(Settings.resolve(config=self.getConfigs()))
        md.preprocessors.register(_PagePreprocessor(md), "docexec_page", 40)


def makeExtension(**kwargs):
    return DocexecExtension(**kwargs)
