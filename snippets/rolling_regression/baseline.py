"""The slow and the fragile ways the article starts from.

``rolling_ols_naive`` solves one least-squares problem per window;
``window_sums_cumsum`` takes window sums as differences of running totals
(catastrophic cancellation); ``window_sums_blocks`` gets them without any
subtraction, the idea ``rolling_ols`` builds on.
"""

from __future__ import annotations

import numpy as np

from snippets._checks import integer

# ---------------------------------------------------------------------------
# The naive way: one least-squares problem per window and per asset
# ---------------------------------------------------------------------------

# --8<-- [start:naive]
def rolling_ols_naive(y, X, window, min_nobs=None):
    """Rolling OLS of one asset, one ``lstsq`` per window (the slow way).

    y: (T,), X: (T, k) with the constant column included; rows that hold a
    NaN are left out of every window that contains them.
    """
    y, X, window, min_nobs = _naive_args(y, X, window, min_nobs)
    T, k = X.shape
    params = np.full((T, k), np.nan)
    ok = ~(np.isnan(y) | np.isnan(X).any(axis=1))
    for t in range(window - 1, T):
        rows = np.arange(t - window + 1, t + 1)
        rows = rows[ok[rows]]  # 窗口只包含完整的行
        if len(rows) < min_nobs:
            continue
        beta, _, rank, _ = np.linalg.lstsq(X[rows], y[rows], rcond=None)
        if rank == k:
            params[t] = beta
    return params
# --8<-- [end:naive]


# --8<-- [start:cumsum_sums]
def window_sums_cumsum(values, window):
    """Sums over the trailing ``window`` rows (axis 0) via one cumsum.

    Fast but fragile: row t is S[t] - S[t - window], the difference of two
    large running totals.
    """
    values, window = _sums_args(values, window)
    S = np.cumsum(values, axis=0)
    out = S.copy()
    out[window:] -= S[:-window]
    return out
# --8<-- [end:cumsum_sums]


# --8<-- [start:block_sums]
def window_sums_blocks(values, window):
    """Sums over the trailing ``window`` rows (axis 0) without subtraction.

    Rows are cut into blocks of ``window`` rows.  A window ending at
    offset j of block b is the prefix of block b up to j plus the suffix
    of block b - 1 after j: two sums of at most ``window`` terms each.
    """
    values, window = _sums_args(values, window)
    T = values.shape[0]
    nb = -(-T // window)  # 块数，向上取整
    v = np.zeros((nb * window,) + values.shape[1:])
    v[:T] = values
    v = v.reshape((nb, window) + values.shape[1:])
    prefix = np.cumsum(v, axis=1)
    suffix = np.cumsum(v[:, ::-1], axis=1)[:, ::-1]
    out = prefix.copy()
    out[1:, :-1] += suffix[:-1, 1:]  # 上一块中 j 之后的部分
    return out.reshape((nb * window,) + values.shape[1:])[:T]
# --8<-- [end:block_sums]


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------

def _real_array(name, values, ndim=None):
    """A real-valued array (bool, integer or float dtype)."""
    a = np.asarray(values)
    if a.dtype != bool and not (np.issubdtype(a.dtype, np.integer)
                                or np.issubdtype(a.dtype, np.floating)):
        raise TypeError(f"{name} must hold real numbers, got dtype "
                        f"{a.dtype}")
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), "
                         f"got shape {a.shape}")
    if a.ndim == 0:
        raise ValueError(f"{name} must have a row axis, got a scalar")
    return a


def _sums_args(values, window):
    """Checks of ``window_sums_*``: an array with rows, a window >= 1."""
    values = _real_array("values", values)
    window = integer(window, "window")
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    return values, window


def _naive_args(y, X, window, min_nobs):
    """Checks of ``rolling_ols_naive``, as those of ``rolling_ols``."""
    y = _real_array("y", y, ndim=1).astype(np.float64)
    X = _real_array("X", X, ndim=2).astype(np.float64)
    T, k = X.shape
    if len(y) != T:
        raise ValueError(f"y has {len(y)} rows but X has {T}")
    if k == 0:
        raise ValueError("X has no column: nothing to estimate")
    if np.isinf(y).any() or np.isinf(X).any():
        raise ValueError("y and X may not hold infinite values")
    window = integer(window, "window")
    if window < k:
        raise ValueError(f"window={window} is smaller than the number of "
                         f"coefficients ({k})")
    min_nobs = integer(min_nobs, "min_nobs", optional=True)
    min_nobs = k if min_nobs is None else min_nobs
    if not k <= min_nobs <= window:
        raise ValueError(f"min_nobs={min_nobs} must lie between the number "
                         f"of coefficients ({k}) and window ({window})")
    return y, X, window, min_nobs
