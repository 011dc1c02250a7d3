"""Power-of-two equilibration: the units in which the simplex method decides
whether a number is zero (the tableau itself stays in the problem's units).
"""

from __future__ import annotations

import numpy as np

from snippets.simplex.tableau import SCALE_PASSES


# --8<-- [start:scale]
def scale_factors(A):
    """Powers of two r (rows) and t (columns) that equilibrate A: the
    nonzero entries of r[:, None] * A * t get magnitudes near 1.

    Geometric-mean scaling: each pass divides every row, then every
    column, by a power of two near the geometric mean of its largest and
    smallest nonzero entry.  It works on the binary exponents of the
    entries, in integers, so the factors are the same on every machine, and
    multiplying by powers of two is exact.  A matrix whose nonzero entries
    all lie in [0.1, 10] is left alone (as GLPK does).
    """
    mag = np.abs(A)
    nonzero = mag > 0
    r, t = np.zeros(A.shape[0], int), np.zeros(A.shape[1], int)
    if not nonzero.any() or (mag[nonzero].min() >= 0.1
                             and mag[nonzero].max() <= 10):
        return np.ones(A.shape[0]), np.ones(A.shape[1])
    e = np.frexp(mag)[1] - 1  # 2**e <= |a| < 2**(e + 1)：整数，精确
    for _ in range(SCALE_PASSES):
        for axis, f in ((1, r), (0, t)):
            L = e + r[:, None] + t
            hi = np.where(nonzero, L, np.iinfo(int).min).max(axis=axis)
            lo = np.where(nonzero, L, np.iinfo(int).max).min(axis=axis)
            empty = ~nonzero.any(axis=axis)
            f -= np.where(empty, 0, (hi + lo) // 2)
    return np.ldexp(1.0, r), np.ldexp(1.0, t)
# --8<-- [end:scale]


def column_sizes(A, m_ub, art_rows):
    """Scales for the tableau of the standard form [A | slacks] x = b.

    Returns (size, row): row holds the row factors of scale_factors(A) and
    size[k] the scale of tableau column k (structural columns, then slacks,
    then artificials): in the scaled problem, variable k is x[k] / size[k].
    A slack or artificial variable of row i has size 1 / row[i], so that its
    coefficient stays 1 when row i is multiplied by row[i].
    """
    row, col = scale_factors(A)
    return np.concatenate([col, 1 / row[:m_ub], 1 / row[art_rows]]), row
