"""The parent side: cache look-ups and parallel execution in worker processes."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .cache import ResultCache
from .deps import cache_key
from .refs import Ref
from .settings import Settings
from .worker import child_main

log = logging.getLogger("mkdocs.docexec")


@dataclass
class Failure:
    """Why a reference has no result: an exception in the demo, a timeout or a dead worker."""

    ref: Ref
    error: str
    traceback: str = ""
    stdout: str = ""

    def for_ref(self, ref: Ref) -> "Failure":
        """The same failure, reported at another reference to the same function."""
        return self if ref == self.ref else Failure(ref, self.error, self.traceback, self.stdout)

    def report(self) -> str:
        """The message for the build log: where, what, and the traceback into the snippet."""
        text = f"docexec: {self.ref.where}: {self.ref.target} failed: {self.error}"
        if self.traceback:
            text += "\n" + self.traceback.rstrip()
        return text


_context_lock = threading.Lock()
_context = None


def _mp_context(settings: Settings):
    """A fork-server context whose server has imported the heavy libraries once."""
    global _context
    with _context_lock:
        if _context is None:
            # one thread per worker: results must not depend on the machine's core count
            for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
                os.environ.setdefault(var, "1")
            os.environ.setdefault("MPLBACKEND", "Agg")
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(list(settings.preload))
            _context = ctx
        return _context


class Engine:
    """Looks results up in the cache and executes what is missing, ``jobs`` at a time."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.resolve()
        self.cache = ResultCache(self.settings.cache_dir)
        self._memory: dict[str, dict] = {}  # results loaded or computed by this process
        self._failures: dict[str, Failure] = {}  # failures of the current build (never on disk)
        self._lock = threading.Lock()
        self.executed = 0  # how many calls this engine ran (tests and benchmarks read it)
        self.timings: list[tuple[str, float]] = []  # (target, seconds) of every call it ran

    def key(self, ref: Ref) -> str:
        return cache_key(ref, self.settings)

    def cached(self, ref: Ref, key: str | None = None) -> dict | None:
        key = key or self.key(ref)
        with self._lock:
            if key in self._memory:
                return self._memory[key]
        if self.settings.force:
            return None
        entry = self.cache.get(key)
        if entry is not None:
            with self._lock:
                self._memory[key] = entry
        return entry

    def forget_failures(self) -> None:
        """Start a new build: failures are retried (a package may have been installed since)."""
        with self._lock:
            self._failures.clear()

    def run(self, refs: list[Ref]) -> dict[Ref, dict | Failure]:
        """Results of ``refs``; stale ones are executed in parallel, each key once."""
        results: dict[Ref, dict | Failure] = {}
        keys = {ref: self.key(ref) for ref in refs}
        stale: dict[str, Ref] = {}
        for ref, key in keys.items():
            entry = self.cached(ref, key)
            if entry is None and key in self._failures:
                entry = self._failures[key].for_ref(ref)
            if entry is not None:
                results[ref] = entry
            else:
                stale.setdefault(key, ref)
        if stale:
            jobs = max(1, min(self.settings.jobs, len(stale)))
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                done = dict(zip(stale, pool.map(lambda kr: self._execute(*kr), stale.items())))
            for ref, key in keys.items():
                if ref not in results:
                    outcome = done[key]
                    results[ref] = outcome.for_ref(ref) if isinstance(outcome, Failure) else outcome
        return results

    def result(self, ref: Ref) -> dict | Failure:
        return self.run([ref])[ref]

    def _execute(self, key: str, ref: Ref) -> dict | Failure:
        message = self._call_in_worker(ref)
        if not isinstance(message, Failure) and not message.get("ok"):
            message = Failure(ref, message.get("error", "unknown error"),
                              message.get("traceback", ""), message.get("stdout", ""))
        if isinstance(message, Failure):
            with self._lock:
                self._failures[key] = message
            return message
        message["target"] = ref.target
        entry = self.cache.put(key, message)
        with self._lock:
            self._memory[key] = entry
            self.executed += 1
            self.timings.append((ref.target, float(message.get("seconds") or 0.0)))
        return entry

    def _call_in_worker(self, ref: Ref) -> dict | Failure:
        ctx = _mp_context(self.settings)
        receiver, sender = ctx.Pipe(duplex=False)
        proc = ctx.Process(
            target=child_main,
            args=(ref.target, ref.option("raises"), str(self.settings.root), sender),
            daemon=True,
        )
        start = time.monotonic()
        proc.start()
        sender.close()
        try:
            if not receiver.poll(self.settings.timeout):
                proc.kill()
                proc.join()
                return Failure(ref, f"TimeoutError: no result after {self.settings.timeout:g} s "
                                    "(the per-call timeout; set DOCEXEC_TIMEOUT to change it)")
            try:
                message = receiver.recv()
            except (EOFError, OSError):
                proc.join(5)
                return Failure(ref, "WorkerDied: the worker process ended without a result "
                                    f"(exit code {proc.exitcode})")
        finally:
            receiver.close()
        proc.join(max(1.0, self.settings.timeout - (time.monotonic() - start)))
        if proc.is_alive():
            proc.kill()
            proc.join()
        return message
