"""Data that several demos of one article share: the seam for building it once.

Each demo runs in a fresh worker process, so a plain ``functools.cache`` lives
for one call only. A generator marked ``@shared`` is

- cached in the process, so a test, a notebook or a demo that asks twice
  builds the data once;
- listed in ``SHARED`` under ``"module:qualname"``;
- during a site build (the engine sets ``DOCEXEC_MEMO_DIR``), computed once per
  build and key by the first demo that needs it and loaded by the others
  (``docexec.memo``). Outside a build (tests, a downloaded notebook) nothing
  but this module is involved.

A shared value is handed to several callers: treat it as read-only (arrays
returned by a shared generator are marked non-writeable where practical).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

SHARED: dict[str, Callable] = {}


def shared(fn: F) -> F:
    """Mark a data generator whose value several demos reuse (arguments must be hashable)."""
    name = f"{fn.__module__}:{fn.__qualname__}"

    @functools.cache
    @functools.wraps(fn)
    def cached(*args, **kwargs):
        if not os.environ.get("DOCEXEC_MEMO_DIR"):
            return fn(*args, **kwargs)
        from docexec.memo import shared_value

        return shared_value(name, fn.__module__, args, kwargs, lambda: fn(*args, **kwargs))

    SHARED[name] = cached
    return cached  # type: ignore[return-value]
