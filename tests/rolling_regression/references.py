"""Independent references for the tests of snippets/rolling_regression/.

statsmodels ``RollingOLS(missing="drop")`` and ``RollingWLS`` (also with
``expanding=True``) fitted asset by asset, pandas rolling counts, and
``numpy.linalg.lstsq`` on every window (raw, or on window-centred data).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.regression.rolling import RollingOLS, RollingWLS

from snippets.rolling_regression import rolling_ols

RTOL = 1e-8


def assert_close(ours, ref, rtol=RTOL):
    """Same NaN pattern; elsewhere |a - b| <= rtol * (|b| + column scale)."""
    ours, ref = np.asarray(ours, float), np.asarray(ref, float)
    assert ours.shape == ref.shape
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
    ok = ~np.isnan(ref)
    if not ok.any():
        return
    scale = np.nanmax(np.abs(ref), axis=0, keepdims=True) * np.ones_like(ref)
    err = np.abs(ours[ok] - ref[ok])
    bound = rtol * (np.abs(ref[ok]) + 1e-3 * scale[ok])
    assert (err <= bound).all(), f"max error {err.max():.3e}"


def random_panel(rng, n_assets, k, max_len, nan_rate, offset=0.0,
                 asset_kind="str", date_kind="datetime", weights=False):
    """An unbalanced long panel: different lengths, start dates and gaps.

    With ``offset``, each asset's regressors sit at their own level, drawn
    from [-offset, 2 offset] (they vary by about 1 around it).

    With ``weights``, a column ``w`` of positive weights (spread over about
    four orders of magnitude, some missing).
    """
    calendar = pd.bdate_range("2020-01-01", periods=max_len + 40)
    frames = []
    for a in range(n_assets):
        n = int(rng.integers(1, max_len + 1))
        days = np.sort(rng.choice(len(calendar), n, replace=False))
        # 每只资产的水平不同（价格 10 与 1e4 并存）：参照点必须按资产取
        level = offset * rng.uniform(-1.0, 2.0) if offset else 0.0
        X = level + rng.normal(size=(n, k))
        y = 0.5 + (X - level) @ rng.normal(size=k) + rng.normal(size=n)
        X[rng.random((n, k)) < nan_rate] = np.nan
        y[rng.random(n) < nan_rate] = np.nan
        name = f"A{a}" if asset_kind == "str" else 10 * a + 7
        dates = calendar[days] if date_kind == "datetime" else days * 3
        df = pd.DataFrame({"asset": name, "date": dates, "y": y})
        for j in range(k):
            df[f"x{j}"] = X[:, j]
        if weights:
            w = np.exp(rng.uniform(-4.5, 4.5, n))
            w[rng.random(n) < nan_rate] = np.nan
            df["w"] = w
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def options(expanding=False, weights=None):
    """The new keyword arguments, passed only when not the default: the
    tests of the original behaviour then also run on the code before
    ``expanding`` and ``weights`` existed."""
    return ({"expanding": True} if expanding else {}) | (
        {} if weights is None else {"weights": weights})


def design(g, xs, add_constant):
    """The design matrix statsmodels gets (float64, constant first)."""
    exog = g[xs].to_numpy(dtype=float, na_value=np.nan).reshape(len(g), -1)
    if add_constant:
        exog = sm.add_constant(exog, has_constant="add")
    return exog


def statsmodels_asset(g, xs, window, add_constant, min_nobs,
                      expanding=False, weights=None):
    """statsmodels RollingOLS / RollingWLS of one asset, or None when it
    cannot run (no window to estimate)."""
    g = g.sort_values("date")
    exog = design(g, xs, add_constant)
    if len(g) < window and not expanding:
        return None  # statsmodels raises IndexError: no full window
    endog = g["y"].to_numpy(dtype=float, na_value=np.nan)
    w = (None if weights is None
         else g[weights].to_numpy(dtype=float, na_value=np.nan))
    complete = ~(np.isnan(exog).any(axis=1) | np.isnan(endog))
    if w is not None:
        complete &= ~np.isnan(w)
    if complete.sum() < (exog.shape[1] if min_nobs is None else min_nobs):
        return None  # 完整的行凑不出 min_nobs 行（全缺失时它会报错）
    if expanding:
        # 窗口比序列长时，expanding 的每个窗口都是序列的开头部分，与
        # window=序列长度相同；statsmodels 在 window 远超序列长度时会用
        # 越界的负下标（IndexError），window=1 也不支持
        window = min(window, max(len(g), 2))
    kw = dict(window=window, min_nobs=min_nobs, missing="drop",
              expanding=expanding)
    # reset=1：每个窗口的叉积都重新计算，而不是在上一个窗口上加一行、减
    # 一行；后者在数值（或权重）很小的窗口里留下前面大数的舍入误差
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if weights is None:
            return RollingOLS(endog, exog, **kw).fit(reset=1)
        return RollingWLS(endog, exog, weights=w, **kw).fit(reset=1)


MAX_COND = 1e3


def well_conditioned(g, xs, window, add_constant, params, weights=None):
    """Rows whose window design (complete rows, weighted) has condition
    number <= 1e3."""
    D = design(g, xs, add_constant)
    w = (np.ones(len(g)) if weights is None
         else g[weights].to_numpy(dtype=float, na_value=np.nan))
    complete = ~(np.isnan(D).any(axis=1) | g["y"].isna().to_numpy()
                 | np.isnan(w))
    good = np.zeros(len(g), dtype=bool)
    for t in np.flatnonzero(~np.isnan(params[:, 0])):
        rows = np.arange(max(0, t - window + 1), t + 1)
        rows = rows[complete[rows]]
        good[t] = np.linalg.cond(np.sqrt(w[rows, None]) * D[rows]
                                 ) <= MAX_COND
    return good


def rolling_count(complete, window, expanding):
    """Complete rows in each window, by pandas (0 before a full window)."""
    count = pd.Series(complete.astype(float)).rolling(
        window, min_periods=1 if expanding else window).sum()
    return count.fillna(0).astype(np.int64).to_numpy()


def check_against_statsmodels(panel, xs, window, add_constant, min_nobs,
                              expanding=False, weights=None, strict_nan=True):
    """Asset by asset against statsmodels.

    ``strict_nan=False``: where statsmodels still inverts a nearly singular
    window, rolling_ols may give NaN (its RANK_TOL test), but only on
    windows that are ill conditioned.
    """
    out = rolling_ols(panel, "y", xs, window, add_constant=add_constant,
                      min_nobs=min_nobs, **options(expanding, weights))
    coef = (["const"] if add_constant else []) + xs
    assert list(out.columns) == coef + ["residual", "nobs"]
    assert len(out) == len(panel)
    for name, g in panel.groupby("asset"):
        mine = out.loc[name]
        g = g.sort_values("date")
        np.testing.assert_array_equal(mine.index.to_numpy(),
                                      g["date"].to_numpy())
        used = ["y"] + xs + ([] if weights is None else [weights])
        complete = g[used].notna().all(axis=1).to_numpy()
        np.testing.assert_array_equal(
            mine["nobs"].to_numpy(),
            rolling_count(complete, window, expanding))
        res = statsmodels_asset(g, xs, window, add_constant, min_nobs,
                                expanding, weights)
        if res is None:
            assert mine[coef].isna().all().all()
            continue
        # 极少数窗口（例如只剩两三个点且 x 几乎相同）本身就病态：任何算法的
        # 误差都被条件数放大，这些窗口只比较 NaN 的位置
        good = well_conditioned(g, xs, window, add_constant, res.params,
                                weights)
        ours = mine[coef].to_numpy()
        params = res.params
        if strict_nan:
            np.testing.assert_array_equal(np.isnan(ours), np.isnan(params))
        else:
            assert not (np.isnan(params) & ~np.isnan(ours)).any()
            extra = np.isnan(ours).any(axis=1) & ~np.isnan(params[:, 0])
            assert not (extra & good).any(), "a well-conditioned window is NaN"
            params = np.where(np.isnan(ours), np.nan, params)
        assert_close(ours[good], params[good])
        fitted = ~np.isnan(params[:, 0])
        np.testing.assert_array_equal(mine["nobs"].to_numpy()[fitted],
                                      res.nobs[fitted])
        # 残差：y_t 减去用截至 t 的窗口估计出的拟合值（不加权）
        exog = design(g, xs, add_constant)
        resid = (g["y"].to_numpy(dtype=float, na_value=np.nan)
                 - (exog * params).sum(axis=1))
        resid[~complete] = np.nan  # 权重缺失的行也不参与拟合：没有残差
        r_ours = mine["residual"].to_numpy()
        np.testing.assert_array_equal(np.isnan(r_ours), np.isnan(resid))
        # 残差可能恰好为 0（窗口内只有 k 个点时完全拟合）：用 y 的尺度
        y_scale = np.nanmax(np.abs(g["y"].to_numpy(dtype=float,
                                                   na_value=np.nan)))
        np.testing.assert_allclose(r_ours[good], resid[good], rtol=RTOL,
                                   atol=RTOL * y_scale)


def lstsq_windows(y, D, window, min_nobs):
    """Per-window lstsq on the complete rows; NaN when rank deficient."""
    T, k = D.shape
    out = np.full((T, k), np.nan)
    ok = ~(np.isnan(y) | np.isnan(D).any(axis=1))
    for t in range(window - 1, T):
        rows = np.arange(t - window + 1, t + 1)
        rows = rows[ok[rows]]
        if len(rows) < min_nobs:
            continue
        beta, _, rank, _ = np.linalg.lstsq(D[rows], y[rows], rcond=None)
        if rank == k:
            out[t] = beta
    return out


def centred_lstsq_asset(g, xs, window, min_nobs, expanding=False,
                        weights=None):
    """Per-window weighted lstsq on window-centred data, then the intercept
    (the accurate reference at large offsets), for one asset with a
    constant.  Returns the coefficients (T, k + 1), the residuals (T,) and
    a mask of the windows whose centred design has condition <= MAX_COND.
    """
    g = g.sort_values("date")
    X = g[xs].to_numpy(dtype=float, na_value=np.nan).reshape(len(g), -1)
    y = g["y"].to_numpy(dtype=float, na_value=np.nan)
    w = (np.ones(len(g)) if weights is None
         else g[weights].to_numpy(dtype=float, na_value=np.nan))
    ok = ~(np.isnan(X).any(axis=1) | np.isnan(y) | np.isnan(w))
    T, k = X.shape
    coef, resid = np.full((T, k + 1), np.nan), np.full(T, np.nan)
    good = np.zeros(T, dtype=bool)
    for t in range(0 if expanding else window - 1, T):
        rows = np.arange(max(0, t - window + 1), t + 1)
        rows = rows[ok[rows]]
        if len(rows) < min_nobs:
            continue
        ws = w[rows] / w[rows].sum()
        xm, ym = ws @ X[rows], ws @ y[rows]
        s = np.sqrt(ws)[:, None]
        Xc = s * (X[rows] - xm)
        if k and np.linalg.matrix_rank(Xc) < k:
            continue
        b = np.linalg.lstsq(Xc, s[:, 0] * (y[rows] - ym), rcond=None)[0]
        coef[t] = np.r_[ym - xm @ b, b]
        good[t] = k == 0 or np.linalg.cond(Xc) <= MAX_COND
        if ok[t]:
            resid[t] = (y[t] - ym) - (X[t] - xm) @ b
    return coef, resid, good
