"""多资产滚动回归
文章：docs/blog/posts/2026-11-25-rolling-regression.md

``rolling_ols`` estimates a rolling-window OLS regression for every asset of a
long (asset, date) panel at once, with the semantics of statsmodels
``RollingOLS(missing="drop")`` applied to each asset separately; with
``expanding=True`` or ``weights=`` it follows ``RollingOLS(expanding=True)``
and ``RollingWLS(weights=...)``.  The panel is reshaped into dense (time,
asset) arrays with one sort; window sums of the cross products come from
block prefix and suffix sums (no subtraction of cumulative sums, hence no
catastrophic cancellation), taken around a local reference point; all
windows are then solved together by a vectorised Cholesky factorisation that
flags rank-deficient windows.  The ``show_*`` and ``plot_*`` functions build
the article's tables and figures.
"""

from __future__ import annotations

import json
import numbers
from pathlib import Path

import numpy as np
import pandas as pd

from snippets._precision import bound
from snippets._checks import flag, integer

# 由 benchmarks/bench_rolling.py 写入并提交；站点构建只读取它，从不计时
# the committed benchmark results, found from any working directory
BENCH_RESULTS = str(Path(__file__).resolve().parents[1]
                    / "benchmarks/results/rolling.json")

# 某个回归变量对常数项和它前面的回归变量做回归后，剩余平方和不到
# 自身平方和的这个比例时，窗口视为秩亏，估计记为 NaN
RANK_TOL = 1e-10

# 每一块资产的工作数组大约占用的元素个数（控制峰值内存）
_CHUNK_ELEMENTS = 1 << 13


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
# Input checks and the dense layout
# ---------------------------------------------------------------------------

