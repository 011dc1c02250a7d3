"""What a build step read, so that ``mkdocs serve`` may reuse its output while none of it changed.

A step (converting a page, writing its notebook) is a function of what it is given and of the
files it opens. ``recording()`` notes the files this thread opens (an audit hook, as the
worker's ``observe`` does); ``file_hashes`` keeps those under the project with their content
hash; ``unchanged`` tells whether they are all still the same. The engine's cache is left out:
its entries are named by the keys a caller compares (``ready_keys``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from .deps import current_hash
from .params import expand_all

_local = threading.local()
_installed = False
_install_lock = threading.Lock()


def _audit(event, args):
    if event == "open":
        opened = getattr(_local, "opened", None)
        if opened is not None and isinstance(args[0], (str, bytes, os.PathLike)):
            opened.add(os.fsdecode(args[0]))


@contextmanager
def recording():
    """A set that collects the paths this thread opens until the block ends."""
    global _installed
    with _install_lock:
        if not _installed:  # an audit hook stays for the life of the process: add it once
            sys.addaudithook(_audit)
            _installed = True
    outer = getattr(_local, "opened", None)
    _local.opened = opened = set()
    try:
        yield opened
    finally:
        _local.opened = outer
        if outer is not None:  # a step inside a step: the outer one read it too
            outer.update(opened)


def file_hashes(paths, root: Path, skip=()) -> dict[str, str]:
    """``{absolute path: sha256}`` of the files among ``paths`` under ``root``, except those
    under ``root/.cache`` and the folders in ``skip``."""
    root = Path(root).resolve()
    skipped = {root / ".cache", *(Path(str(s)).resolve() for s in skip)}
    out = {}
    for name in paths:
        path = Path(name).resolve()
        if root in path.parents and not skipped & set(path.parents) and path.is_file():
            out[str(path)] = current_hash(path)
    return out


def unchanged(hashes: dict[str, str]) -> bool:
    return all(current_hash(Path(p)) == digest for p, digest in hashes.items())


def signature(*parts) -> str:
    """One hash of everything a step is given (JSON; what JSON cannot hold, by its ``str``)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def ready_keys(engine, refs) -> list[str] | None:
    """The cache keys of ``refs`` (their ``params=`` combinations), or None when any result
    is not ready (pending, failed, stale): such a step must always run again."""
    keys = []
    for ref in expand_all(list(refs)):
        key = engine.key(ref)
        if engine.cached(ref, key) is None:
            return None
        keys.append(key)
    return keys


class StepMemo:
    """Outputs of one kind of step by name, each reused while its signature and reads hold.

    With a ``folder``, outputs (bytes) are also kept there for the next process: its signature
    must then name everything the step depends on outside the project's files (code, installed
    libraries, environment), since only reads under the project are checked again."""

    def __init__(self, folder: Path | None = None):
        self._entries: dict[str, tuple] = {}
        self.folder = folder

    def _path(self, name: str) -> Path | None:
        if self.folder is None:
            return None
        return Path(self.folder) / (hashlib.sha256(name.encode()).hexdigest() + ".json")

    def _stored(self, name: str, signature: str):
        path = self._path(name)
        try:
            entry = json.loads(path.read_text(encoding="utf-8")) if path else None
            if entry and entry["signature"] == signature and entry["name"] == name:
                return (signature, dict(entry["files"]), bytes.fromhex(entry["value"]))
        except (OSError, ValueError, KeyError, TypeError):
            pass  # missing, damaged or foreign: the step runs again
        return None

    def _store(self, name: str, entry: tuple) -> None:
        from .cache import atomic_write

        path = self._path(name)
        if path is None or not isinstance(entry[2], bytes):
            return
        data = {"name": name, "signature": entry[0], "files": entry[1], "value": entry[2].hex()}
        try:
            atomic_write(path, json.dumps(data).encode("utf-8"))
        except OSError:
            pass  # a read-only cache folder only means running the step next time

    def run(self, name: str, signature: str | None, step, root: Path, skip=()):
        """``step()``, or its output from last time when ``signature`` (None: never reuse)
        is the same and no file it opened has changed since."""
        entry = self._entries.get(name)
        if signature is not None and not (entry and entry[0] == signature):
            entry = self._stored(name, signature)
        if signature is not None and entry and entry[0] == signature and unchanged(entry[1]):
            self._entries[name] = entry
            return entry[2]
        with recording() as opened:
            value = step()
        if signature is None:
            self._entries.pop(name, None)
        else:
            self._entries[name] = (signature, file_hashes(opened, root, skip), value)
            self._store(name, self._entries[name])
        return value
