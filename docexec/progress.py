"""A live progress line while a build executes its stale references (tqdm, on stderr): done /
total, the calls running now, the elapsed time and the slowest call so far. Only on a
terminal: quiet in CI (``CI`` set), when stderr is not a terminal, or with DOCEXEC_PROGRESS=0."""

from __future__ import annotations

import os
import sys
import threading


def enabled(stream=None) -> bool:
    stream = stream or sys.stderr
    if os.environ.get("DOCEXEC_PROGRESS") == "0" or os.environ.get("CI"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class Progress:
    """Count calls as they start and end; a no-op when disabled."""

    def __init__(self, total: int, stream=None, force: bool = False):
        self._lock = threading.Lock()
        self._running: dict[str, int] = {}
        self._slowest: tuple[float, str] | None = None
        self.bar = None
        if force or enabled(stream):
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="docexec", unit="call", file=stream or sys.stderr,
                            leave=False, dynamic_ncols=True, mininterval=0.2)

    def start(self, name: str) -> None:
        if self.bar is None:
            return
        with self._lock:
            self._running[name] = self._running.get(name, 0) + 1
            self._show()

    def finish(self, name: str, seconds: float) -> None:
        if self.bar is None:
            return
        with self._lock:
            self._running[name] -= 1
            if not self._running[name]:
                del self._running[name]
            if self._slowest is None or seconds > self._slowest[0]:
                self._slowest = (seconds, name)
            self.bar.update(1)
            self._show()

    def _show(self) -> None:
        running = ", ".join(n.rpartition(":")[2] for n in sorted(self._running)[:3])
        more = len(self._running) - 3
        slowest = f"slowest {self._slowest[1]} {self._slowest[0]:.1f} s" if self._slowest else ""
        parts = [f"running {running}" + (f" +{more}" if more > 0 else "")] if running else []
        self.bar.set_postfix_str("; ".join(parts + ([slowest] if slowest else [])), refresh=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
