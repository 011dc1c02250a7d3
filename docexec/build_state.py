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
    # target -> (line, inert) of its fences in page order; inert: shown as code, never run
    lines: dict[str, list[tuple[int, bool]]] = field(default_factory=dict)
    malformed: list[tuple[int, bool]] = field(default_factory=list)  # fences naming no function
    src_path: Path | None = None  # the Markdown file
    refs: list = field(default_factory=list)  # the page's references, in page order
    quiet: bool = False  # a repeat rendering (a blog excerpt): its failures were reported
    unclosed: list = field(default_factory=list)  # ScannedRefs no renderer will ever format
    errors: dict[int, str] = field(default_factory=dict)  # line -> what the scan found wrong

    def next_fence(self, target: str | None) -> tuple[int, bool]:
        """(line, inert) of the next fence (in page order) naming ``target``, or a malformed
        one; (0, False) when the scan found no such fence."""
        queue = self.malformed if target is None else self.lines.get(target)
        return queue.pop(0) if queue else (0, False)

    def next_line(self, target: str | None) -> int:
        return self.next_fence(target)[0]

    def unrendered(self) -> list[tuple[int, str]]:
        """(line, why) of the runnable fences the renderer has not formatted (yet)."""
        left = [(line, f"the exec block naming {target} was not rendered as a block")
                for target, queue in self.lines.items() for line, inert in queue if not inert]
        left += [(line, self.errors.get(line, "this exec block was not rendered as a block"))
                 for line, inert in self.malformed if not inert]
        left += [(s.line, s.error) for s in self.unclosed]
        return sorted(left)


@dataclass
class BuildState:
    engine: Engine | None = None
    page: PageContext = field(default_factory=PageContext)
    show_tracebacks: bool = True  # in the page: yes while serving, never in a published build
    figures_used: set[str] = field(default_factory=set)
    failures: list[Failure] = field(default_factory=list)  # this build's, for its summary
    rendered: int = 0  # references rendered in this build
    timings_seen: int = 0  # engine.timings before this build
    # mkdocs serve: stale blocks compute in the background, this asks the server to rebuild
    on_ready: object = None
    lock: threading.Lock = field(default_factory=threading.Lock)


STATE = BuildState()


def configure(settings: Settings) -> Engine:
    """Use ``settings`` from now on (keeps the engine, and its memory, when they are equal)."""
    if STATE.engine is None or STATE.engine.settings != settings:
        if STATE.engine is not None:
            STATE.engine.close()  # its workers and its cluster connection
        STATE.engine = Engine(settings)
    return STATE.engine


def engine() -> Engine:
    if STATE.engine is None:
        configure(Settings.resolve())
    return STATE.engine


def page_context(src_path: Path | str, url: str = "", root: Path | None = None,
                 quiet: bool = False) -> PageContext:
    """What the formatter needs to know about the page in ``src_path``, rendered at ``url``."""
    root = root or engine().settings.root
    path = Path(src_path)
    lines: dict[str, list[tuple[int, bool]]] = {}
    malformed: list[tuple[int, bool]] = []
    unclosed = []
    errors: dict[int, str] = {}
    refs = []
    page = path.as_posix()
    if path.is_file():
        for scanned in scan_file(path, root, inert=True):
            page = scanned.page
            if scanned.inert:  # shown as code: the formatter must recognise it, not run it
                queue = (lines.setdefault(scanned.ref.target, []) if scanned.ref is not None
                         else malformed)
                queue.append((scanned.line, True))
            elif scanned.ref is not None:
                refs.append(scanned.ref)
                lines.setdefault(scanned.ref.target, []).append((scanned.line, False))
            elif scanned.error and "never closed" in scanned.error:
                unclosed.append(scanned)
            else:
                malformed.append((scanned.line, False))
                errors[scanned.line] = scanned.error
        try:
            page = path.resolve().relative_to(root).as_posix()
        except ValueError:
            pass
    return PageContext(page, url, lines, malformed, path, refs, quiet, unclosed, errors)


def set_page(src_path: Path | str | None, url: str = "", root: Path | None = None) -> None:
    """Tell the formatter which page comes next (``src_path`` is the Markdown file)."""
    STATE.page = PageContext() if src_path is None else page_context(src_path, url, root)


def begin_build(show_tracebacks: bool) -> None:
    from .record import new_build

    new_build()
    STATE.figures_used.clear()
    STATE.failures.clear()
    STATE.rendered = 0
    STATE.timings_seen = len(engine().timings)
    STATE.show_tracebacks = show_tracebacks
    engine().begin_build()


def end_build() -> None:
    """The build is over: the engine looks at the sources again for the next key."""
    if STATE.engine is not None:
        STATE.engine.end_build()


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
