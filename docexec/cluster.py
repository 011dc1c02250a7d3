"""Stale references on a Dask cluster: ``DOCEXEC_EXECUTOR=tcp://host:8786``.

Each stale reference is one task. On a Dask worker it runs exactly as a local build runs
it (``isolated.call_isolated``): a fresh process forked from a preloaded server, in a
process group of its own, under the per-call timeout and memory limit. So results, cache
entries and failure reports (page:line, the traceback into the snippet, the timeout, a
dead worker) are those of a local build. The build keeps the cache; workers only compute.

Workers need the project: the same checkout at the same path, or at the path their
``DOCEXEC_ROOT`` names. Before it runs anything, a worker computes the reference's cache
key from its own files and packages; a worker with other code or other library versions
fails the call and says so, rather than return a result that belongs to other sources.

A Dask worker that dies mid-task is replaced and the task retried by the scheduler
(``distributed.scheduler.allowed-failures``); when every try died, or the cluster has no
worker at all for a while, the call fails with a message. It never hangs.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import threading
import time
import uuid
from dataclasses import asdict
from pathlib import Path

from .deps import cache_key
from .refs import Ref
from .settings import LOCAL, Settings

CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler
NO_WORKER_GRACE = 60.0  # seconds a task may wait while the cluster has no worker at all
POLL_SECONDS = 0.05  # how often a waiting build thread looks at its task
# what a worker needs to run a call as this build would (the rest is the build's business)
_SENT = ("root", "timeout", "memory_limit", "packages", "key_packages", "preload", "allow",
         "max_text_bytes", "max_figure_bytes")


def run_task(ref: Ref, key: str, fields: dict) -> dict:
    """The task a Dask worker runs: check that it sees the build's sources, then run the
    call in a fresh process as a local build would. Returns the worker's message."""
    from .isolated import call_isolated

    root = os.environ.get("DOCEXEC_ROOT") or fields["root"]
    host = socket.gethostname()
    if not Path(root).is_dir():
        return {"ok": False, "error": (
            f"ProjectMissing: the Dask worker on {host} has no project at {root}; run the "
            "workers in a checkout of this commit at the same path, or set DOCEXEC_ROOT on them")}
    settings = Settings(**{**fields, "root": root, "executor": LOCAL})
    theirs = cache_key(ref, settings)
    if theirs != key:
        return {"ok": False, "error": (
            f"ClusterMismatch: the Dask worker on {host} sees other sources or library "
            f"versions at {root} than this build (its cache key for {ref.target} differs); "
            "the workers need the same commit and the same packages")}
    # dask's nanny starts workers as daemonic processes, and multiprocessing refuses children
    # to those; the call's processes are ended through their process group all the same
    multiprocessing.current_process()._config["daemon"] = False
    return call_isolated(ref, settings)


class DaskExecutor:
    """A connection to one Dask scheduler, made on first use and shared by the build's
    threads. A scheduler that cannot be reached fails every call at once, with its address."""

    def __init__(self, settings: Settings):
        self.address = settings.executor
        self._fields = {name: value for name, value in asdict(settings).items() if name in _SENT}
        self._fields["root"] = str(settings.root)
        self._client = None
        self._error: str | None = None
        self._lock = threading.Lock()

    def _connect(self):
        with self._lock:
            if self._client is None and self._error is None:
                try:
                    from distributed import Client
                except ImportError:
                    self._error = ("ExecutorUnavailable: the executor is a Dask scheduler, but "
                                   "dask.distributed is not installed (pip install distributed)")
                    return None
                try:
                    self._client = Client(self.address, timeout=CONNECT_TIMEOUT,
                                          set_as_default=False)
                except Exception as exc:  # noqa: BLE001 - any failure to connect is reported
                    self._error = (f"ExecutorUnavailable: cannot reach the Dask scheduler at "
                                   f"{self.address} ({type(exc).__name__}: {exc}); start it, or "
                                   "set DOCEXEC_EXECUTOR=local to run the references here")
            return self._client

    def call(self, ref: Ref, key: str) -> dict:
        """The worker's message for ``ref``, computed on the cluster."""
        client = self._connect()
        if client is None:
            return {"ok": False, "error": self._error}
        future = client.submit(run_task, ref, key, self._fields, pure=False,
                               key=f"docexec-{ref.call}-{uuid.uuid4().hex[:12]}")
        try:
            return self._wait(client, future)
        finally:
            future.release()

    def _wait(self, client, future) -> dict:
        from distributed import KilledWorker

        idle_since = None
        while True:
            # the future's own status, read here; Future.result(timeout=...) in a loop would
            # now and then fail by itself (UnboundLocalError, dask/distributed#8514)
            if future.done():
                try:
                    return future.result()
                except KilledWorker as exc:
                    return {"ok": False, "error": (
                        f"WorkerDied: every Dask worker that ran it died ({exc}); the scheduler "
                        "retried it on other workers before giving up (allowed-failures)")}
                except Exception as exc:  # noqa: BLE001 - the scheduler went away, or worse
                    return {"ok": False, "error": (
                        f"ExecutorFailed: the Dask cluster at {self.address} could not run it "
                        f"({type(exc).__name__}: {exc})")}
            time.sleep(POLL_SECONDS)
            if client.status not in ("running", "connecting", "newly-created"):
                return {"ok": False, "error": (
                    f"ExecutorFailed: lost the connection to the Dask scheduler at "
                    f"{self.address} (client {client.status})")}
            if client.scheduler_info().get("workers"):
                idle_since = None
            elif idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > NO_WORKER_GRACE:
                return {"ok": False, "error": (
                    f"NoWorkers: the Dask cluster at {self.address} has had no worker for "
                    f"{NO_WORKER_GRACE:g} s; start workers, or set DOCEXEC_EXECUTOR=local")}

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()
