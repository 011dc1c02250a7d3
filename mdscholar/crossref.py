"""Numbered figures, tables and equations, and references to them (Quarto's syntax).

- An exec block with ``label="fig-gates" caption="…"`` is figure N of its page (``tbl-…``: table
  N); docexec renders it as ``<figure id="fig-gates">`` with "图 N：…" (``docexec.page_html``).
- A display equation whose closing ``$$`` is followed by ``{#eq-scad}`` gets the number "(N)" at
  its right (``\\tag{N}``) and the id ``eq-scad``.
- In prose, ``@fig-gates``, ``@tbl-speed`` and ``@eq-scad`` become links reading "图 3", "表 2"
  and "式 (4)".

Numbers count in page order, per kind. An unknown or a duplicated label is an error at its
page:line (``mkdocs build --strict`` stops; ``serve`` shows the reference marked). The
preprocessor runs first (before pymdownx.snippets), so its lines are the file's lines after
the front matter.
"""

from __future__ import annotations

import html
import logging
import re

from markdown import Extension
from markdown.preprocessors import Preprocessor

from docexec.refs import iter_blocks, parse_options, ReferenceError_

from .pages import current_page, is_excerpt

log = logging.getLogger("mkdocs.mdscholar")

NAMES = {"fig": "图 {n}", "tbl": "表 {n}", "eq": "式 ({n})"}
_REF_RE = re.compile(r"(?<![\w@\[`/.-])@((?:fig|tbl|eq)-[A-Za-z0-9][\w-]*)")
_EQ_LABEL_RE = re.compile(r"^(?P<before>.*?)\$\$[ \t]*\{#(?P<label>eq-[A-Za-z0-9][\w-]*)\}[ \t]*$")
_CODE_SPAN_RE = re.compile(r"(`+).+?\1")


def _labels(lines: list[str]):
    """(label, kind, line index, fence or None) of every numbered element, in page order."""
    found = []
    for i, fence in iter_blocks(lines):
        if fence is None:
            m = _EQ_LABEL_RE.match(lines[i])
            if m:
                found.append((m["label"], "eq", i, None))
        elif fence.is_exec and not fence.inert:
            try:
                label = dict(parse_options(fence.info)).get("label")
            except ReferenceError_:
                continue  # docexec reports the malformed fence at its line
            if label:
                found.append((label, label[:3], i, fence))
    return found


def _wrap_block(out: list[str], fence, label: str, number: int) -> None:
    """An exec block inside ``<figure id=label>`` with its caption: "图 N：…" under a figure,
    "表 N：…" above a table. Raw HTML here (not in the fence's output) so that MkDocs sees
    the id when it checks the links to it."""
    try:
        caption = dict(parse_options(fence.info)).get("caption")
    except ReferenceError_:
        caption = None
    indent = out[fence.start][:len(out[fence.start]) - len(out[fence.start].lstrip())]
    text = NAMES[label[:3]].format(n=number) + (f"：{caption}" if caption else "")
    figcaption = f'{indent}<figcaption class="docexec-caption">{html.escape(text)}</figcaption>'
    opener = f'{indent}<figure class="docexec-numbered" id="{label}" markdown>\n\n'
    if label.startswith("tbl-"):
        opener += figcaption + "\n\n"
    out[fence.start] = opener + out[fence.start]
    end = min(fence.end, len(out) - 1)
    out[end] += "\n\n" + (figcaption + "\n" if label.startswith("fig-") else "") + f"{indent}</figure>"


class CrossrefPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        page, _, offset = current_page(self.md)
        quiet = is_excerpt(self.md)

        def error(i: int, message: str) -> None:
            if not quiet:
                log.error("mdscholar: %s:%d: %s", page, i + 1 + offset, message)

        numbers: dict[str, int] = {}
        counts = {"fig": 0, "tbl": 0, "eq": 0}
        out = list(lines)
        for label, kind, i, fence in _labels(lines):
            if label in numbers:
                error(i, f"the label {label} is defined twice on this page")
                continue
            counts[kind] += 1
            numbers[label] = counts[kind]
            if fence is not None:
                _wrap_block(out, fence, label, numbers[label])
        for i, fence in iter_blocks(lines):
            if fence is not None:
                continue
            out[i] = self._link(out[i], i, numbers, error, quiet)
            m = _EQ_LABEL_RE.match(out[i])
            if m and numbers.get(m["label"]):
                self._number_equation(out, i, m, numbers[m["label"]], error)
        return "\n".join(out).split("\n")

    @staticmethod
    def _number_equation(out: list[str], i: int, m, number: int, error) -> None:
        """``$$ … $$ {#eq-x}`` -> the same block with ``\\tag{N}``, in a div with the id."""
        label, before = m["label"], m["before"]
        tag = f" \\tag{{{number}}}"
        start = i if before.lstrip().startswith("$$") else next(
            (j for j in range(i - 1, -1, -1) if out[j].lstrip().startswith("$$")), None)
        if start is None:
            error(i, f"{{#{label}}} closes no display equation (no opening $$ above it)")
            return
        indent = out[start][:len(out[start]) - len(out[start].lstrip())]
        opener = f'{indent}<div class="equation" id="{label}" markdown>\n\n'
        closer = f"\n\n{indent}</div>"
        if start == i:  # $$ … $$ {#eq-x} on one line
            out[i] = opener + before + tag + " $$" + closer
        else:
            out[start] = opener + out[start]
            out[i] = before + tag + f"\n{indent}$$" + closer

    @staticmethod
    def _link(line: str, i: int, numbers: dict[str, int], error, quiet: bool) -> str:
        """Prose references as links (plain text in a blog excerpt: its page has no anchors)."""
        def replace(m):
            label = m[1]
            if label not in numbers:
                error(i, f"@{label} refers to no figure, table or equation on this page")
                return f'<span class="crossref-error">@{label}?</span>'
            text = NAMES[label.split("-", 1)[0]].format(n=numbers[label])
            return text if quiet else f"[{text}](#{label})"

        parts, pos = [], 0
        for code in _CODE_SPAN_RE.finditer(line):  # code spans are shown as written
            parts.append(_REF_RE.sub(replace, line[pos:code.start()]))
            parts.append(code[0])
            pos = code.end()
        parts.append(_REF_RE.sub(replace, line[pos:]))
        return "".join(parts)


class CrossrefExtension(Extension):
    def extendMarkdown(self, md):
        # before pymdownx.snippets (32) and everything else: lines are the file's lines
        md.preprocessors.register(CrossrefPreprocessor(md), "mdscholar_crossref", 40)


def makeExtension(**kwargs):
    return CrossrefExtension(**kwargs)
