"""Data several demos share, computed once per build: the engine side of ``snippets._shared``.

Each demo runs in a fresh process, so a generator marked ``@shared`` would be recomputed by
every demo that asks for it (the article's data set, a trained model). While a build runs
its stale references, the engine hands the workers a folder (``DOCEXEC_MEMO_DIR``). The first
worker to need a value computes it under a file lock and pickles it there; the others wait
for the lock and load it. Every call still gets its own copy, so execution stays isolated,
and the folder lives for one build only: a value is never reused across builds. Within a
build the key is the generator, its arguments and the hashes of the sources it depends on.

What computing the value read (files under the project, project modules it imported) is
stored with it and replayed when it is loaded, so each demo's observed dependencies are
those it would have had computing the value itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib
import json
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from . import observe

ENV = "DOCEXEC_MEMO_DIR"


def _key(name: str, module: str, args: tuple, kwargs: dict) -> str:
    from .deps import dependency_files
    from .settings import Settings

    sources = dependency_files(module, Settings(root=os.getcwd()))
    payload = [name, repr(args), repr(sorted(kwargs.items())), sources]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _replay(reads: list[str], modules: list[str]) -> None:
    """Read and import what computing the value did, so that this call observes it too."""
    for rel in reads:
        with contextlib.suppress(OSError):
            with open(rel, "rb"):
                pass
    for name in modules:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def shared_value(name: str, module: str, args: tuple, kwargs: dict,
                 compute: Callable[[], object]):
    """``compute()``, or the value another worker of this build computed for the same key."""
    folder = os.environ.get(ENV)
    if not folder or not os.path.isdir(folder):
        return compute()
    key = _key(name, module, args, kwargs)
    stored = Path(folder) / f"{key}.pickle"
    with open(Path(folder) / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when this process ends, however it ends
        if stored.is_file():
            with contextlib.suppress(Exception):  # unreadable: compute it here instead
                value, reads, modules = pickle.loads(stored.read_bytes())
                _replay(reads, modules)
                return value
        watcher = observe.ACTIVE
        read_before = set(watcher.read) if watcher else set()
        modules_before = set(sys.modules)
        value = compute()
        reads = sorted(watcher.read - read_before) if watcher else []
        root = os.getcwd() + os.sep  # the worker runs in the project root
        modules = sorted(m for m in set(sys.modules) - modules_before
                         if str(getattr(sys.modules[m], "__file__", None)).startswith(root))
        try:
            data = pickle.dumps((value, reads, modules), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - a value pickle cannot carry is simply not shared
            return value
        handle, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(handle, "wb") as fh:
            fh.write(data)
        os.replace(tmp, stored)
        return value
