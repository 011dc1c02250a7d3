"""The parent side: cache look-ups and parallel execution in worker processes."""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path

from .cache import CacheError, ResultCache
from .deps import cache_key, dependency_files, observed_changes
from .isolated import kill_group, call_isolated
from .outputs import LONE_SURROGATES, clean_text, oversized
from .progress import Progress
from .params import expand_all
from .refs import Ref
from .settings import LOCAL, Settings

log = logging.getLogger("mkdocs.docexec")
# mkdocs serve: how long a rebuild waits, in all, for stale blocks before it shows them as
# pending (quick demos start first and are ready by then: one rebuild shows them)
SERVE_WAIT = 0.5
BACKGROUND_NICE = 5  # a demo computing in the background yields the CPU to the rebuild


@dataclass
class Failure:
    """Why a reference has no result: an exception in the demo, a timeout or a dead worker."""

    ref: Ref
    error: str
    traceback: str = ""
    stdout: str = ""
    output: str = ""  # the last lines the worker wrote to its stdout/stderr (fd 1 and 2)

    def for_ref(self, ref: Ref) -> "Failure":
        """The same failure, reported at another reference to the same function."""
        return self if ref == self.ref else replace(self, ref=ref)

    def report(self) -> str:
        """The message for the build log: where, what, the traceback into the snippet, and
        the last lines the call printed before it failed."""
        text = f"docexec: {self.ref.where}: {self.ref.call} failed: {self.error}"
        if self.traceback:
            text += "\n" + self.traceback.rstrip()
        for title, printed in (("printed", self.stdout), ("wrote to stdout/stderr", self.output)):
            tail = _tail(printed)
            if tail:
                text += f"\n{self.ref.call} {title} before it failed (last lines):\n{tail}"
        return text


@dataclass
class Pending:
    """A reference whose result is being computed in the background (``mkdocs serve``): the
    page shows ``previous`` (the last outcome of the same block, if any) until it is ready."""

    ref: Ref
    previous: dict | Failure | None = None


def _tail(text: str, lines: int = 20) -> str:
    """The last ``lines`` lines of ``text`` (a crash report needs the end, not all of it)."""
    kept = (text or "").rstrip().splitlines()[-lines:]
    return "\n".join("  " + line for line in kept)


