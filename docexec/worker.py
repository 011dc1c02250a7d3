"""The worker: runs one referenced function in a fresh child process.

The child is forked from a server that has already imported the heavy
libraries (numpy, torch, matplotlib ...) but never a ``snippets`` module, so
every call imports the current source and nothing leaks from one call to the
next. It sends back one message: the outputs, or the error with a traceback
trimmed to the user's frames.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
import time
import traceback
import warnings
from pathlib import Path

_ENGINE_DIR = str(Path(__file__).resolve().parent)
_GLYPH_MISSING = "missing from font"


def _user_traceback(exc: BaseException) -> str:
    """The traceback without the engine's and importlib's frames."""
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__)
        if not f.filename.startswith(_ENGINE_DIR) and "importlib" not in f.filename
    ]
    root = os.getcwd() + os.sep  # the project root: show its files by relative path
    for f in frames:
        if f.filename.startswith(root):
            f.filename = f.filename[len(root):]
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)


def _resolve(target: str):
    module_name, _, func_name = target.partition(":")
    module = importlib.import_module(module_name)
    func = getattr(module, func_name, None)
    if func is None:
        raise AttributeError(f"module '{module_name}' has no function '{func_name}'")
    if not callable(func):
        raise TypeError(f"'{target}' is not callable")
    return func


def _check_keywords(func, target: str, kwargs: dict) -> None:
    """A ``params=`` keyword the function does not take: say so before calling it."""
    import inspect

    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return  # no signature to read: the call itself will tell
    try:
        signature.bind_partial(**kwargs)
    except TypeError:
        taken = [p for p in signature.parameters.values()
                 if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        unknown = [k for k in kwargs if k not in {p.name for p in taken}]
        raise TypeError(f"{target} does not accept the keyword(s) {', '.join(unknown)} that "
                        f"params= names; its keyword parameters: "
                        f"{', '.join(p.name for p in taken) or 'none'}") from None


def execute(target: str, raises: str | None = None, kwargs: dict | None = None) -> dict:
    """Call ``target`` (with ``kwargs``: one combination of a ``params=`` grid) and return
    the message the parent expects (in this process)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from .figures import theme_rc
    from .observe import Observer
    from .values import value_outputs

    start = time.perf_counter()
    stdout = io.StringIO()
    caught: list[warnings.WarningMessage] = []
    observer = Observer(os.getcwd())  # the worker runs in the project root
    try:
        with warnings.catch_warnings(record=True) as caught, \
                matplotlib.rc_context(theme_rc("light")):
            warnings.simplefilter("default")
            try:
                observer.start()  # from the import on: module-level reads are dependencies too
                func = _resolve(target)
                if kwargs:
                    _check_keywords(func, target, kwargs)
                with contextlib.redirect_stdout(stdout):
                    value = func(**(kwargs or {}))
                printed = stdout.getvalue()
                outputs = [{"kind": "text", "text": printed, "stream": True}] if printed else []
                outputs += value_outputs(value)  # figures are drawn here, inside the theme
            except Exception as exc:
                if raises and type(exc).__name__ == raises:
                    outputs = [{"kind": "text",
                                "text": "".join(traceback.format_exception_only(type(exc), exc))}]
                else:
                    raise
            else:
                if raises:
                    raise AssertionError(
                        f"the block declares raises=\"{raises}\" but the call returned normally"
                    )
            observer.stop()
            missing = [w for w in caught if _GLYPH_MISSING in str(w.message)]
            if missing:
                raise RuntimeError(
                    "a figure uses characters that no bundled font has: "
                    + "; ".join(sorted({str(w.message) for w in missing}))
                )
    except BaseException as exc:  # noqa: BLE001 - everything is reported, nothing escapes
        return {
            "ok": False,
            "error": "".join(traceback.format_exception_only(type(exc), exc)).strip(),
            "traceback": _user_traceback(exc),
            "stdout": stdout.getvalue(),
        }
    seen = set()
    messages = []
    for w in caught:
        text = f"{os.path.relpath(w.filename)}:{w.lineno}: {w.category.__name__}: {w.message}"
        if text not in seen:
            seen.add(text)
            messages.append(text)
    messages += [f"wrote {path} inside the project: a demo must not write into the repository "
                 "(mkdocs serve rebuilds on every write); write to a temporary folder instead"
                 for path in sorted(observer.written)]
    return {"ok": True, "outputs": outputs, "warnings": messages,
            "observed": observer.dependencies(),
            "seconds": round(time.perf_counter() - start, 3)}


