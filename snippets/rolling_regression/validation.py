"""Argument checks of ``rolling_ols`` and its columns as float64 arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd

from snippets._checks import flag, integer

# 结果表里的列名：x 不能与它们重名
OUTPUT_COLUMNS = frozenset({"const", "residual", "nobs"})

def _as_list(x):
    if isinstance(x, (np.ndarray, pd.Index, pd.Series)):
        return x.tolist()
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _label(name, value, what="a column name"):
    try:
        hash(value)
    except TypeError:
        raise TypeError(f"{name} must be {what}, got {value!r}") from None


def _check_args(panel, y, xs, window, asset, time, add_constant, min_nobs,
                expanding=False, weights=None):
    if not isinstance(panel, pd.DataFrame):
        raise TypeError(f"panel must be a pandas DataFrame, "
                        f"got {type(panel).__name__}")
    add_constant = flag(add_constant, "add_constant")
    flag(expanding, "expanding")
    for name, value in (("y", y), ("asset", asset), ("time", time)):
        _label(name, value)
    for c in xs:
        _label("x", c, "a column name or a list of column names")
    if weights is not None:
        if isinstance(weights, (bool, np.bool_)):  # 不是“不加权”的开关
            raise TypeError(f"weights must be the name of a column or None, "
                            f"got {weights!r}")
        _label("weights", weights, "the name of a column or None")
    used = [y] + xs + ([] if weights is None else [weights])
    names = [asset, time] + used
    unknown = [c for c in names if c not in panel.columns]
    if unknown:
        raise ValueError(f"unknown column(s) {unknown}; the panel has "
                         f"{list(panel.columns)}")
    if not panel.columns.is_unique:
        counts = panel.columns.value_counts()
        twice = [c for c in dict.fromkeys(names) if counts[c] > 1]
        if twice:
            raise ValueError(f"the panel has more than one column named "
                             f"{twice}")
    if len(set(xs)) != len(xs):
        raise ValueError(f"x lists a column more than once: {xs}")
    if y in xs:
        raise ValueError(f"the dependent variable {y!r} is also in x")
    if asset == time:
        raise ValueError("asset and time must be two different columns")
    coef = (["const"] if add_constant else []) + xs
    clash = OUTPUT_COLUMNS & set(xs)
    if clash:
        raise ValueError(f"x may not contain the output column name(s) "
                         f"{sorted(clash)}")
    k = len(coef)
    if k == 0:
        raise ValueError("no coefficient to estimate: x is empty and "
                         "add_constant is False")
    for c in dict.fromkeys(used):
        dtype = panel[c].dtype
        if (not pd.api.types.is_numeric_dtype(dtype)
                or pd.api.types.is_complex_dtype(dtype)):
            raise TypeError(f"column {c!r} must be numeric (real), "
                            f"got {dtype}")
    window = integer(window, "window")
    if window < k:
        raise ValueError(f"window={window} is smaller than the number of "
                         f"coefficients ({k}: {coef})")
    min_nobs = integer(min_nobs, "min_nobs", optional=True)
    if min_nobs is None:
        min_nobs = k
    if not k <= min_nobs <= window:
        raise ValueError(f"min_nobs={min_nobs} must lie between the number "
                         f"of coefficients ({k}) and window ({window})")
    if len(panel) == 0:
        raise ValueError("panel has no rows")
    return coef, window, min_nobs


def _columns(panel, names, weights, order):
    """The columns as float64 rows in (asset, time) order.

    Returns the data (len(names), n) with zeros on incomplete rows, the
    mask of complete rows (no NaN, weight included) and the weights (zero
    on incomplete rows), or None without weights.
    """
    cols = names + ([] if weights is None else [weights])
    data = np.empty((len(cols), len(panel)))
    for row, c in zip(data, cols):
        col = panel[c].to_numpy(dtype=np.float64, na_value=np.nan)
        row[:] = col if order is None else col[order]
        if np.isinf(row).any():
            raise ValueError(f"column {c!r} holds infinite values")
    valid = ~np.isnan(data).any(axis=0)
    wts = None
    if weights is not None:
        data, wts = data[:-1], data[-1]
        bad = wts <= 0  # NaN 不算：那一行只是缺失
        if bad.any():
            raise ValueError(f"weights must be positive: column {weights!r}"
                             f" holds {float(wts[bad][0])!r}")
        wts[~valid] = 0.0
    data[:, ~valid] = 0.0
    return data, valid, wts
