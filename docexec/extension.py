"""The Python-Markdown side: a ``pymdownx.superfences`` custom fence that renders results.

Configure it in ``mkdocs.yml`` (or any Python-Markdown user)::

    markdown_extensions:
      - docexec:
          timeout: 120
      - pymdownx.superfences:
          custom_fences:
            - !!python/object/apply:docexec.extension.exec_fence []

A formatter does not know which page it is rendering: whoever drives the build
calls ``set_page`` first (the MkDocs hook does), so that errors name the page
and line, and figure links are relative to the page.
"""

from __future__ import annotations

import html
import logging
import posixpath
import threading
from dataclasses import dataclass, field
from pathlib import Path

from markdown import Extension

from .outputs import KINDS, figure_files
from .refs import Ref, ReferenceError_, parse_options, parse_target, scan_file
from .runner import Engine, Failure
from .settings import Settings

log = logging.getLogger("mkdocs.docexec")


@dataclass
class PageContext:
    src: str = "<string>"  # page path shown in errors
    url: str = ""  # page URL relative to the site root ("" for the home page)
    lines: dict[str, list[int]] = field(default_factory=dict)  # target -> fence lines
    malformed: list[int] = field(default_factory=list)  # lines of fences naming no function

    def next_line(self, target: str | None) -> int:
        """The line of the next fence (in page order) naming ``target``, or a malformed one."""
        lines = self.malformed if target is None else self.lines.get(target)
        return lines.pop(0) if lines else 0


@dataclass
class BuildState:
    engine: Engine | None = None
    page: PageContext = field(default_factory=PageContext)
    show_tracebacks: bool = True  # in the page: yes while serving, never in a published build
    figures_used: set[str] = field(default_factory=set)
    failures: list[Failure] = field(default_factory=list)  # this build's, for its summary
    rendered: int = 0  # references rendered in this build
    timings_seen: int = 0  # engine.timings before this build
    lock: threading.Lock = field(default_factory=threading.Lock)


STATE = BuildState()


def configure(settings: Settings) -> Engine:
    """Use ``settings`` from now on (keeps the engine, and its memory, when they are equal)."""
    if STATE.engine is None or STATE.engine.settings != settings:
        STATE.engine = Engine(settings)
    return STATE.engine


def engine() -> Engine:
    if STATE.engine is None:
        configure(Settings.resolve())
    return STATE.engine


def set_page(src_path: Path | str | None, url: str = "", root: Path | None = None) -> None:
    """Tell the formatter which page comes next (``src_path`` is the Markdown file)."""
    if src_path is None:
        STATE.page = PageContext()
        return
    root = root or engine().settings.root
    path = Path(src_path)
    lines: dict[str, list[int]] = {}
    malformed: list[int] = []
    page = path.as_posix()
    if path.is_file():
        for scanned in scan_file(path, root):
            page = scanned.page
            if scanned.ref is not None:
                lines.setdefault(scanned.ref.target, []).append(scanned.line)
            else:
                malformed.append(scanned.line)
        try:
            page = path.resolve().relative_to(root).as_posix()
        except ValueError:
            pass
    STATE.page = PageContext(page, url, lines, malformed)


def begin_build(show_tracebacks: bool) -> None:
    STATE.figures_used.clear()
    STATE.failures.clear()
    STATE.rendered = 0
    STATE.timings_seen = len(engine().timings)
    STATE.show_tracebacks = show_tracebacks
    engine().forget_failures()


def build_summary(slowest: int = 3) -> str:
    """One line for the end of a build: what ran, how long, the slowest calls, what failed."""
    ran = engine().timings[STATE.timings_seen:]
    total = sum(seconds for _, seconds in ran)
    text = (f"docexec: {STATE.rendered} references rendered, {len(ran)} executed "
            f"({total:.1f} s of calls)")
    if ran:
        top = sorted(ran, key=lambda ts: -ts[1])[:slowest]
        text += "; slowest: " + ", ".join(f"{t} {s:.1f} s" for t, s in top)
    if STATE.failures:
        text += f"; {len(STATE.failures)} failed: " + ", ".join(
            f"{f.ref.where} {f.ref.target}" for f in STATE.failures)
    return text