class _Tee(io.TextIOBase):
    """What a call prints goes to its capture and, unbuffered, to fd 1 (the worker's output
    file): when the worker crashes or times out, the parent still has the last lines."""

    def __init__(self, target):
        self._target = target

    def write(self, text: str) -> int:
        with contextlib.suppress(OSError):
            os.write(1, text.encode("utf-8", errors="backslashreplace"))
        return self._target.write(text)

    def __getattr__(self, name):
        return getattr(self._target, name)


class _TeeRedirect(contextlib.redirect_stdout):
    def __init__(self, new_target):
        super().__init__(_Tee(new_target))


def _capture_output(path: str) -> None:
    """fd 1 and 2 (and the children's) into ``path``: nothing the call starts holds the
    build's own stdout open, and the parent reads the end of it after a crash or timeout."""
    import faulthandler

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.reconfigure(line_buffering=True, write_through=True)
    faulthandler.enable(file=sys.__stderr__ or 2, all_threads=False)  # a crash's Python frames
    contextlib.redirect_stdout = _TeeRedirect  # (this worker process only)


def _limit_memory(limit: int) -> None:
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


_OUT_OF_MEMORY = ("MemoryError", "can't allocate memory", "Cannot allocate memory")


def _explain_memory(message: dict, limit: int) -> dict:
    """An allocation that failed under the per-call limit says so, and how to raise it."""
    error = message.get("error", "")
    if limit and not message.get("ok") and any(word in error for word in _OUT_OF_MEMORY):
        message["error"] = (f"{error} (the per-call memory limit is {limit / 2**30:.3g} GiB "
                            "of address space; raise memory_limit in mkdocs.yml or "
                            "DOCEXEC_MEMORY_LIMIT, e.g. 8G; 0 removes it)")
    return message


def _die_with_parent() -> None:
    """Linux: be killed when the process that forked this worker ends, so a build (or a Dask
    worker) killed mid-call leaves no orphan computing. Elsewhere a no-op."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() == 1:  # the parent ended before the line above
        os._exit(1)


def child_main(target: str, raises: str | None, root: str, conn,
               output_path: str | None = None, memory_limit: int = 0,
               kwargs: dict | None = None, memo_dir: str | None = None) -> None:
    """Entry point of a worker process: run, send one message, exit.

    The worker leads a process group of its own (the parent kills the group when the call
    is over), writes its fd 1/2 to ``output_path`` and may map at most ``memory_limit``
    bytes (0: no limit). ``memo_dir``: the build's folder of shared data (``docexec.memo``)."""
    with contextlib.suppress(OSError):
        os.setsid()
    _die_with_parent()
    if output_path:
        _capture_output(output_path)
    os.chdir(root)
    sys.path.insert(0, root)
    if memo_dir:
        from .memo import ENV

        os.environ[ENV] = memo_dir
    try:
        if memory_limit:
            _limit_memory(memory_limit)
        message = execute(target, raises, kwargs)
    except BaseException as exc:  # the renderer itself failed
        message = {"ok": False, "error": f"{type(exc).__name__}: {exc}",
                   "traceback": traceback.format_exc()}
    message = _explain_memory(message, memory_limit)
    try:
        conn.send(message)
    finally:
        conn.close()
