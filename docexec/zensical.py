"""Zensical drives a build without MkDocs hooks: the fence finds its own page.

Zensical renders each page with Python-Markdown and puts its rendering context
(the page's source path and URL, the site configuration) in a preprocessor. When
no hook has named the page, the formatter asks that context, and then does what
the MkDocs hooks would:

- it runs the page's stale references in parallel the first time it sees the page;
- figure links are written relative to the page's *source* file, because Zensical
  rewrites relative links in the HTML from the source location to the output URL
  (``<img src>`` and ``<source srcset>`` alike);
- the figure files are copied into the site as they are rendered (there is no
  post-build hook to do it).
"""

from __future__ import annotations

from pathlib import Path

from .build_state import STATE, engine, set_page
from .outputs import FIGURE_DIR, figure_files
from .page_html import relative_prefix


def _context(md):
    """Zensical's rendering context of this Markdown instance, or None outside Zensical."""
    for processor in getattr(md, "preprocessors", []):
        if type(processor).__name__ == "ContextPreprocessor" and hasattr(processor, "page"):
            return processor
    return None


def adopt_page(md) -> str | None:
    """Under Zensical: name the page being rendered and return the figure link prefix."""
    context = _context(md)
    if context is None:
        return None
    page, config = context.page, context.config
    src = Path(config["docs_dir"]) / page.path
    if STATE.page.src_path != src:
        STATE.show_tracebacks = False  # a Zensical build publishes its pages
        eng = engine()
        set_page(src, page.url, eng.settings.root)
        if not eng.settings.disabled:
            eng.run(STATE.page.refs)
    return relative_prefix(page.path)


def publish_figures(md, outputs: list[dict]) -> None:
    """Copy the figures of ``outputs`` into Zensical's site folder."""
    context = _context(md)
    if context is None:
        return
    target = Path(context.config["site_dir"]) / FIGURE_DIR
    target.mkdir(parents=True, exist_ok=True)
    cache = engine().cache
    for name in sorted(figure_files(outputs)):
        if not (target / name).is_file():
            (target / name).write_bytes(cache.figure_bytes(name))
