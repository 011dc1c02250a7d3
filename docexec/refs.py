"""Finding references (``exec`` fences) in Markdown pages.

A reference is a fenced block whose language is ``exec`` and whose body is one
line ``package.module:function``. Options in the fence header:

- ``alt="..."``: alt text of a figure (required when the function returns one);
- ``raises="ValueError"``: the call is meant to fail with that exception; its
  message is shown as the output and any other outcome is an error;
- ``rtol="0.5"`` / ``atol="1e-3"``: the numbers in this block's output legitimately vary
  by platform; its snapshot compares them within this tolerance (text stays exact);
- ``params="window=20,60;mode=a,b"``: call the function once per combination of keyword
  values, and let the reader switch between the outputs (``params``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

FENCE_LANG = "exec"
TARGET_RE = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*$")
# key="value", key='value' or key=value: what pymdownx.superfences hands the formatter too
OPTION_RE = re.compile(r"""([A-Za-z_][\w-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'{}]+))""")
KNOWN_OPTIONS = frozenset({"alt", "raises", "rtol", "atol", "label", "caption", "params"})
# a numbered figure or table: label="fig-gates" / label="tbl-speed" (mdscholar.crossref links it)
LABEL_RE = re.compile(r"^(fig|tbl)-[A-Za-z0-9][\w-]*$")
TOLERANCE_OPTIONS = ("rtol", "atol")
_OPEN_RE = re.compile(r"^(?P<indent>[ \t>]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*)$")


# pymdownx.snippets' include line: --8<-- "path/to/file.py:section"
_INCLUDE_RE = re.compile(r'^\s*--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"\s*$')


@dataclass(frozen=True)
class Include:
    """One ``--8<--`` line: the file and, if named, the section of it."""

    path: str
    section: str | None = None


def parse_include(line: str) -> Include | None:
    """The include a line makes, or None when it is not an include line."""
    m = _INCLUDE_RE.match(line)
    return Include(m["path"], m["section"]) if m else None


def module_name(path: str, packages: tuple[str, ...]) -> str | None:
    """``snippets/gru.py`` -> ``snippets.gru`` when the file is in one of ``packages``."""
    if not path.endswith(".py") or path.split("/", 1)[0] not in packages:
        return None
    return path[:-3].replace("/", ".").removesuffix(".__init__")


class ReferenceError_(ValueError):
    """A malformed reference: the message names what is wrong."""


@dataclass(frozen=True)
class Ref:
    """One ``exec`` fence: where it is and what it names."""

    target: str
    page: str = "<string>"
    line: int = 0
    options: tuple[tuple[str, str], ...] = field(default=())

    @property
    def module(self) -> str:
        return self.target.partition(":")[0]

    @property
    def function(self) -> str:
        return self.target.partition(":")[2]

    def option(self, name: str, default: str | None = None) -> str | None:
        return dict(self.options).get(name, default)

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}" if self.line else self.page

    @property
    def kwargs(self) -> dict:
        """The keyword arguments of a ``params=`` combination ({} for a plain block)."""
        raw = self.option("kwargs")
        return dict(json.loads(raw)) if raw else {}

    @property
    def call(self) -> str:
        """The target, with a ``params=`` combination's arguments: ``m:f(window=60)``."""
        from .params import arguments

        args = arguments(self)
        return f"{self.target}({args})" if args else self.target

    def __str__(self) -> str:
        return f"{self.where}: {self.target}"


def parse_target(body: str) -> str:
    """The ``module:function`` that a fence body names, or a ReferenceError_ saying why not."""
    lines = [ln.strip() for ln in body.strip().splitlines() if ln.strip()]
    if len(lines) != 1:
        raise ReferenceError_(
            f"an exec block names exactly one function as 'module:function', got {len(lines)} lines"
        )
    if not TARGET_RE.match(lines[0]):
        raise ReferenceError_(
            f"'{lines[0]}' is not of the form 'package.module:function'"
        )
    return lines[0]


def parse_options(info: str) -> tuple[tuple[str, str], ...]:
    """Options from a fence header such as ``exec alt="..."``; unknown names are errors."""
    opts = tuple((m[0], m[1] or m[2] or m[3]) for m in OPTION_RE.findall(info))
    unknown = sorted({k for k, _ in opts} - KNOWN_OPTIONS)
    if unknown:
        raise ReferenceError_(
            f"unknown exec option(s) {', '.join(unknown)}; known: {', '.join(sorted(KNOWN_OPTIONS))}"
        )
    seen = [k for k, _ in opts]
    repeated = sorted({k for k in seen if seen.count(k) > 1})
    if repeated:
        raise ReferenceError_(f"exec option(s) given twice: {', '.join(repeated)}")
    for name, value in opts:
        if name in TOLERANCE_OPTIONS:
            tolerance_value(name, value)
        if name == "label" and not LABEL_RE.match(value):
            raise ReferenceError_(f'exec option label="{value}" must be fig-<name> (a figure) '
                                  "or tbl-<name> (a table), e.g. label=\"fig-gates\"")
        if name == "params":
            from .params import parse_params

            parse_params(value)
    if dict(opts).get("caption") is not None and "label" not in dict(opts):
        raise ReferenceError_('exec option caption needs a label ("fig-…" or "tbl-…") to number it')
    return tuple(sorted(opts))


def tolerance_value(name: str, value: str) -> float:
    """A tolerance option as a float: finite and >= 0, or a ReferenceError_ naming it."""
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not (number >= 0 and number != float("inf")):
        raise ReferenceError_(f'exec option {name}="{value}" must be a finite number >= 0')
    return number


def _is_exec_info(info: str) -> bool:
    info = info.strip()
    if info.startswith("{"):
        info = info.lstrip("{ ").lstrip(".")
    return re.match(rf"{FENCE_LANG}(\s|$|\}})", info) is not None


@dataclass
class ScannedRef:
    """A reference found in a page, or the error that makes it unusable."""

    page: str
    line: int
    ref: Ref | None
    error: str | None = None
    inert: bool = False  # shown as code (in an HTML comment or an indented code block): never run


@dataclass
class Fence:
    """A fenced block: where it opens (0-based line), its header and its body lines."""

    start: int
    info: str
    body: list[str]
    end: int  # the closing line (len(lines) when the fence is never closed)
    inert: bool = False  # inside an HTML comment or an indented code block: text, not a block

    @property
    def is_exec(self) -> bool:
        return _is_exec_info(self.info)


_INLINE_CODE_RE = re.compile(r"`+[^`]*`+")
# lines that open a container whose content is indented by 4 (lists, admonitions, tabs, blocks)
_OPENER_RE = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)]|!!!|\?\?\?\+?|===|///)(?:[ \t]|$)")


