"""Data that several demos of one article share: the seam for building it once.

Each demo runs in a fresh worker process, so a plain ``functools.cache`` lives
for one call only. A generator marked ``@shared`` is

- cached in the process, so a test, a notebook or a demo that asks twice
  builds the data once;
- listed in ``SHARED`` under ``"module:qualname"``, so the engine can build
  each one once per build and cache key and hand the value to every demo of
  the article (the engine side is the authoring issue's work).

A shared value is handed to several callers: treat it as read-only (arrays
returned by a shared generator are marked non-writeable where practical).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

SHARED: dict[str, Callable] = {}


def shared(fn: F) -> F:
    """Mark a data generator whose value several demos reuse (arguments must be hashable)."""
    cached = functools.cache(fn)
    SHARED[f"{fn.__module__}:{fn.__qualname__}"] = cached
    return cached  # type: ignore[return-value]
