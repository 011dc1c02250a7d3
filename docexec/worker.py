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


def execute(target: str, raises: str | None = None) -> dict:
    """Call ``target`` and return the message the parent expects (in this process)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from .figures import theme_rc
    from .values import value_outputs

    start = time.perf_counter()
    stdout = io.StringIO()
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught, \
                matplotlib.rc_context(theme_rc("light")):
            warnings.simplefilter("default")
            try:
                func = _resolve(target)
                with contextlib.redirect_stdout(stdout):
                    value = func()
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
    return {"ok": True, "outputs": outputs, "warnings": messages,
            "seconds": round(time.perf_counter() - start, 3)}


def child_main(target: str, raises: str | None, root: str, conn) -> None:
    """Entry point of a worker process: run, send one message, exit."""
    os.chdir(root)
    sys.path.insert(0, root)
    try:
        message = execute(target, raises)
    except BaseException as exc:  # the renderer itself failed
        message = {"ok": False, "error": f"{type(exc).__name__}: {exc}",
                   "traceback": traceback.format_exc()}
    try:
        conn.send(message)
    finally:
        conn.close()