# --- rendering ---------------------------------------------------------------------------------

def relative_prefix(page_url: str) -> str:
    """From a page URL ("blog/2026/x/") back to the site root ("../../../")."""
    directory = posixpath.dirname(page_url) if not page_url.endswith("/") else page_url.rstrip("/")
    depth = len([p for p in directory.split("/") if p])
    return "../" * depth


@dataclass(frozen=True)
class _HtmlContext:
    prefix: str  # from the page back to the site root
    alt: str | None  # the block's alt text


def render_entry(entry: dict, ref: Ref, prefix: str) -> str:
    alt = require_alt_text(entry, ref)
    used = figure_files(entry["outputs"])
    if used:
        with STATE.lock:
            STATE.figures_used.update(used)
    ctx = _HtmlContext(prefix, alt)
    parts = [KINDS[o["kind"]].html(o, ctx) for o in entry["outputs"]]
    # results are numbers and pictures: searching prose is what readers want
    return (f'<div class="docexec" data-ref="{html.escape(ref.target)}" data-search-exclude>\n'
            + "\n".join(parts) + "\n</div>")


def require_alt_text(entry: dict, ref: Ref) -> str | None:
    """The block's alt text; a ReferenceError_ when the result has a figure and no alt text."""
    alt = ref.option("alt")
    if not alt and any(o["kind"] == "figure" for o in entry["outputs"]):
        raise ReferenceError_(f"{ref.target} returns a figure: give the block its alt text, "
                              'e.g. ```exec alt="what the figure shows"')
    return alt


def _error_html(title: str, detail: str) -> str:
    body = (f"<pre><code>{html.escape(detail)}</code></pre>" if STATE.show_tracebacks and detail
            else "<p>详情见构建日志。</p>")
    return (f'<div class="admonition failure docexec-error"><p class="admonition-title">'
            f"执行失败：{html.escape(title)}</p>{body}</div>")


def _report(ref: Ref, failure: Failure) -> str:
    STATE.failures.append(failure)
    log.error(failure.report())
    return _error_html(f"{ref.target}（{ref.where}）",
                       failure.error + ("\n\n" + failure.traceback if failure.traceback else ""))


# --- superfences hooks -------------------------------------------------------------------------

def validator(language, inputs, options, attrs, md) -> bool:
    """Accept every option; the formatter reports unknown ones (rejecting would fall back silently)."""
    options.update(inputs)
    return True


def formatter(src, language, class_name, options, md, **kwargs) -> str:
    """Render the result of the function named in ``src``. Never raises."""
    page = STATE.page
    options = options or {}
    try:
        target = parse_target(src)
        opts = parse_options(" ".join(f'{k}="{v}"' for k, v in options.items()))
    except ReferenceError_ as exc:
        ref = Ref(src.strip().splitlines()[0] if src.strip() else "<empty>", page.src,
                  page.next_line(None))
        return _report(ref, Failure(ref, f"ReferenceError: {exc}"))
    ref = Ref(target, page.src, page.next_line(target), opts)
    STATE.rendered += 1
    eng = engine()
    if eng.settings.disabled:
        return (f'<div class="docexec docexec-disabled" data-ref="{html.escape(target)}">'
                f"<p>（未执行：{html.escape(target)}）</p></div>")
    try:
        result = eng.result(ref)
        if isinstance(result, Failure):
            return _report(ref, result)
        for warning in result.get("warnings", []):
            log.warning("docexec: %s: %s warned: %s", ref.where, ref.target, warning)
        return render_entry(result, ref, relative_prefix(page.url))
    except Exception as exc:  # a broken cache entry, a bad option: still report, never raise
        return _report(ref, Failure(ref, f"{type(exc).__name__}: {exc}"))


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
