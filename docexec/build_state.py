"""Build state: the engine in use, the page being rendered, what this build rendered.

Whoever drives a build (the MkDocs hooks, or the fence formatter itself under
Zensical) configures the engine, starts a build and names each page before its
fences are formatted, so that errors name the page and line.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from .refs import scan_file
from .runner import Engine, Failure
from .settings import Settings


@dataclass
class PageContext:
    src: str = "<string>"  # page path shown in errors
    url: str = ""  # page URL relative to the site root ("" for the home page)
    lines: dict[str, list[int]] = field(default_factory=dict)  # target -> fence lines
    malformed: list[int] = field(default_factory=list)  # lines of fences naming no function
    src_path: Path | None = None  # the Markdown file
    refs: list = field(default_factory=list)  # the page's references, in page order

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
    refs = []
    page = path.as_posix()
    if path.is_file():
        for scanned in scan_file(path, root):
            page = scanned.page
            if scanned.ref is not None:
                refs.append(scanned.ref)
                lines.setdefault(scanned.ref.target, []).append(scanned.line)
            else:
                malformed.append(scanned.line)
        try:
            page = path.resolve().relative_to(root).as_posix()
        except ValueError:
            pass
    STATE.page = PageContext(page, url, lines, malformed, path, refs)


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
