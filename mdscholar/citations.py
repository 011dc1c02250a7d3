"""``[@key]`` citations, numbered in order of first use, and the page's 参考文献 list.

A Python-Markdown extension (MkDocs and Zensical run it alike)::

    markdown_extensions:
      - mdscholar.citations:
          bibliography: docs/references.bib   # relative to the working directory (the config's)
          title: 参考文献

In prose, ``[@fan2001]`` or ``[@fan2001; @zou2006]`` becomes ``[1]`` / ``[1, 2]`` (three or more
consecutive numbers as ``[1–3]``), each number a link to its entry; a page that cites ends with
an ``<h2 id="references">`` section listing its sources in order of first citation, formatted by
citeproc-py with the CSL style of GB/T 7714-2015 (numeric). Code spans, fenced code and math are
never touched (the inline pattern runs after theirs); ``[@fig-…]``-style keys belong to
``mdscholar.crossref``. An unknown key, or a bibliography that cannot be read, is an ERROR on the
``mkdocs.mdscholar`` logger naming the page and line (so ``mkdocs build --strict`` fails), and the
page shows ``[@key?]``. A blog excerpt (Material renders each post again for its index pages)
gets no list and reports nothing a second time.

``cite_markdown`` does the same for Markdown text (the notebooks made from pages).
"""

from __future__ import annotations

import functools
import html
import logging
import os
import re
import threading
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path

from markdown import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from .bib import BibError, Bibliography, load_bibliography, parse_bibtex  # noqa: F401
from .pages import current_page, is_excerpt

log = logging.getLogger("mkdocs.mdscholar")
DEFAULT_BIB = "docs/references.bib"
SECTION_ID = "references"
ERROR_CLASS = "citation-error"
CROSSREF_PREFIXES = ("fig-", "tbl-", "eq-", "sec-", "lst-")  # mdscholar.crossref's labels

_KEY = r"[A-Za-z0-9_](?:[\w:.#$%&+?<>~/-]*\w)?"
CITE_RE = re.compile(rf"\[(@{_KEY}(?:\s*;\s*@{_KEY})*)\](?![(\[:])")
_KEY_RE = re.compile(rf"@({_KEY})")


# ----------------------------------------------------------------------------- numbering


def cite_keys(group: str) -> list[str]:
    return _KEY_RE.findall(group)


def is_crossref(keys: list[str]) -> bool:
    return any(k.startswith(CROSSREF_PREFIXES) for k in keys)


