"""What a call touched, recorded while it ran (in the worker): its observed dependencies.

A static scan of the sources guesses which data files a demo reads; it misses
``Path(__file__).parent / "data" / name``, ``os.path.join(...)``, f-strings and
``importlib.import_module``. So the worker also *records* them: an audit hook
(``sys.addaudithook``) sees every ``open`` the call makes, and after the call every
module in ``sys.modules`` whose file lies in the project is taken as imported. The
files read under the project root and those modules' sources are sent back with
their sha256, stored with the cache entry, and the entry is stale when any of them
changed or vanished (``deps.observed_changes``).

Files the call opened for writing under the project are reported too: a demo that
writes into the repository makes ``mkdocs serve`` rebuild on every write.

Not seen: files opened by C code without Python's ``open`` (``fopen`` in an
extension), directory listings (a new file matched by a glob), and files outside
the project root (system libraries, the virtual environment).
"""

from __future__ import annotations

import os
import site
import sys

from .deps import sha256_bytes

_ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
# never dependencies: the engine (its code is in every key), caches, interpreters, VCS
_SKIP_DIRS = {"__pycache__", ".git", ".cache", ".venv", "venv", ".tox", "node_modules"}


def _outside_roots() -> list[str]:
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, _ENGINE_DIR}
    try:
        roots.update(site.getsitepackages())
    except AttributeError:  # pragma: no cover - a virtualenv without site.getsitepackages
        pass
    return [os.path.abspath(r) + os.sep for r in roots]


ACTIVE: "Observer | None" = None  # the worker's observer, once started (docexec.memo reads it)


class Observer:
    """Records the files a call reads and writes, and the project modules it imports."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        self._prefix = self.root + os.sep
        self._outside = _outside_roots()
        self.read: set[str] = set()
        self.written: set[str] = set()
        self.active = False

    def _relative(self, path) -> str | None:
        """The project-relative path of ``path``, or None when it is not a dependency candidate."""
        if isinstance(path, int):  # an open file descriptor
            return None
        try:
            path = os.path.abspath(os.fsdecode(path))
        except (TypeError, ValueError):
            return None
        if not path.startswith(self._prefix) or any(path.startswith(o) for o in self._outside):
            return None
        rel = path[len(self._prefix):]
        if any(part in _SKIP_DIRS for part in rel.split(os.sep)):
            return None
        return rel.replace(os.sep, "/")

    def hook(self, event: str, args: tuple) -> None:
        if event != "open" or not self.active:
            return
        try:
            path, mode, flags = args[0], args[1], args[2]
            rel = self._relative(path)
            if rel is None:
                return
            if isinstance(mode, str):
                writes = any(c in mode for c in "wax+")
            else:
                writes = bool((flags or 0) & _WRITE_FLAGS)
            (self.written if writes else self.read).add(rel)
        except Exception:  # noqa: BLE001 - an audit hook must never break the call it watches
            pass

    def start(self) -> "Observer":
        global ACTIVE
        sys.addaudithook(self.hook)  # hooks cannot be removed; the worker exits after one call
        self.active = True
        ACTIVE = self
        return self

    def stop(self) -> None:
        self.active = False
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None)
            # (torch's _classes and _ops say "_classes.py": no file, nowhere)
            rel = self._relative(path) if isinstance(path, str) and os.path.isabs(path) else None
            if rel is not None:
                self.read.add(rel)

    def dependencies(self) -> dict[str, str]:
        """``{relative path: sha256 or "missing"}`` of what the call read (not what it wrote)."""
        out: dict[str, str] = {}
        for rel in sorted(self.read - self.written):
            try:
                with open(os.path.join(self.root, rel), "rb") as fh:
                    out[rel] = sha256_bytes(fh.read())
            except FileNotFoundError:
                out[rel] = "missing"  # it tried a file that did not exist: creating it matters
            except OSError:  # a directory, a socket: nothing to hash
                continue
        return out