def _fraction(name, value):
    if (isinstance(value, (bool, np.bool_))
            or not isinstance(value, numbers.Real)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not 0 <= value <= 1:
        raise ValueError(f"{name}={value!r} must lie between 0 and 1")
    return float(value)


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


def _panel_args(n_assets, n_dates, n_factors, late_start, gaps, missing):
    """Checks of ``make_panel``; returns the three sizes as ints."""
    sizes = []
    for name, v, low, high in (("n_assets", n_assets, 1, None),
                               ("n_dates", n_dates, 2, None),
                               ("n_factors", n_factors, 1, len(FACTORS))):
        v = integer(v, name)
        if v < low or (high is not None and v > high):
            span = f"at least {low}" if high is None else (
                f"between {low} and {high}")
            raise ValueError(f"{name} must be {span}, got {v}")
        sizes.append(v)
    for name, v in (("late_start", late_start), ("gaps", gaps),
                    ("missing", missing)):
        _fraction(name, v)
    return tuple(sizes)


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
    clash = {"const", "residual", "nobs"} & set(xs)
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


# --8<-- [start:layout]
def _sorted_layout(panel, asset, time):
    """Row codes and the permutation that sorts by (asset, time)."""
    a_code, assets = pd.factorize(panel[asset], sort=True)
    t_code, dates = pd.factorize(panel[time], sort=True)
    if (a_code < 0).any() or (t_code < 0).any():
        raise ValueError(f"{asset!r} and {time!r} may not be missing")
    key = a_code.astype(np.int64) * len(dates) + t_code
    order = None
    if not (key[1:] > key[:-1]).all():  # 已经排好序时省掉一次排序
        order = np.argsort(key, kind="stable")
        key, a_code, t_code = key[order], a_code[order], t_code[order]
    dup = np.flatnonzero(key[1:] == key[:-1])
    if len(dup):
        i = dup[0]
        raise ValueError(f"duplicate ({asset}, {time}) row "
                         f"({assets[a_code[i]]!r}, {dates[t_code[i]]})")
    counts = np.bincount(a_code, minlength=len(assets))
    starts = np.cumsum(counts) - counts
    # 每一行在本资产时间序列中的位置：窗口按它计数，而不是按日历
    pos = np.arange(len(key)) - np.repeat(starts, counts)
    return order, a_code, t_code, assets, dates, counts, starts, pos
# --8<-- [end:layout]


# ---------------------------------------------------------------------------
# The vectorised estimator
# ---------------------------------------------------------------------------

def _pairs(k):
    """Cross products needed: x_i x_j (i <= j) and x_i y (index k is y)."""
    return ([(i, j) for i in range(k) for j in range(i, k)]
            + [(i, k) for i in range(k)])


# --8<-- [start:chunk_sums]
def _window_moments(Z, V, window, center, W=None):
    """Window sums of 1, z and the products z_i z_j, for every row.

    Z: (k + 1, A, L) regressors then y, zero where a row is incomplete;
    V: (A, L) 1.0 for a complete row; L is a multiple of ``window``.  Each
    block of ``window`` rows gets a reference point R (with ``center``: the
    mean of the block and the one before); every window ending in block b
    is summed around R[b].  With weights W (A, L), zero where V is, the
    sums are of w, w z and w z_i z_j, plus a last one counting the rows.
    Returns the moments (q, A, L), the shifted data (k + 1, A, L) and the
    reference points (k + 1, A, L // window).
    """
    m, A, L = Z.shape
    nb, k = L // window, m - 1
    Zb = Z.reshape(m, A, nb, window)
    Vb = V.reshape(A, nb, window)
    R = np.zeros((m, A, nb, 1))
    if center:
        s, c = Zb.sum(axis=-1), Vb.sum(axis=-1)
        s[..., 1:] += s[..., :-1]  # 本块加上一块
        c[..., 1:] += c[..., :-1]
        np.divide(s, c, out=R[..., 0], where=c > 0)
    cur = (Zb - R) * Vb  # 本块，以 R[b] 为参照
    prev = np.zeros_like(cur)  # 上一块，同样以 R[b] 为参照
    prev[..., 1:, :] = (Zb[..., :-1, :] - R[..., 1:, :]) * Vb[:, :-1]
    Vp = np.zeros_like(Vb)
    Vp[:, 1:] = Vb[:, :-1]
    Wb = Wp = None
    if W is not None:
        Wb = W.reshape(A, nb, window)
        Wp = np.zeros_like(Wb)
        Wp[:, 1:] = Wb[:, :-1]
    pairs = _pairs(k)

    def moments(D, V, W):
        M = np.empty((1 + m + len(pairs) + (W is not None),) + V.shape)
        if W is None:  # 权重就是 0/1 指示
            M[0], WD = V, D
            M[1:1 + m] = D
        else:
            M[0], M[-1] = W, V  # 权重之和；最后一行数行数
            WD = np.multiply(D, W, out=M[1:1 + m])
        for c, (i, j) in enumerate(pairs, start=1 + m):
            np.multiply(WD[i], D[j], out=M[c])
        return M

    total = moments(cur, Vb, Wb)
    np.cumsum(total, axis=-1, out=total)  # 本块的前缀和
    suffix = moments(prev, Vp, Wp)[..., ::-1]
    np.cumsum(suffix, axis=-1, out=suffix)  # 上一块的后缀和（倒序累加）
    total[..., :-1] += suffix[..., ::-1][..., 1:]
    return total.reshape(-1, A, L), cur.reshape(m, A, L), R[..., 0]
# --8<-- [end:chunk_sums]


# --8<-- [start:solve]
def _solve_windows(M, k, center, tol=RANK_TOL):
    """Solve the normal equations of many windows at once.

    M: (q, N) window moments from ``_window_moments``, one column per
    window (weighted sums give weighted least squares).  Returns the
    slopes (k, N), the window means of the shifted data (k + 1, N) and a
    mask of the windows whose design has full rank.
    """
    n, s = M[0], M[1:k + 2]
    mean = s / n if center else np.zeros_like(s)
    A = [[None] * k for _ in range(k)]
    b = [None] * k
    for c, (i, j) in enumerate(_pairs(k), start=k + 2):
        S = M[c] - s[i] * mean[j] if center else M[c]  # 减去窗口均值
        if j < k:
            A[i][j] = A[j][i] = S
        else:
            b[i] = S
    ok = np.ones(M.shape[1], dtype=bool)
    for j in range(k):  # 窗口内（几乎）不变的回归变量
        ok &= A[j][j] > tol * M[k + 2 + _pairs(k).index((j, j))]
    # Cholesky 分解 A = G Gᵀ，逐列进行，对全部窗口同时向量化；
    # 主元 / 对角元 = 第 j 个变量对前面变量回归后的 1 − R²
    G = [[None] * k for _ in range(k)]
    for j in range(k):
        piv = A[j][j] - sum(G[j][p] ** 2 for p in range(j))
        ok &= piv > tol * A[j][j]
        G[j][j] = np.sqrt(np.where(ok, piv, 1.0))
        for i in range(j + 1, k):
            G[i][j] = (A[i][j] - sum(G[i][p] * G[j][p] for p in range(j))
                       ) / G[j][j]
    z = [None] * k
    for i in range(k):  # 前代：G z = b
        z[i] = (b[i] - sum(G[i][p] * z[p] for p in range(i))) / G[i][i]
    beta = [None] * k
    for i in reversed(range(k)):  # 回代：Gᵀ β = z
        beta[i] = (z[i] - sum(G[p][i] * beta[p] for p in range(i + 1, k))
                   ) / G[i][i]
    return np.reshape(beta, (k, M.shape[1])), mean, ok
# --8<-- [end:solve]


# --8<-- [start:rolling_ols]
def rolling_ols(panel, y, x, window, asset="asset", time="date",
                add_constant=True, min_nobs=None, *, expanding=False,
                weights=None):
    """Rolling OLS of ``y`` on ``x`` for every asset of a long panel.

    The estimate at each (asset, date) uses the ``window`` rows of that
    asset ending at that date (rows counted in time order, not calendar
    days); rows with a missing value are left out of the windows that
    contain them and a window needs ``min_nobs`` complete rows (default:
    the number of coefficients), as statsmodels RollingOLS(missing="drop").
    With ``expanding=True`` the first ``window - 1`` dates use all the rows
    so far, as RollingOLS(expanding=True).  ``weights`` names a column of
    positive weights: weighted least squares in every window, as
    RollingWLS (a row whose weight is missing is left out).  A window
    whose design is rank deficient (1 - R² of a regressor on the others
    below ``RANK_TOL``) gives NaN coefficients and residual.

    Returns a DataFrame indexed by (asset, date), sorted, with one column
    per coefficient (``const`` first when ``add_constant``), ``residual``
    (y_t - x_t·beta_t, unweighted; NaN on a row left out of the fit) and
    ``nobs`` (complete rows in the window; 0 before the asset has
    ``window`` rows, unless ``expanding``).  Without a constant the window
    sums are not centred: a regression through the origin has no mean to
    take out.
    """
    xs = _as_list(x)
    coef, window, min_nobs = _check_args(panel, y, xs, window, asset, time,
                                         add_constant, min_nobs, expanding,
                                         weights)
    order, a_code, t_code, assets, dates, counts, starts, pos = \
        _sorted_layout(panel, asset, time)
    data, valid, wts = _columns(panel, xs + [y], weights, order)

    k, n_rows = len(xs), data.shape[1]
    params = np.full((n_rows, len(coef)), np.nan)
    resid = np.full(n_rows, np.nan)
    nobs = np.zeros(n_rows, dtype=np.int64)
    first = 0 if expanding else window - 1  # 第一个有估计的位置
    # 按资产分块处理，工作数组的大小有上界
    step = max(1, _CHUNK_ELEMENTS // int(counts.max()))
    for a0 in range(0, len(assets), step):
        a1 = min(a0 + step, len(assets))
        longest = int(counts[a0:a1].max())
        if longest <= first:  # 这几只资产都凑不满一个窗口
            continue
        # 窗口比序列还长时（只在 expanding 下），块长取序列长度即可
        block = min(window, longest)
        L = -(-longest // block) * block
        rows = slice(starts[a0], starts[a0] + counts[a0:a1].sum())
        _fit_chunk(data[:, rows], valid[rows],
                   None if wts is None else wts[rows], a_code[rows] - a0,
                   pos[rows], a1 - a0, L, block, first, k, add_constant,
                   min_nobs, params[rows], resid[rows], nobs[rows])

    index = pd.MultiIndex(levels=[assets, dates], codes=[a_code, t_code],
                          names=[asset, time], verify_integrity=False)
    out = pd.DataFrame(params, index=index, columns=coef)
    out["residual"] = resid
    out["nobs"] = nobs
    return out
# --8<-- [end:rolling_ols]


def _fit_chunk(data, valid, wts, a_loc, pos, A, L, block, first, k, center,
               min_nobs, params_out, resid_out, nobs_out):
    """Estimate one chunk of assets; writes into the ``*_out`` views.

    ``block``: the window length used for the sums (the window, or the
    longest series when that is shorter); ``first``: the first position
    with an estimate (0 when expanding).
    """
    m = k + 1
    flat = a_loc * L + pos  # 行在 (资产, 时间位置) 稠密数组中的下标
    Z = np.zeros((m, A * L))
    Z[:, flat] = data
    V = np.zeros(A * L)
    V[flat] = valid
    W = None
    if wts is not None:
        W = np.zeros(A * L)
        W[flat] = wts
        W = W.reshape(A, L)
    M, cur, R = _window_moments(Z.reshape(m, A, L), V.reshape(A, L),
                                block, center, W)
    M = M.reshape(len(M), -1)
    n = M[0 if wts is None else -1, flat]  # 窗口内完整的行数
    nobs_out[:] = np.where(pos >= first, n, 0).astype(np.int64)
    est = np.flatnonzero((pos >= first) & (n >= min_nobs))
    if len(est) == 0:
        return
    cells = flat[est]
    beta, mean, ok = _solve_windows(M[:, cells], k, center)
    zc = cur.reshape(m, -1)[:, cells]  # 本行（已平移）
    res = (zc[k] - mean[k]) - ((zc[:k] - mean[:k]) * beta).sum(axis=0)
    coefs = beta
    if center:
        r = R.reshape(m, -1)[:, a_loc[est] * (L // block)
                              + pos[est] // block]
        const = (mean[k] + r[k]) - ((mean[:k] + r[:k]) * beta).sum(axis=0)
        coefs = np.vstack([const, beta])
    coefs[:, ~ok] = np.nan
    res[~ok | ~valid[est]] = np.nan
    params_out[est] = coefs.T
    resid_out[est] = res


# ---------------------------------------------------------------------------
# A synthetic panel with known, time-varying betas
# ---------------------------------------------------------------------------

FACTORS = ("mkt", "smb", "hml")
KINDS = ("漂移", "切换", "稳定")


# --8<-- [start:make_panel]
def make_panel(n_assets=200, n_dates=2000, n_factors=2, late_start=0.25,
               gaps=0.2, missing=0.003, seed=0):
    """Daily returns of many assets on ``n_factors`` factors.

    Returns ``(panel, truth)``: the long panel (asset, date, ret, factors)
    and the true betas indexed by (asset, date).  Market betas drift
    (slow cycles), switch regime once, or stay put, by asset; some assets
    start late, some are suspended for a while (their rows are absent) and
    a few returns are missing (NaN).
    """
    A, T, f = _panel_args(n_assets, n_dates, n_factors, late_start, gaps,
                          missing)
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2017-01-02", periods=T)
    t = np.arange(T)
    vol = np.array([0.010, 0.005, 0.005])[:f]
    F = rng.normal(0.0, 1.0, (T, f)) * vol  # 因子收益
    F[:, 0] += 0.0003
    kind = np.arange(A) % 3  # 0 漂移、1 切换、2 稳定
    B = np.empty((A, T, f))
    level = rng.uniform(0.6, 1.4, A)
    amp = rng.uniform(0.2, 0.5, A)
    period = rng.uniform(400, 1500, A)
    phase = rng.uniform(0, 2 * np.pi, A)
    cycle = level[:, None] + amp[:, None] * np.sin(
        2 * np.pi * t / period[:, None] + phase[:, None])
    before = rng.uniform(0.4, 0.9, A)
    after = rng.uniform(1.1, 1.6, A)
    flip = rng.random(A) < 0.5  # 一半资产是从高贝塔切到低贝塔
    before[flip], after[flip] = after[flip], before[flip]
    switch = rng.integers(int(0.3 * T), int(0.8 * T), A)
    regime = np.where(t < switch[:, None], before[:, None], after[:, None])
    B[..., 0] = np.select([kind[:, None] == 0, kind[:, None] == 1],
                          [cycle, regime], level[:, None])
    for j in range(1, f):  # 风格因子的暴露：常数加一点缓慢漂移
        B[..., j] = rng.uniform(-0.6, 0.6, (A, 1)) + 0.2 * np.sin(
            2 * np.pi * t / rng.uniform(600, 2000, (A, 1))
            + rng.uniform(0, 2 * np.pi, (A, 1)))
    sigma = rng.uniform(0.008, 0.02, A)  # 特质波动率
    noise = rng.normal(0.0, 1.0, (A, T)) * sigma[:, None]
    ret = np.einsum("atf,tf->at", B, F) + noise

    present = np.ones((A, T), dtype=bool)
    late = rng.random(A) < late_start  # 晚上市的资产
    first = rng.integers(int(0.1 * T), int(0.6 * T), A)
    present[late] = t >= first[late, None]
    halted = rng.random(A) < gaps  # 停牌：这段时间没有行
    g0 = rng.integers(0, T, A)
    g_len = rng.integers(5, 60, A)
    present[halted] &= ((t < g0[halted, None])
                        | (t >= (g0 + g_len)[halted, None]))
    ret[rng.random((A, T)) < missing] = np.nan  # 零星缺失的收益

    a, d = np.nonzero(present)
    width = len(str(A - 1))
    names = np.array([f"S{i:0{width}d}" for i in range(A)])
    panel = pd.DataFrame({"asset": names[a], "date": dates[d],
                          "ret": ret[a, d]})
    for j in range(f):
        panel[FACTORS[j]] = F[d, j]
    truth = pd.DataFrame({f"beta_{FACTORS[j]}": B[a, d, j]
                          for j in range(f)},
                         index=pd.MultiIndex.from_arrays(
                             [names[a], dates[d]],
                             names=["asset", "date"]))
    truth["sigma"] = sigma[a]
    truth["kind"] = np.array(KINDS)[kind[a]]
    truth["late"] = late[a]
    truth["halted"] = halted[a]
    return panel, truth
# --8<-- [end:make_panel]


# ---------------------------------------------------------------------------
# Demos shown in the article
# ---------------------------------------------------------------------------

def _article_panel():
    return make_panel(n_assets=200, n_dates=2000, n_factors=2, seed=0)


def _examples(truth):
    """Three assets for the figures: a drifting, a switching, a late one.

    The late one also has a suspension well inside its history.
    """
    info = truth.groupby(level="asset")[["kind", "late", "halted"]].first()
    drift = info.index[(info.kind == "漂移") & ~info.late & ~info.halted][0]
    switch = info.index[(info.kind == "切换") & ~info.late
                        & ~info.halted][0]
    all_dates = truth.index.get_level_values("date").unique().sort_values()
    for name in info.index[info.late & info.halted
                           & (info.kind != "稳定")]:
        pos = all_dates.get_indexer(truth.loc[name].index)
        gap = int(np.argmax(np.diff(pos)))
        if gap > 150 and len(pos) - gap > 150:  # 停牌在中段
            return [drift, switch, name]
    raise RuntimeError("no late asset with a suspension in the middle")


def show_panel_head():
    panel, _ = _article_panel()
    df = panel.head(6).copy()
    df["date"] = df["date"].dt.strftime("%Y-%m-%d")
    for c in ("ret", "mkt", "smb"):
        df[c] = [f"{v:.5f}" for v in df[c]]
    return df.set_index(["asset", "date"])


def show_panel_summary():
    panel, truth = _article_panel()
    info = truth.groupby(level="asset")[["kind", "late", "halted"]].first()
    rows = panel.groupby("asset").size()
    return "\n".join([
        f"资产数 {panel['asset'].nunique()}，交易日 "
        f"{panel['date'].nunique()}，共 {len(panel)} 行（长格式）",
        f"贝塔类型：" + "，".join(f"{k} {int((info.kind == k).sum())} 只"
                                   for k in KINDS),
        f"晚上市 {int(info.late.sum())} 只，停牌过 "
        f"{int(info.halted.sum())} 只；每只资产的行数在 "
        f"{rows.min()} 到 {rows.max()} 之间",
        f"收益缺失（NaN）的行：{int(panel['ret'].isna().sum())}",
    ])


def _asset_axes(n):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(n, 1, figsize=(8.4, 2.3 * n), sharex=True)
    return fig, np.atleast_1d(axes)


def plot_true_betas():
    panel, truth = _article_panel()
    fig, axes = _asset_axes(3)
    titles = ["缓慢漂移", "发生一次切换", "晚上市，中途停牌"]
    for ax, name, title in zip(axes, _examples(truth), titles):
        tr = truth.loc[name]
        full = pd.Series(np.nan, index=pd.DatetimeIndex(
            panel["date"].unique()))
        full[tr.index] = tr["beta_mkt"]  # 没有行的日期留白
        ax.plot(full.index, full.to_numpy(), color="C0")
        ax.set_title(f"{name}：{title}", fontsize=10)
        ax.set_ylabel("市场贝塔")
    fig.tight_layout()
    return fig


def _fmt(v, digits=4):
    return "NaN" if np.isnan(v) else f"{v:.{digits}f}"


def _statsmodels_params(panel, name, window, x=("mkt", "smb"),
                        params_only=True):
    """statsmodels RollingOLS on one asset (rows sorted by date)."""
    import statsmodels.api as sm
    from statsmodels.regression.rolling import RollingOLS

    g = panel[panel["asset"] == name].sort_values("date")
    exog = sm.add_constant(g[list(x)], has_constant="add")
    res = RollingOLS(g["ret"], exog, window=window,
                     missing="drop").fit(params_only=params_only)
    params = res.params.set_axis(g["date"].to_numpy())
    return params, res


def show_statsmodels_table():
    panel, truth = _article_panel()
    est = rolling_ols(panel, "ret", ["mkt", "smb"], window=60)
    rows = []
    for name in _examples(truth):
        sm_params, _ = _statsmodels_params(panel, name, 60)
        ours = est.loc[name]
        for date in ours.index[[59, 60, len(ours) // 2, -1]]:
            for src, vals in (("rolling_ols", ours.loc[date]),
                              ("statsmodels", sm_params.loc[date])):
                rows.append({"资产": name,
                             "日期": date.strftime("%Y-%m-%d"),
                             "来源": src,
                             **{c: _fmt(vals[c], 6)
                                for c in ("const", "mkt", "smb")}})
    return pd.DataFrame(rows).set_index(["资产", "日期", "来源"])


def show_statsmodels_agreement():
    panel, _ = _article_panel()
    est = rolling_ols(panel, "ret", ["mkt", "smb"], window=60)
    names = sorted(panel["asset"].unique())[::5]  # 每 5 只取 1 只
    worst, same_nan, windows = 0.0, True, 0
    for name in names:
        sm_params, _ = _statsmodels_params(panel, name, 60)
        ours = est.loc[name, ["const", "mkt", "smb"]].to_numpy()
        ref = sm_params[["const", "mkt", "smb"]].to_numpy()
        same_nan &= bool((np.isnan(ours) == np.isnan(ref)).all())
        ok = ~np.isnan(ref)
        windows += int(ok[:, 0].sum())
        worst = max(worst, float(np.abs(ours[ok] - ref[ok]).max()))
    return "\n".join([
        f"比较了 {len(names)} 只资产、{windows} 个窗口",
        f"NaN 的位置完全相同：{same_nan}",
        f"系数的最大绝对差：{bound(worst, 1e-12)}",
    ])


def _lstsq_centered(y, X, window):
    """Reference: per-window lstsq on window-centred data, then intercept."""
    T, k = X.shape
    out = np.full((T, k + 1), np.nan)
    for t in range(window - 1, T):
        xs, ys = X[t - window + 1:t + 1], y[t - window + 1:t + 1]
        xm, ym = xs.mean(axis=0), ys.mean()
        b = np.linalg.lstsq(xs - xm, ys - ym, rcond=None)[0]
        out[t] = np.r_[ym - xm @ b, b]
    return out


def _from_sums(y, X, window, sums):
    """Rolling OLS with a constant from window sums of raw products."""
    D = np.column_stack([np.ones(len(y)), X])
    P = np.einsum("ti,tj->tij", D, D)
    r = np.einsum("ti,t->ti", D, y)
    XtX, Xty = sums(P, window), sums(r, window)
    out = np.full(D.shape, np.nan)
    out[window - 1:] = np.linalg.solve(XtX[window - 1:],
                                       Xty[window - 1:, :, None])[..., 0]
    return out


# the relative error a correct double-precision fit can show here on any CPU:
# the reference lstsq itself is only that accurate
NOISE_LEVEL = 1e-11


def show_cancellation():
    from statsmodels.regression.rolling import RollingOLS

    rng = np.random.default_rng(1)
    T, window, k = 2000, 60, 3
    base = rng.random((T, k))  # 在 [0, 1) 内变化
    beta = np.array([0.5, -1.0, 2.0])
    noise = 0.1 * rng.standard_normal(T)
    rows = []
    for offset in (0.0, 1e2, 1e4, 1e6):
        X = offset + base
        y = 1.0 + X @ beta + noise
        ref = _lstsq_centered(y, X, window)
        df = pd.DataFrame({"asset": "a", "date": np.arange(T), "y": y,
                           "x1": X[:, 0], "x2": X[:, 1], "x3": X[:, 2]})
        ours = rolling_ols(df, "y", ["x1", "x2", "x3"], window)
        sm = RollingOLS(y, np.column_stack([np.ones(T), X]),
                        window=window).fit(params_only=True).params
        methods = {
            "累积和相减": _from_sums(y, X, window, window_sums_cumsum),
            "分块求和（不平移）": _from_sums(y, X, window, window_sums_blocks),
            "statsmodels": sm,
            "rolling_ols": ours.iloc[:, :k + 1].to_numpy(),
        }
        row = {"偏移量": f"{offset:.0e}" if offset else "0"}
        for label, est in methods.items():
            err = np.nanmax(np.abs(est[:, 1:] - ref[:, 1:]) / np.abs(ref[:, 1:]))
            # 舍入噪声只给上界；更大的误差是要展示的量级，只留 1 位有效数字
            row[label] = (bound(err, NOISE_LEVEL) if err < NOISE_LEVEL
                          else f"{err:.0e}")
        rows.append(row)
    return pd.DataFrame(rows).set_index("偏移量")


def plot_estimated_betas():
    panel, truth = _article_panel()
    fits = {w: rolling_ols(panel, "ret", ["mkt", "smb"], window=w)
            for w in (60, 250)}
    fig, axes = _asset_axes(3)
    all_dates = pd.DatetimeIndex(panel["date"].unique())
    for ax, name in zip(axes, _examples(truth)):
        def on_grid(s):  # 停牌期间没有行：在图上留出空白
            return s.reindex(all_dates).to_numpy()
        ax.plot(all_dates, on_grid(truth.loc[name, "beta_mkt"]),
                color="C0", lw=2, label="真实贝塔")
        for w, color in ((60, "C1"), (250, "C2")):
            ax.plot(all_dates, on_grid(fits[w].loc[name, "mkt"]),
                    color=color, lw=0.9, label=f"窗口 {w}")
        ax.set_title(name, fontsize=10)
        ax.set_ylabel("市场贝塔")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, ncol=3, fontsize=9, loc="upper center",
               frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    return fig


def show_tracking_error():
    panel, truth = _article_panel()
    rows = []
    for w in (20, 60, 120, 250):
        est = rolling_ols(panel, "ret", ["mkt", "smb"], window=w)
        err = (est["mkt"] - truth["beta_mkt"]).dropna()
        kind = truth.loc[err.index, "kind"]
        rows.append({"窗口": w, **{
            f"{k}：RMSE": f"{np.sqrt((err[kind == k] ** 2).mean()):.3f}"
            for k in KINDS}})
    return pd.DataFrame(rows).set_index("窗口")


def show_residuals():
    panel, truth = _article_panel()
    est = rolling_ols(panel, "ret", ["mkt", "smb"], window=60)
    mkt = panel.set_index(["asset", "date"])["mkt"]
    rows = []
    for name in _examples(truth):
        r = est.loc[name, "residual"].dropna()
        sigma = truth.loc[name, "sigma"].iloc[0]
        corr = np.corrcoef(r, mkt.loc[name].loc[r.index])[0, 1]
        rows.append({"资产": name, "残差个数": len(r),
                     "残差均值": f"{r.mean():.5f}",
                     "残差标准差 s": f"{r.std():.4f}",
                     "真实特质波动 σ": f"{sigma:.4f}",
                     "s / σ": f"{r.std() / sigma:.3f}",
                     "与市场因子的相关": f"{corr:.3f}"})
    return pd.DataFrame(rows).set_index("资产")


def show_rank_deficient():
    from statsmodels.regression.rolling import RollingOLS

    rng = np.random.default_rng(2)
    T, window = 12, 5
    x1, x2 = rng.normal(size=T), rng.normal(size=T)
    x2[2:9] = 0.3  # 这段时间 x2 不变：与常数项共线
    y = 1 + 2 * x1 - x2 + 0.1 * rng.normal(size=T)
    df = pd.DataFrame({"asset": "a", "date": np.arange(1, T + 1),
                       "x1": x1, "x2": x2, "y": y})
    out = rolling_ols(df, "y", ["x1", "x2"], window=window)
    sm = RollingOLS(y, np.column_stack([np.ones(T), x1, x2]),
                    window=window).fit(params_only=True).params
    show = pd.DataFrame({
        "t": df["date"], "x2": [f"{v:.3f}" for v in x2],
        "rolling_ols: x1": [_fmt(v, 3) for v in out["x1"]],
        "rolling_ols: x2": [_fmt(v, 3) for v in out["x2"]],
        "statsmodels: x1": [_fmt(v, 3) for v in sm[:, 1]],
        "statsmodels: x2": [_fmt(v, 3) for v in sm[:, 2]]})
    return show.set_index("t")


def show_duplicate_error():
    panel, _ = _article_panel()
    doubled = pd.concat([panel, panel.iloc[[100]]])
    return rolling_ols(doubled, "ret", ["mkt", "smb"], window=60)


# ---------------------------------------------------------------------------
# Benchmark results (written by benchmarks/bench_rolling.py)
# ---------------------------------------------------------------------------

def load_benchmark(path=BENCH_RESULTS):
    with open(Path(path), encoding="utf-8") as fh:
        return json.load(fh)


def show_benchmark():
    res = load_benchmark()
    rows = []
    for r in res["results"]:
        rows.append({"方法": r["label"],
                     "中位数（秒）": f"{r['median_s']:.3f}",
                     "重复次数": len(r["times_s"]),
                     "rolling_ols 快多少倍": (
                         "—" if r["name"] == "rolling_ols"
                         else f"{res['ratios'][r['name']]:.0f}×")})
    return pd.DataFrame(rows).set_index("方法")


def show_benchmark_context():
    res = load_benchmark()
    m, cfg = res["machine"], res["config"]
    versions = "，".join(f"{k} {v}" for k, v in res["versions"].items())
    return "\n".join([
        f"数据：{cfg['n_assets']} 只资产 × {cfg['n_dates']} 个交易日，"
        f"共 {cfg['n_rows']} 行，其中 {cfg['missing_returns']} 行收益缺失",
        f"模型：{cfg['n_regressors']} 个回归变量加常数项，窗口 {cfg['window']}",
        f"机器：{m['cpu']}，{m['cores']} 核；{m['platform']}",
        f"版本：Python {m['python']}，{versions}",
        f"日期：{res['date']}",
        f"机器与其他任务共用（结束时 1 分钟平均负载 "
        f"{res['load_average_after'][0]:.1f}），各方法轮流计时",
        f"按进程 CPU 时间算的倍数：fit() "
        f"{res['ratios_cpu']['statsmodels_fit']:.0f}×，params_only "
        f"{res['ratios_cpu']['statsmodels_params_only']:.0f}×",
        f"rolling_ols 的峰值内存（tracemalloc）："
        f"{res['peak_memory_mb']:.0f} MB",
        f"与 statsmodels 系数的最大绝对差：fit() "
        f"{bound(res['max_abs_diff']['statsmodels_fit'], 1e-12)}，params_only "
        f"{bound(res['max_abs_diff']['statsmodels_params_only'], 1e-12)}",
    ])


def plot_benchmark():
    import matplotlib.pyplot as plt

    res = load_benchmark()
    labels = [r["label"] for r in res["results"]][::-1]
    med = [r["median_s"] for r in res["results"]][::-1]
    fig, ax = plt.subplots(figsize=(8.4, 2.8))
    bars = ax.barh(labels, med, color=["C0", "C1", "C2"][:len(med)])
    ax.set_xscale("log")
    ax.set_xlabel("运行时间的中位数（秒，对数刻度）")
    for bar, v in zip(bars, med):
        ax.text(v * 1.08, bar.get_y() + bar.get_height() / 2, f"{v:.2f} s",
                va="center", fontsize=9)
    ax.set_xlim(min(med) / 2, max(med) * 4)
    fig.tight_layout()
    return fig
