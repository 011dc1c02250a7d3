"""One call in a fresh worker process, in a process group of its own: started, awaited under
the per-call timeout, and ended with everything it started. The local build runs each stale
reference this way (``runner``), and so does each Dask worker (``cluster``)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
import threading
import time

from .refs import Ref
from .settings import Settings
from .worker import child_main


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


def call_isolated(ref: Ref, settings: Settings, running: set | None = None,
                  lock: threading.Lock | None = None, memo_dir: str | None = None,
                  nice: int = 0) -> dict:
    """Run ``ref`` in a fresh worker, in a process group of its own, and return its message;
    whatever the outcome (result, error, timeout, crash), everything the call started is
    killed afterwards. A timeout or a crash is a message too (``ok`` false, with ``output``:
    the last lines the worker wrote). ``running`` holds the live workers (under ``lock``);
    ``memo_dir`` is the build's folder of shared data (``docexec.memo``), if any; ``nice``
    lowers the worker's CPU priority by that much (what it starts inherits it)."""
    ctx = _mp_context(settings)
    lock = lock or threading.Lock()
    handle, log_path = tempfile.mkstemp(prefix="docexec-", suffix=".out")
    os.close(handle)
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(  # not a daemon: a demo may start processes (DataLoader workers)
        target=child_main,
        args=(ref.target, ref.option("raises"), str(settings.root), sender,
              log_path, settings.memory_limit, ref.kwargs, memo_dir),
    )
    start = time.monotonic()
    outcome: dict | str
    try:
        proc.start()
        if nice:
            _lower_priority(proc.pid, nice)
        if running is not None:
            with lock:
                running.add(proc)
        sender.close()
        try:
            if not receiver.poll(settings.timeout):
                outcome = (f"TimeoutError: no result after {settings.timeout:g} s "
                           "(the per-call timeout; set DOCEXEC_TIMEOUT to change it)")
            else:
                try:
                    outcome = receiver.recv()
                except (EOFError, OSError):
                    proc.join(5)
                    outcome = _death(proc.exitcode)
        finally:
            receiver.close()
        if isinstance(outcome, dict):  # let it exit by itself, briefly
            proc.join(min(2.0, max(0.1, settings.timeout - (time.monotonic() - start))))
    finally:
        _end_group(proc)
        if running is not None:
            with lock:
                running.discard(proc)
        output = _read_tail(log_path)
        os.unlink(log_path)
    if isinstance(outcome, str):  # no message: what the call wrote is all there is
        return {"ok": False, "error": outcome, "output": output}
    return outcome


def _lower_priority(pid: int, nice: int) -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, 0) + nice)
    except OSError:  # gone already, or not allowed: it runs at the build's priority
        pass


def _end_group(proc) -> None:
    """SIGKILL the worker's process group (the worker and every process it started), then
    reap the worker. A process that left the group (its own setsid) is out of reach."""
    if proc.pid is None:
        return
    kill_group(proc)
    if proc.is_alive():  # killed before its setsid
        proc.kill()
    proc.join()


def kill_group(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the worker called setsid: its pid is the group
    except (ProcessLookupError, PermissionError, TypeError):
        pass


def _death(exitcode: int | None) -> str:
    """Why a worker ended without a result, naming the signal that killed it."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        what = signal.strsignal(-exitcode) or name
        hint = ("; the machine's out-of-memory killer sends it too"
                if -exitcode == signal.SIGKILL else "")
        return (f"WorkerDied: the worker process was killed by {name} ({what}{hint}) "
                "before it sent a result")
    return f"WorkerDied: the worker process ended with exit code {exitcode} without a result"


def _read_tail(path: str, limit: int = 16_384) -> str:
    """The end of what a worker wrote to its stdout/stderr file."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - limit))
            data = f.read()
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    return text if len(data) < limit else text.partition("\n")[2]
