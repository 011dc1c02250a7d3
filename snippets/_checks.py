"""Argument checks shared by every article module (one wording, one behaviour).

A yes/no argument must be a real bool: ``bool("False")`` is True, so truthiness would
read a typo as its opposite. An integer argument must be an integer: True is not 1
and 3.0 is not 3.
"""

from __future__ import annotations

import numbers

import numpy as np


def flag(value, name: str) -> bool:
    """``value`` as a bool, or TypeError naming the argument."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def integer(value, name: str, minimum: int | None = None, optional: bool = False):
    """``value`` as an int >= ``minimum`` (None allowed when ``optional``)."""
    if optional and value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        what = "an integer or None" if optional else "an integer"
        raise TypeError(f"{name} must be {what}, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)