class Engine:
    """Looks results up in the cache and executes what is missing, ``jobs`` at a time."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.resolve()
        self.cache = ResultCache(self.settings.cache_dir)
        self._memory: dict[str, dict] = {}  # results loaded or computed by this process
        self._failures: dict[str, Failure] = {}  # failures of the current build (never on disk)
        self._shown: set[str] = set()  # failures a build has shown (the next build retries them)
        self._latest: dict[tuple, dict | Failure] = {}  # a block's last outcome, whatever its key
        self._inflight: dict[str, Future] = {}  # keys computing in the background
        self._awaited: set[str] = set()  # keys a serve build is waiting for (SERVE_WAIT)
        # between begin_build and end_build: module -> its dependency files, and when the build
        # stops waiting for stale blocks (one SERVE_WAIT per build)
        self._build_files: dict[str, dict] | None = None
        self._build_keys: dict[Ref, str] = {}  # each block's key, once per build
        self._build_checked: set[str] = set()  # entries whose observed reads held this build
        self._deadline: float | None = None
        self._background: ThreadPoolExecutor | None = None
        self._workers: set = set()  # worker processes running now (shutdown ends them)
        self._cluster = None  # the Dask executor, when settings.executor names a scheduler
        self._lock = threading.Lock()
        self.executed = 0  # how many calls this engine ran (tests and benchmarks read it)
        self.timings: list[tuple[str, float]] = []  # (target, seconds) of every call it ran

    def key(self, ref: Ref) -> str:
        files = self._build_files  # a build sees one version of the sources (begin_build)
        if files is None:
            return cache_key(ref, self.settings)
        key = self._build_keys.get(ref)
        if key is None:
            if ref.module not in files:
                files[ref.module] = dependency_files(ref.module, self.settings)
            key = self._build_keys[ref] = cache_key(ref, self.settings, files[ref.module])
        return key

    def cached(self, ref: Ref, key: str | None = None) -> dict | None:
        """The stored result of ``ref``, or None when there is none or it is stale: a file or
        repository module that the call was observed to read changed or vanished since."""
        if not self.settings.allows(ref.module):
            return None
        key = key or self.key(ref)
        with self._lock:
            entry = self._memory.get(key)
            if entry is not None and key in self._build_checked:
                return entry  # its reads were checked earlier in this build
        if entry is None:
            if self.settings.force:
                return None
            entry = self.cache.get(key)
        if entry is None:
            return None
        changed = observed_changes(entry.get("observed", {}), self.settings.root)
        if changed:
            log.info("docexec: %s is stale: %s changed", ref.target, ", ".join(changed[:3]))
            with self._lock:
                if self._memory.get(key) is entry:
                    del self._memory[key]
            return None
        with self._lock:
            self._memory[key] = entry
            if self._build_files is not None:
                self._build_checked.add(key)
        return entry

    def dependency_folders(self) -> set[Path]:
        """The folders of every file the results this engine holds depend on (observed reads and
        the modules' static dependencies): what a server must watch to never serve them stale."""
        root = self.settings.root
        with self._lock:
            entries = list(self._memory.values())
        files = {rel for entry in entries for rel in entry.get("observed", {})}
        return {(root / rel).parent for rel in files}

    def forget_failures(self) -> None:
        """Start a new build: failures a build has shown are retried (a package may have been
        installed since); one computed in the background is kept until a build shows it."""
        with self._lock:
            for key in self._shown:
                self._failures.pop(key, None)
            self._shown.clear()

    def begin_build(self) -> None:
        """A site build starts. Until ``end_build`` it waits SERVE_WAIT in all for stale blocks,
        not SERVE_WAIT per block (a page of 19 edited demos waited for all 19), and works out
        each module's dependency files once (a site build asks ~1,000 times for ~50 modules;
        an edit made meanwhile starts the next build, which sees it)."""
        self.forget_failures()
        with self._lock:
            self._build_files, self._deadline = {}, None
            self._build_keys, self._build_checked = {}, set()

    def end_build(self) -> None:
        with self._lock:
            self._build_files, self._deadline = None, None
            self._build_keys, self._build_checked = {}, set()

    def _wait_seconds(self) -> float:
        with self._lock:
            if self._build_files is None:  # not in a build: each call waits on its own
                return SERVE_WAIT
            if self._deadline is None:
                self._deadline = time.monotonic() + SERVE_WAIT
            return max(0.0, self._deadline - time.monotonic())

    def run(self, refs: list[Ref], on_ready: Callable[[], None] | None = None
            ) -> dict[Ref, dict | Failure | Pending]:
        """Results of ``refs``; stale ones are executed in parallel, each key once.

        With ``on_ready`` (``mkdocs serve``), stale ones are started in the background instead
        and come back as ``Pending`` at once: a slow demo never holds up the pages. Each
        background call runs ``on_ready()`` when it ends, so that the server builds again.
        A ``params=`` block stands for its combinations (``params.expand``): the results are
        theirs, one per combination."""
        refs = expand_all(refs)
        results: dict[Ref, dict | Failure] = {}
        for ref in refs:  # the trust boundary: nothing outside it is imported, let alone called
            if not self.settings.allows(ref.module):
                allowed = ", ".join((*self.settings.packages, *self.settings.allow))
                results[ref] = Failure(ref, (
                    f"UntrustedReference: {ref.module} is outside the packages pages may call "
                    f"({allowed}); nothing was imported or run. To allow it, list it under "
                    "'allow' (mkdocs.yml) or in DOCEXEC_ALLOW"))
        keys = {ref: self.key(ref) for ref in refs if ref not in results}
        stale: dict[str, Ref] = {}
        for ref, key in keys.items():
            entry = self.cached(ref, key)
            with self._lock:
                if entry is None and key in self._failures:
                    entry = self._failures[key].for_ref(ref)
                    self._shown.add(key)
            if entry is not None:
                results[ref] = entry
            else:
                stale.setdefault(key, ref)
        if stale and on_ready is not None:
            # quick outputs first: an author waits for the block just edited, not the slowest
            order = sorted(stale.items(), key=lambda kv: self._expected_seconds(kv[1]))
            with self._lock:
                self._awaited.update(stale)
            futures = [self._start(key, ref, on_ready) for key, ref in order]
            # a block that is ready within SERVE_WAIT is shown by this build (one rebuild, not two)
            wait(futures, timeout=self._wait_seconds())
            with self._lock:
                self._awaited.difference_update(stale)
                for ref, key in keys.items():
                    if ref in results:
                        continue
                    if key in self._memory:
                        results[ref] = self._memory[key]
                    elif key in self._failures and key not in self._inflight:
                        results[ref] = self._failures[key].for_ref(ref)
                        self._shown.add(key)
                    else:
                        results[ref] = Pending(ref, self._latest.get(_block(ref)))
        elif stale:
            # on a cluster each thread only waits for its task: the cluster sets the pace
            jobs = self.settings.jobs if self.settings.executor == LOCAL else 64
            jobs = max(1, min(jobs, len(stale)))
            progress = Progress(len(stale))

            # data several demos share is computed once in this batch (docexec.memo)
            memo = tempfile.TemporaryDirectory(prefix="docexec-memo-")

            def execute(key_ref):
                key, ref = key_ref
                progress.start(ref.call)
                start = time.monotonic()
                try:
                    return self._execute(key, ref, memo.name)
                finally:
                    progress.finish(ref.call, time.monotonic() - start)

            try:
                with ThreadPoolExecutor(max_workers=jobs) as pool:
                    done = dict(zip(stale, pool.map(execute, stale.items())))
            finally:
                progress.close()
                memo.cleanup()
            for ref, key in keys.items():
                if ref not in results:
                    outcome = done[key]
                    results[ref] = outcome.for_ref(ref) if isinstance(outcome, Failure) else outcome
                    if isinstance(outcome, Failure):
                        with self._lock:
                            self._shown.add(key)
        with self._lock:
            for ref, outcome in results.items():
                if not isinstance(outcome, Pending):
                    self._latest[_block(ref)] = outcome
        return results

    def result(self, ref: Ref, on_ready: Callable[[], None] | None = None
               ) -> dict | Failure | Pending:
        return self.run([ref], on_ready)[ref]

    def _expected_seconds(self, ref: Ref) -> float:
        """How long the block took last time (what it returned, or 0 if it never ran here)."""
        last = self._latest.get(_block(ref))
        return float(last.get("seconds") or 0.0) if isinstance(last, dict) else 0.0

    def _start(self, key: str, ref: Ref, on_ready: Callable[[], None]) -> Future:
        """Compute ``key`` in the background unless it is already computing."""
        with self._lock:
            if key in self._inflight:
                return self._inflight[key]
            if self._background is None:
                self._background = ThreadPoolExecutor(
                    max_workers=max(1, self.settings.jobs), thread_name_prefix="docexec")
            log.info("docexec: %s: computing %s in the background; the page shows its previous "
                     "result until it is ready", ref.where, ref.call)
            future = self._background.submit(self._execute, key, ref, background=True)
            self._inflight[key] = future

        def finished(_future):
            with self._lock:
                self._inflight.pop(key, None)
                shown_now = key in self._awaited  # the build waiting for it shows it
            if not shown_now:
                on_ready()

        future.add_done_callback(finished)
        return future

    def shutdown(self) -> None:
        """End every worker that is running and drop the background queue (serve exits)."""
        with self._lock:
            pool, self._background = self._background, None
            workers = list(self._workers)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        for proc in workers:  # the thread that started each one reaps it
            kill_group(proc)

    def _execute(self, key: str, ref: Ref, memo_dir: str | None = None,
                 background: bool = False) -> dict | Failure:
        message = self._call_in_worker(ref, memo_dir, background)
        if not message.get("ok"):
            message = Failure(ref, message.get("error", "unknown error"),
                              message.get("traceback", ""), message.get("stdout", ""),
                              message.get("output", ""))
        if isinstance(message, Failure):
            message = replace(message, **{  # printable, whatever the demo wrote
                name: clean_text(getattr(message, name))[0]
                for name in ("error", "traceback", "stdout")})
            with self._lock:
                self._failures[key] = message
            return message
        message, escaped = clean_text(message)  # lone surrogates: shown as \udcff escapes
        if escaped:
            message["warnings"] = [*message.get("warnings", []), LONE_SURROGATES]
        too_large = oversized(message["outputs"], self.settings.max_text_bytes,
                              self.settings.max_figure_bytes)
        if too_large:
            failure = Failure(ref, f"OutputTooLarge: {too_large}")
            with self._lock:
                self._failures[key] = failure
            return failure
        message["target"] = ref.target
        try:
            entry = self.cache.put(key, message, rewrite=self.settings.force)
        except CacheError as exc:  # the page still shows the fresh result; the build fails
            entry = self.cache.entry(key, message)
            if self.cache.report_once(str(exc)):
                log.error("docexec: %s (while storing %s for %s)", exc, ref.target, ref.where)
        with self._lock:
            self._memory[key] = entry
            self.executed += 1
            self.timings.append((ref.call, float(message.get("seconds") or 0.0)))
        return entry

    def _call_in_worker(self, ref: Ref, memo_dir: str | None = None,
                        background: bool = False) -> dict:
        """The worker's message for ``ref``: run here, or on the Dask cluster."""
        if self.settings.executor != LOCAL:
            with self._lock:
                if self._cluster is None:
                    from .cluster import DaskExecutor

                    self._cluster = DaskExecutor(self.settings)
            return self._cluster.call(ref, self.key(ref))
        # while serving, the rebuild that shows the results comes before the demos still running
        return call_isolated(ref, self.settings, self._workers, self._lock, memo_dir,
                             nice=BACKGROUND_NICE if background else 0)

    def close(self) -> None:
        """End every worker and let go of the cluster (a build or serve is over)."""
        self.shutdown()
        with self._lock:
            cluster, self._cluster = self._cluster, None
        if cluster is not None:
            cluster.close()


def _block(ref: Ref) -> tuple:
    """What identifies a block across edits (its cache key changes with the code)."""
    return (ref.page, ref.target, ref.options)
