"""How a page states numbers whose last digits depend on the CPU.

Rounding noise (the gap between two correct float computations) changes with
the kernels torch, MKL and NumPy pick on a machine: AVX-512 or AVX2, AMD or
Intel. A page states such a gap as a bound that holds on every machine, never
as raw digits; a gap above its bound is a real disagreement and stops the build.
"""

from __future__ import annotations

import math


class BoundExceeded(AssertionError):
    """An agreement a page claims does not hold: the build must stop."""


def _power_of_ten(limit: float) -> str:
    exponent = math.log10(limit)
    if exponent == round(exponent):
        return "1" if exponent == 0 else f"1e{int(round(exponent))}"
    mantissa, _, power = f"{limit:.0e}".partition("e")
    return f"{mantissa}e{int(power)}"


def bound(err: float, limit: float) -> str:
    """``"< 1e-6"`` when ``0 <= err < limit``; raises BoundExceeded otherwise.

    ``limit`` is chosen by the author: an order of magnitude or more above the
    rounding noise the computation can have on any CPU, and small enough that
    the statement still means "the same up to rounding".
    """
    if isinstance(limit, bool) or not isinstance(limit, (int, float)):
        raise TypeError(f"limit must be a number, got {type(limit).__name__}")
    if not (math.isfinite(limit) and limit > 0):
        raise ValueError(f"limit must be a finite number > 0, got {limit}")
    err = float(err)
    if math.isnan(err) or err < 0:
        raise ValueError(f"err must be a number >= 0, got {err}")
    if err >= limit:
        raise BoundExceeded(
            f"the stated agreement does not hold: {err:.3e} is not below {limit:g}")
    return f"< {_power_of_ten(limit)}"