def number_runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Sorted, distinct numbers as runs (first, last): [1, 2, 3, 5] -> [(1, 3), (5, 5)]."""
    runs: list[list[int]] = []
    for k in sorted(set(numbers)):
        if runs and k == runs[-1][1] + 1:
            runs[-1][1] = k
        else:
            runs.append([k, k])
    return [(a, b) for a, b in runs]


def _pieces(numbers: dict[str, int]) -> list[tuple[str, str]]:
    """(text, key to link) pieces of one citation: [1, 2] or [1–3] (a pair stays a pair)."""
    by_number = {n: k for k, n in numbers.items()}
    out: list[tuple[str, str]] = []
    for a, b in number_runs(list(numbers.values())):
        if out:
            out.append((", ", ""))
        if b - a >= 2:
            out += [(str(a), by_number[a]), ("\u2013", ""), (str(b), by_number[b])]
            continue
        for k in range(a, b + 1):
            if k > a:
                out.append((", ", ""))
            out.append((str(k), by_number[k]))
    return out


# Markdown text: where citations may be (not in code, math or fenced blocks)
_MATH_FENCE_RE = re.compile(r"^\s*\$\$")
_INLINE_SKIP_RE = re.compile(
    r"(`+).+?(?<!`)\1(?!`)|\$\$.+?\$\$|(?<![\\$])\$(?![\s$]).*?(?<![\s\\])\$|\\\(.+?\\\)")


def scan_citations(text: str) -> list[tuple[int, int, re.Match]]:
    """(line number, start offset in the text, match) of every ``[@…]`` outside code and math.
    Fenced blocks are found as docexec finds them (``iter_blocks``)."""
    from docexec.refs import iter_blocks

    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    out = []
    in_math = False
    for i, fence in iter_blocks([line.rstrip("\r\n") for line in lines]):
        if fence is not None:
            continue
        line = lines[i]
        if _MATH_FENCE_RE.match(line):
            if not (line.strip().endswith("$$") and len(line.strip()) > 2):
                in_math = not in_math
            continue
        if in_math:
            continue
        masked = _INLINE_SKIP_RE.sub(lambda s: " " * len(s.group(0)), line)
        for c in CITE_RE.finditer(masked):
            if not is_crossref(cite_keys(c.group(1))):
                out.append((i + 1, starts[i] + c.start(), CITE_RE.match(line, c.start())))
    return out


def cite_markdown(text: str, bib: Bibliography | str | os.PathLike | None,
                  title: str = "参考文献") -> tuple[str, str]:
    """``text`` with its ``[@key]`` citations as numbered links, and the Markdown of its
    reference list (``""`` when it cites nothing). Unknown keys stay visible as ``[@key?]``;
    nothing is logged (the page's build reports them)."""
    if bib is not None and not isinstance(bib, Bibliography):
        try:
            bib = load_bibliography(bib)
        except BibError:
            bib = None
    numbers: dict[str, int] = {}
    parts, last = [], 0
    for _, start, m in scan_citations(text):
        keys = cite_keys(m.group(1))
        known = {k: numbers.setdefault(k, len(numbers) + 1)
                 for k in keys if bib is not None and k in bib}
        pieces = [f"[{t}](#ref-{k})" if k else t for t, k in _pieces(known)]
        unknown = [f"@{k}?" for k in keys if bib is None or k not in bib]
        body = "".join(pieces) + (", " if pieces and unknown else "") + ", ".join(unknown)
        parts += [text[last:start], "\\[" + body + "\\]"]
        last = start + len(m.group(0))
    parts.append(text[last:])
    if not numbers:
        return "".join(parts), ""
    keys = list(numbers)
    lines = [f"## {title}", ""]
    for n, (key, entry) in enumerate(zip(keys, bib.format(keys)), 1):
        lines += [f'<a id="ref-{key}"></a>\\[{n}\\] {bib.entry_markdown(key, entry)}', ""]
    return "".join(parts), "\n".join(lines).rstrip("\n") + "\n"


# ----------------------------------------------------------------------------- extension


class _CitePattern(InlineProcessor):
    def handleMatch(self, m, data):
        keys = cite_keys(m.group(1))
        if is_crossref(keys):
            return None, None, None
        el = etree.Element("span", {"class": "citation", "data-cite": ";".join(keys)})
        el.text = AtomicString(m.group(0))
        return el, m.start(0), m.end(0)


class _CiteTreeprocessor(Treeprocessor):
    def __init__(self, md, ext):
        super().__init__(md)
        self.ext = ext

    def run(self, root):
        spans = [el for el in root.iter("span") if el.get("data-cite") is not None]
        if not spans:
            return
        excerpt = is_excerpt(self.md)  # Material's blog renders a post again
        where, src, _ = current_page(self.md)
        try:
            bib = self.ext.bibliography()
            problem = None
        except BibError as exc:
            bib, problem = None, str(exc)
        text = None
        if src is not None and src.is_file():
            text = src.read_text(encoding="utf-8")
        elif self.ext.source is not None:
            text = self.ext.source
        scanned = scan_citations(text) if text is not None else []
        seen: dict[str, int] = {}
        numbers: dict[str, int] = {}
        for el in spans:
            keys = el.attrib.pop("data-cite").split(";")
            known = {}
            for key in keys:
                occurrence = seen[key] = seen.get(key, 0) + 1
                if bib is not None and key in bib:
                    known[key] = numbers.setdefault(key, len(numbers) + 1)
                    continue
                if excerpt:
                    continue
                lines = [n for n, _, m in scanned if key in cite_keys(m.group(1))]
                line = lines[min(occurrence, len(lines)) - 1] if lines else 0
                why = problem or f"unknown citation key '{key}' (not in {self.ext.bib_path()})"
                log.error("mdscholar: %s:%d: [@%s]: %s", where, line, key, why)
            self._fill(el, known, [k for k in keys if bib is None or k not in bib])
        if numbers and not excerpt:
            self._section(root, bib, list(numbers))

    def _fill(self, el, known: dict[str, int], unknown: list[str]) -> None:
        el.text, last = "[", None
        for text, key in _pieces(known):
            if key:
                last = etree.SubElement(el, "a", {"href": f"#ref-{key}"})
                last.text = text
            else:
                last.tail = (last.tail or "") + text
        for i, key in enumerate(unknown):
            if last is not None:
                last.tail = (last.tail or "") + ", "
            last = etree.SubElement(el, "span", {"class": ERROR_CLASS,
                                                 "title": f"未知的文献：{key}"})
            last.text = f"@{key}?"
        if last is None:
            el.text += "]"
        else:
            last.tail = (last.tail or "") + "]"

    def _section(self, root, bib: Bibliography, keys: list[str]) -> None:
        heading = etree.SubElement(root, "h2", {"id": SECTION_ID})
        heading.text = self.ext.getConfig("title")
        body = etree.SubElement(root, "div", {"class": "references"})
        for n, (key, text) in enumerate(zip(keys, bib.format(keys)), 1):
            entry = etree.SubElement(body, "p", {"class": "csl-entry", "id": f"ref-{key}"})
            entry.text = self.md.htmlStash.store(f"[{n}] " + bib.entry_html(key, text))


class CitationsExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {
            "bibliography": [DEFAULT_BIB, "BibTeX file (relative to the working directory)"],
            "title": ["参考文献", "heading of the generated reference list"],
        }
        self.source: str | None = None
        super().__init__(**kwargs)

    def bib_path(self) -> str:
        return resolve_path(self.getConfig("bibliography"))

    def bibliography(self) -> Bibliography:
        return load_bibliography(self.bib_path())

    def extendMarkdown(self, md):
        global _CONFIGURED
        _CONFIGURED = self.bib_path()
        md.registerExtension(self)
        from markdown.preprocessors import Preprocessor

        ext = self

        class Source(Preprocessor):
            def run(self, lines):
                ext.source = "\n".join(lines)
                return lines

        md.preprocessors.register(Source(md), "mdscholar_source", 1000)
        md.inlinePatterns.register(_CitePattern(CITE_RE.pattern, md), "mdscholar_cite", 172)
        md.treeprocessors.register(_CiteTreeprocessor(md, self), "mdscholar_cite", 12)

    def reset(self):
        self.source = None


_CONFIGURED: str | None = None


def resolve_path(path: str | os.PathLike) -> str:
    """``path`` as given when absolute or found from the working directory, else from the
    project root that docexec knows (the folder of ``mkdocs.yml``)."""
    p = Path(path)
    if p.is_absolute() or p.exists():
        return str(p)
    try:
        from docexec.build_state import STATE

        if STATE.engine is not None and (STATE.engine.settings.root / p).exists():
            return str(STATE.engine.settings.root / p)
    except ImportError:
        pass
    return str(p)


def default_bibliography(root: str | os.PathLike | None = None) -> str | None:
    """The bibliography the extension was configured with (when it belongs to ``root``'s
    project), else ``docs/references.bib`` under ``root``; None when neither exists."""
    configured = Path(_CONFIGURED) if _CONFIGURED else None
    if configured is not None and configured.is_file() and (
            root is None or configured.resolve().is_relative_to(Path(root).resolve())):
        return str(configured)
    p = Path(root or ".") / DEFAULT_BIB
    return str(p) if p.is_file() else None


def makeExtension(**kwargs):
    return CitationsExtension(**kwargs)