def _indent(line: str) -> int:
    """Leading spaces (a tab counts 4)."""
    line = line.expandtabs(4)
    return len(line) - len(line.lstrip(" "))


def _comment_state(line: str, inside: bool) -> bool:
    """Whether an HTML comment is still open after ``line`` (inline code is not HTML)."""
    text = _INLINE_CODE_RE.sub("", line)
    pos = 0
    while True:
        if inside:
            end = text.find("-->", pos)
            if end < 0:
                return True
            inside, pos = False, end + 3
        else:
            start = text.find("<!--", pos)
            if start < 0:
                return False
            inside, pos = True, start + 4


def _in_indented_code(lines: list[str], i: int) -> bool:
    """Whether line ``i`` is inside an indented (4-space) code block: indented 4 more than the
    content of the container it belongs to, after a blank line."""
    line = lines[i]
    if line.lstrip(" \t").startswith(">"):
        return False
    n = _indent(line)
    if n < 4:
        return False
    blank = False
    for j in range(i - 1, -1, -1):
        if not lines[j].strip():
            blank = True
            continue
        m = _indent(lines[j])
        if m >= n:  # a sibling or deeper line: the same container (or the same code block)
            continue
        if _OPENER_RE.match(lines[j]):
            return n >= m + 8  # the container's content starts at m + 4
        return blank and n >= m + 4
    return True  # indented by 4 at the top of the page


def iter_blocks(lines: list[str]):
    """``(index, None)`` for each line outside fences and ``(index, Fence)`` for each fence.

    A fence inside an HTML comment or an indented code block is marked ``inert``: the page
    shows it as text, so it is never executed."""
    i = 0
    in_comment = False
    while i < len(lines):
        m = _OPEN_RE.match(lines[i])
        if not m:
            in_comment = _comment_state(lines[i], in_comment)
            yield i, None
            i += 1
            continue
        fence, prefix = m["fence"], m["indent"]
        # the closing fence: same character, at least as long, nothing after it
        close = re.compile(rf"^[ \t>]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        body = [ln[len(prefix):] if ln.startswith(prefix) else ln for ln in lines[i + 1:j]]
        inert = in_comment or _in_indented_code(lines, i)
        yield i, Fence(i, m["info"], body, j, inert)
        i = j + 1


def scan_text(text: str, page: str = "<string>", inert: bool = False) -> list[ScannedRef]:
    """Every exec fence in ``text`` with its 1-based line, in order of appearance.

    Fences the page shows as text (in an HTML comment or an indented code block) are left
    out, or, with ``inert=True``, included and marked (the formatter needs them in order)."""
    found: list[ScannedRef] = []
    lines = text.splitlines()
    for i, fence in iter_blocks(lines):
        if fence is None or not fence.is_exec:
            continue
        if fence.inert and not inert:
            continue
        if fence.end >= len(lines) and not fence.inert:
            found.append(ScannedRef(page, i + 1, None, "the exec block opened here is never "
                                    "closed (a closing ``` line is missing)"))
            continue
        try:
            ref = Ref(parse_target("\n".join(fence.body)), page, i + 1, parse_options(fence.info))
            found.append(ScannedRef(page, i + 1, ref, inert=fence.inert))
        except ReferenceError_ as exc:
            found.append(ScannedRef(page, i + 1, None, str(exc), inert=fence.inert))
    return found


def scan_file(path: Path, root: Path, inert: bool = False) -> list[ScannedRef]:
    """References of one page; ``page`` is the path relative to ``root``."""
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = path.as_posix()
    return scan_text(path.read_text(encoding="utf-8"), rel, inert)


def scan_tree(docs: Path, root: Path) -> list[ScannedRef]:
    """References of every Markdown page below ``docs`` (dot-folders included: no)."""
    out: list[ScannedRef] = []
    for path in sorted(Path(docs).rglob("*.md")):
        if any(part.startswith(".") for part in path.relative_to(docs).parts):
            continue
        out.extend(scan_file(path, root))
    return out
