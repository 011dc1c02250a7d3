"""The vectorised rolling estimator: ``rolling_ols`` over a long panel.

The panel is reshaped with one sort into dense arrays laid out as
(position in block, block, asset), so that each step of a running sum adds
one long row; window sums of the cross products come from block prefix and
suffix sums (no subtraction of cumulative sums, hence no catastrophic
cancellation), taken around a local reference point; all windows are then
solved together by a vectorised Cholesky factorisation that flags
rank-deficient windows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from snippets.rolling_regression.validation import (_as_list, _check_args,
                                                    _columns)

# 某个回归变量对常数项和它前面的回归变量做回归后，剩余平方和不到
# 自身平方和的这个比例时，窗口视为秩亏，估计记为 NaN
RANK_TOL = 1e-10

# 每一块资产的工作数组大约占用的元素个数（控制峰值内存）
_CHUNK_ELEMENTS = 1 << 15


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
def _window_moments(Z, V, A, center, W=None):
    """Window sums of 1, z and the products z_i z_j, for every row.

    Z: (k + 1, w, C) regressors then y, zero where a row is incomplete;
    V: (w, C) 1.0 for a complete row.  Column c = b A + a holds block b
    (w rows) of asset a, so the block before it is column c - A.  Each
    column gets a reference point R (with ``center``: the mean of the
    block and the one before); every window ending in block b is summed
    around R[b].  With weights W (w, C), zero where V is, the sums are of
    w, w z and w z_i z_j, plus a last one counting the rows.  Returns the
    moments (q, w, C), the shifted data (k + 1, w, C) and the reference
    points (k + 1, C).
    """
    m, w, C = Z.shape
    R = np.zeros((m, C))
    if center:
        s, c = Z.sum(axis=1), V.sum(axis=0)
        s[:, A:] += s[:, :-A]  # 本块加上一块
        c[A:] += c[:-A]
        np.divide(s, c, out=R, where=c > 0)
    cur = (Z - R[:, None]) * V  # 本块，以 R[b] 为参照
    prev = np.zeros_like(cur)  # 上一块，同样以 R[b] 为参照
    prev[..., A:] = (Z[..., :-A] - R[:, None, A:]) * V[:, :-A]
    Vp = np.zeros_like(V)
    Vp[:, A:] = V[:, :-A]
    Wp = None
    if W is not None:
        Wp = np.zeros_like(W)
        Wp[:, A:] = W[:, :-A]
    pairs = _pairs(m - 1)

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

    # 累加沿块内位置进行：每一步把一整行（所有块、所有资产）加到下一行上
    total = moments(cur, V, W)
    for j in range(1, w):  # 本块的前缀和
        total[:, j] += total[:, j - 1]
    suffix = moments(prev, Vp, Wp)
    for j in range(w - 2, 0, -1):  # 上一块的后缀和（倒序累加）
        suffix[:, j] += suffix[:, j + 1]
    total[:, :-1] += suffix[:, 1:]
    return total, cur, R
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
    params = np.full((len(coef), n_rows), np.nan)  # 每个系数一行
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
                   min_nobs, params[:, rows], resid[rows], nobs[rows])

    index = pd.MultiIndex(levels=[assets, dates], codes=[a_code, t_code],
                          names=[asset, time], verify_integrity=False)
    columns = dict(zip(coef, params)) | {"residual": resid, "nobs": nobs}
    return pd.DataFrame(columns, index=index, copy=False)  # 不再复制一遍
# --8<-- [end:rolling_ols]


def _fit_chunk(data, valid, wts, a_loc, pos, A, L, block, first, k, center,
               min_nobs, params_out, resid_out, nobs_out):
    """Estimate one chunk of assets; writes into the ``*_out`` views.

    ``block``: the window length used for the sums (the window, or the
    longest series when that is shorter); ``first``: the first position
    with an estimate (0 when expanding).
    """
    m = k + 1
    C = L // block * A  # 列数：每只资产每一块一列
    # 行在稠密数组 (块内位置, 块, 资产) 中的下标
    flat = pos % block * C + pos // block * A + a_loc
    Z = np.zeros((m, block * C))
    Z[:, flat] = data
    V = np.zeros(block * C)
    V[flat] = valid
    W = None
    if wts is not None:
        W = np.zeros(block * C)
        W[flat] = wts
        W = W.reshape(block, C)
    M, cur, R = _window_moments(Z.reshape(m, block, C),
                                V.reshape(block, C), A, center, W)
    M = M.reshape(len(M), -1)
    n = M[0 if wts is None else -1, flat]  # 窗口内完整的行数
    nobs_out[:] = np.where(pos >= first, n, 0).astype(np.int64)
    est = np.flatnonzero((pos >= first) & (n >= min_nobs))
    if len(est) == 0:
        return
    # 对稠密数组的每一格都求解（补零的格子只占很小一部分，结果丢弃），
    # 最后只取出有估计的行：比先按行取出十几个窗口和再求解省下大量随机访问
    with np.errstate(divide="ignore", invalid="ignore"):
        beta, mean, ok = _solve_windows(M, k, center)
        cur = cur.reshape(m, -1)  # 本行（已平移）
        res = (cur[k] - mean[k]) - ((cur[:k] - mean[:k]) * beta).sum(axis=0)
        coefs = beta
        if center:  # 加回参照点（同一块内所有位置相同）：原尺度的均值
            mu = (mean.reshape(m, block, C) + R[:, None]).reshape(m, -1)
            const = mu[k] - (mu[:k] * beta).sum(axis=0)
            coefs = np.vstack([const, beta])
    cells = flat[est]
    ok = ok[cells]
    coefs = coefs[:, cells]
    res = res[cells]
    coefs[:, ~ok] = np.nan
    res[~ok | ~valid[est]] = np.nan
    params_out[:, est] = coefs
    resid_out[est] = res
