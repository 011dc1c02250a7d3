"""A result as HTML in a page: outputs, figure links relative to the page, error boxes."""

from __future__ import annotations

import html
import logging
import posixpath
from dataclasses import dataclass

from .build_state import STATE
from .outputs import KINDS, figure_files
from .refs import Ref, ReferenceError_
from .runner import Failure, Pending

log = logging.getLogger("mkdocs.docexec")


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


def check_label(entry: dict, ref: Ref) -> None:
    """A ``fig-`` label numbers a figure, a ``tbl-`` label a table (mdscholar.crossref wraps
    the block in its numbered ``<figure>``); a ReferenceError_ when the result has none."""
    label = ref.option("label")
    if not label:
        return
    want = "figure" if label.startswith("fig-") else "table"
    if not any(o["kind"] == want for o in entry["outputs"]):
        raise ReferenceError_(f'label="{label}" numbers a {want}, but {ref.target} returns no {want}')


def require_alt_text(entry: dict, ref: Ref) -> str | None:
    """The block's alt text; a ReferenceError_ when the result has a figure and no alt text."""
    alt = ref.option("alt")
    if not alt and any(o["kind"] == "figure" for o in entry["outputs"]):
        raise ReferenceError_(f"{ref.target} returns a figure: give the block its alt text, "
                              'e.g. ```exec alt="what the figure shows"')
    return alt


def error_html(title: str, detail: str) -> str:
    body = (f"<pre><code>{html.escape(detail)}</code></pre>" if STATE.show_tracebacks and detail
            else "<p>详情见构建日志。</p>")
    return (f'<div class="admonition failure docexec-error"><p class="admonition-title">'
            f"执行失败：{html.escape(title)}</p>{body}</div>")


def report(ref: Ref, failure: Failure, quiet: bool = False) -> str:
    """The error box; the failure is logged unless ``quiet`` (a repeat rendering of a page,
    such as a blog excerpt, whose failures were reported with the page)."""
    if not quiet:
        STATE.failures.append(failure)
        log.error(failure.report())
    return error_html(f"{ref.call}（{ref.where}）",
                       failure.error + ("\n\n" + failure.traceback if failure.traceback else ""))


def render_pending(pending: Pending, ref: Ref, prefix: str) -> str:
    """While serving: the block's previous result (or its previous error box, not logged
    again) under a notice; the server builds again when the new result is ready."""
    previous = pending.previous
    if isinstance(previous, Failure):
        shown = report(ref, previous.for_ref(ref), quiet=True)
        note = "下面是上一次的错误"
    elif previous is not None:
        shown = render_entry(previous, ref, prefix)
        note = "下面是上一次的结果"
    else:
        shown, note = "", "还没有结果"
    verb = "正在计算" if previous is None else "正在重新计算"
    return (f'<div class="admonition info docexec-pending" role="status"><p>{verb} '
            f"<code>{html.escape(ref.call)}</code>（{html.escape(ref.where)}）；{note}，"
            "算完后页面会自动刷新。</p></div>\n" + shown)
