"""Duality for max c.x s.t. A x <= b, x >= 0: the dual problem and the shadow
prices of an optimal basis."""

from __future__ import annotations

import numpy as np


def _as_problem(c, A_ub, b_ub):
    c = np.asarray(c, dtype=float)
    A_ub = np.asarray(A_ub, dtype=float)
    b_ub = np.asarray(b_ub, dtype=float)
    m_n = A_ub.shape
    if A_ub.ndim != 2 or c.shape != m_n[1:] or b_ub.shape != m_n[:1]:
        raise ValueError("need c (n,), A_ub (m, n), b_ub (m,); got "
                         f"{c.shape}, {A_ub.shape}, {b_ub.shape}")
    if not all(np.isfinite(a).all() for a in (c, A_ub, b_ub)):
        raise ValueError("c, A_ub and b_ub must be finite")
    return c, A_ub, b_ub


# --8<-- [start:dual_problem]
def dual_problem(c, A_ub, b_ub):
    """The dual of  max c.x, A x <= b, x >= 0:  min b.y, A^T y >= c, y >= 0,
    written as (c', A', b') for simplex(c', A', b') (minimising, rows <=)."""
    c, A_ub, b_ub = _as_problem(c, A_ub, b_ub)
    return b_ub, -A_ub.T, -c
# --8<-- [end:dual_problem]


# --8<-- [start:shadow_prices]
def shadow_prices(c, A_ub, basis):
    """y = c_B B^-1 for a basis of [A | I] (column indices: x first, then
    the slacks) of  max c.x, A x <= b: how much the optimum rises per unit
    of each b_i, as long as the basis stays optimal."""
    c, A_ub, _ = _as_problem(c, A_ub, np.zeros(np.shape(A_ub)[0]))
    m, n = A_ub.shape
    basis = np.asarray(basis, dtype=int)
    if (basis.shape != (m,) or len(set(basis.tolist())) != m
            or basis.min() < 0 or basis.max() >= n + m):
        raise ValueError(
            f"basis must be {m} distinct columns of 0..{n + m - 1}")
    full = np.hstack([A_ub, np.eye(m)])
    cost = np.concatenate([c, np.zeros(m)])
    return np.linalg.solve(full[:, basis].T, cost[basis])
# --8<-- [end:shadow_prices]
