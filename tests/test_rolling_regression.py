"""Tests for snippets/rolling_regression.py.

References: statsmodels ``RollingOLS(missing="drop")`` and ``RollingWLS``
(also with ``expanding=True``) fitted asset by asset, pandas rolling
counts and means, and ``numpy.linalg.lstsq`` on every window.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.regression.rolling import RollingOLS, RollingWLS

import snippets.rolling_regression as rr
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

    With ``weights``, a column ``w`` of positive weights (spread over about
    four orders of magnitude, some missing).
    """
    calendar = pd.bdate_range("2020-01-01", periods=max_len + 40)
    frames = []
    for a in range(n_assets):
        n = int(rng.integers(1, max_len + 1))
        days = np.sort(rng.choice(len(calendar), n, replace=False))
        X = offset + rng.normal(size=(n, k))
        y = 0.5 + (X - offset) @ rng.normal(size=k) + rng.normal(size=n)
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


# ---------------------------------------------------------------------------
# Against statsmodels RollingOLS, asset by asset
# ---------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 3),
       n_assets=st.integers(1, 5), nan_rate=st.sampled_from([0, 0.05, 0.2]),
       add_constant=st.booleans(), data=st.data())
def test_matches_statsmodels_random_panels(seed, k, n_assets, nan_rate,
                                           add_constant, data):
    rng = np.random.default_rng(seed)
    n_coef = k + add_constant
    window = data.draw(st.integers(n_coef + 3, 40), label="window")
    min_nobs = data.draw(st.one_of(st.none(),
                                   st.integers(n_coef + 2, window)),
                         label="min_nobs")
    panel = random_panel(rng, n_assets, k, 120, nan_rate,
                         asset_kind=data.draw(st.sampled_from(["str", "int"])),
                         date_kind=data.draw(st.sampled_from(["datetime",
                                                              "int"])))
    panel = panel.sample(frac=1, random_state=seed % 1000)
    xs = [f"x{j}" for j in range(k)]
    check_against_statsmodels(panel, xs, window, add_constant, min_nobs)


@pytest.mark.parametrize("min_nobs", [None, 4, 15, 30])
def test_min_nobs_like_statsmodels(min_nobs):
    rng = np.random.default_rng(7)
    panel = random_panel(rng, 6, 2, 200, 0.3)
    check_against_statsmodels(panel, ["x0", "x1"], 30, True, min_nobs)


def test_single_regressor_given_as_string():
    rng = np.random.default_rng(3)
    panel = random_panel(rng, 3, 1, 100, 0.05)
    a = rolling_ols(panel, "y", "x0", 20)
    b = rolling_ols(panel, "y", ["x0"], 20)
    pd.testing.assert_frame_equal(a, b)
    check_against_statsmodels(panel, ["x0"], 20, True, None)


def test_many_chunks_give_the_same_result(monkeypatch):
    rng = np.random.default_rng(11)
    panel = random_panel(rng, 30, 2, 300, 0.05)
    whole = rolling_ols(panel, "y", ["x0", "x1"], 25)
    monkeypatch.setattr(rr, "_CHUNK_ELEMENTS", 1)  # 每块一只资产
    chunked = rolling_ols(panel, "y", ["x0", "x1"], 25)
    pd.testing.assert_frame_equal(whole, chunked, rtol=1e-12)
    check_against_statsmodels(panel, ["x0", "x1"], 25, True, None)


# ---------------------------------------------------------------------------
# Expanding windows, weights, the constant-only model: against statsmodels
# ---------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(0, 3),
       n_assets=st.integers(1, 5), nan_rate=st.sampled_from([0, 0.05, 0.2]),
       add_constant=st.booleans(), expanding=st.booleans(),
       weighted=st.booleans(), data=st.data())
def test_expanding_and_weights_match_statsmodels(seed, k, n_assets, nan_rate,
                                                 add_constant, expanding,
                                                 weighted, data):
    rng = np.random.default_rng(seed)
    add_constant = add_constant or k == 0  # 没有回归变量：只估计常数项
    n_coef = k + add_constant
    # statsmodels 不支持 window=1（_find_nans 中的 has_nan[:-0] 为空）
    window = data.draw(st.integers(max(n_coef, 2), 40), label="window")
    min_nobs = data.draw(st.one_of(st.none(), st.integers(n_coef, window)),
                         label="min_nobs")
    panel = random_panel(rng, n_assets, k, 120, nan_rate,
                         asset_kind=data.draw(st.sampled_from(["str", "int"])),
                         date_kind=data.draw(st.sampled_from(["datetime",
                                                              "int"])),
                         weights=weighted)
    panel = panel.sample(frac=1, random_state=seed % 1000)
    xs = [f"x{j}" for j in range(k)]
    check_against_statsmodels(panel, xs, window, add_constant, min_nobs,
                              expanding, "w" if weighted else None,
                              strict_nan=False)


@pytest.mark.parametrize("expanding", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_constant_only_is_a_rolling_mean(expanding, weighted):
    # 回归：x=[]（只有常数项）曾在 _solve_windows 中抛出
    # "cannot reshape array of size 0"
    rng = np.random.default_rng(21)
    panel = random_panel(rng, 4, 0, 80, 0.1, weights=weighted)
    window, min_nobs = 12, 5
    w = "w" if weighted else None
    out = rolling_ols(panel, "y", [], window, min_nobs=min_nobs,
                      **options(expanding, w))
    assert list(out.columns) == ["const", "residual", "nobs"]
    for name, g in panel.groupby("asset"):
        g = g.sort_values("date").reset_index(drop=True)
        wt = g["w"] if weighted else pd.Series(1.0, index=g.index)
        wt = wt.where(g["y"].notna())
        y = g["y"].where(wt.notna())
        # 参考：pandas 的滚动和，sum(w y) / sum(w)
        roll = dict(window=window, min_periods=1)
        mean = ((y * wt).rolling(**roll).sum() / wt.rolling(**roll).sum())
        count = y.notna().astype(float).rolling(**roll).sum()
        mean[count < min_nobs] = np.nan
        if not expanding:
            mean[:window - 1] = np.nan
        mine = out.loc[name]
        assert_close(mine[["const"]].to_numpy(), mean.to_numpy()[:, None],
                     rtol=1e-12)
        np.testing.assert_allclose(mine["residual"].to_numpy(),
                                   (y - mean).to_numpy(), rtol=1e-10,
                                   atol=1e-12)
    check_against_statsmodels(panel, [], window, True, min_nobs, expanding,
                              w)


def test_window_far_longer_than_every_series():
    # 回归：块长曾取 window 本身，window=10**9 时要分配几十 GB 的数组
    rng = np.random.default_rng(14)
    panel = random_panel(rng, 4, 2, 60, 0.1, weights=True)
    out = rolling_ols(panel, "y", ["x0", "x1"], 10**9)
    assert out.drop(columns="nobs").isna().all().all()
    assert (out["nobs"] == 0).all()
    check_against_statsmodels(panel, ["x0", "x1"], 10**9, True, 5,
                              expanding=True, weights="w")


@pytest.mark.parametrize("window", [25, 400])
def test_many_chunks_expanding_weighted(monkeypatch, window):
    rng = np.random.default_rng(19)
    panel = random_panel(rng, 30, 2, 300, 0.05, weights=True)
    kw = dict(expanding=True, weights="w", min_nobs=8)
    whole = rolling_ols(panel, "y", ["x0", "x1"], window, **kw)
    monkeypatch.setattr(rr, "_CHUNK_ELEMENTS", 1)  # 每块一只资产
    chunked = rolling_ols(panel, "y", ["x0", "x1"], window, **kw)
    pd.testing.assert_frame_equal(whole, chunked, rtol=1e-9)
    check_against_statsmodels(panel, ["x0", "x1"], window, True, 8,
                              expanding=True, weights="w")


@pytest.mark.parametrize("x_scale, y_scale, w_scale", [
    (1e-8, 1.0, None), (1e8, 1.0, None), (1.0, 1e-8, None),
    (1.0, 1e8, None), (1e-8, 1e8, 1e8), (1e8, 1e-8, 1e-8),
    (1.0, 1.0, 1e-8), (1.0, 1.0, 1e8)])
def test_tiny_and_huge_scales(x_scale, y_scale, w_scale):
    # 参考：statsmodels 在量级为 1 的数据上的结果，按比例换算
    rng = np.random.default_rng(16)
    w = None if w_scale is None else "w"
    panel = random_panel(rng, 4, 2, 100, 0.05, weights=w is not None)
    scaled = panel.assign(y=panel["y"] * y_scale,
                          x0=panel["x0"] * x_scale, x1=panel["x1"] * x_scale)
    if w is not None:
        scaled["w"] = panel["w"] * w_scale
    for expanding in (False, True):
        out = rolling_ols(scaled, "y", ["x0", "x1"], 20, min_nobs=6,
                          **options(expanding, w))
        for name, g in panel.groupby("asset"):
            g = g.sort_values("date")
            res = statsmodels_asset(g, ["x0", "x1"], 20, True, 6,
                                    expanding, w)
            mine = out.loc[name]
            if res is None:
                assert mine[["const", "x0", "x1"]].isna().all().all()
                continue
            ref = res.params * np.array([1.0, 1 / x_scale, 1 / x_scale])
            ours = mine[["const", "x0", "x1"]].to_numpy() / y_scale
            np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
            good = well_conditioned(g, ["x0", "x1"], 20, True, res.params, w)
            assert_close(ours[good] * [1.0, x_scale, x_scale],
                         res.params[good])
            resid = g["y"].to_numpy() - (design(g, ["x0", "x1"], True)
                                         * res.params).sum(axis=1)
            if w is not None:
                resid[g["w"].isna().to_numpy()] = np.nan
            r_ours = mine["residual"].to_numpy() / y_scale
            np.testing.assert_array_equal(np.isnan(r_ours), np.isnan(resid))
            np.testing.assert_allclose(r_ours[good], resid[good], rtol=RTOL,
                                       atol=RTOL * np.nanmax(np.abs(g["y"])))


@pytest.mark.parametrize("dtype", ["float32", "int64", "int8", "uint16",
                                   "bool", "Int64", "Float32", "boolean"])
def test_column_dtypes_statsmodels_accepts(dtype):
    rng = np.random.default_rng(17)
    panel = random_panel(rng, 3, 2, 80, 0.0, weights=True)
    n = len(panel)
    if dtype in ("bool", "boolean"):
        x1 = rng.random(n) < 0.5
    elif dtype in ("float32", "Float32"):
        x1 = panel["x1"].to_numpy()
    else:
        x1 = rng.integers(0, 50, n)
    panel["x1"] = pd.array(x1).astype(dtype)
    if dtype == "float32":
        panel["y"] = panel["y"].astype("float32")
        panel["w"] = panel["w"].astype("float32")
    if dtype in ("Int64", "Float32", "boolean"):
        panel.loc[[3, 40], "x1"] = pd.NA  # 可空类型的缺失值
    check_against_statsmodels(panel, ["x0", "x1"], 15, True, None)
    check_against_statsmodels(panel, ["x0", "x1"], 15, True, None,
                              expanding=True, weights="w")


@pytest.mark.parametrize("expanding", [False, True])
def test_weighted_large_offset_matches_centred_lstsq(expanding):
    # 参考：每个窗口先按权重中心化，再对 sqrt(w) 缩放后的数据调用 lstsq
    rng = np.random.default_rng(18)
    T, window, min_nobs = 300, 40, 10
    X = 1e4 + rng.random((T, 2))
    y = 1.0 + X @ np.array([2.0, -0.5]) + 0.05 * rng.normal(size=T)
    w = np.exp(rng.uniform(-3, 3, T))
    df = pd.DataFrame({"asset": "a", "date": np.arange(T), "y": y,
                       "u": X[:, 0], "v": X[:, 1], "w": w})
    out = rolling_ols(df, "y", ["u", "v"], window, min_nobs=min_nobs,
                      expanding=expanding, weights="w")
    ref = np.full((T, 3), np.nan)
    for t in range(min_nobs - 1 if expanding else window - 1, T):
        rows = slice(max(0, t - window + 1), t + 1)
        xs, ys, ws = X[rows], y[rows], w[rows]
        xm, ym = ws @ xs / ws.sum(), ws @ ys / ws.sum()
        s = np.sqrt(ws)
        b = np.linalg.lstsq(s[:, None] * (xs - xm), s * (ys - ym),
                            rcond=None)[0]
        ref[t] = np.r_[ym - xm @ b, b]
    assert_close(out[["const", "u", "v"]].to_numpy(), ref, rtol=1e-10)


# ---------------------------------------------------------------------------
# Large offsets: against lstsq on every window
# ---------------------------------------------------------------------------

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


@pytest.mark.parametrize("offset", [1e4, -2e4])
def test_large_offset_matches_lstsq(offset):
    rng = np.random.default_rng(5)
    frames, refs = [], {}
    window, k = 50, 3
    for a in range(3):
        T = 400
        X = offset + rng.random((T, k))  # 约 1e4，只在 1 的范围内变化
        y = 3.0 + X @ np.array([0.5, 1.5, 2.0]) + 0.1 * rng.normal(size=T)
        y[rng.random(T) < 0.05] = np.nan
        X[rng.random((T, k)) < 0.03] = np.nan
        D = np.column_stack([np.ones(T), X])
        refs[a] = (lstsq_windows(y, D, window, k + 1), y, D)
        df = pd.DataFrame({"asset": a, "date": np.arange(T), "y": y})
        for j in range(k):
            df[f"x{j}"] = X[:, j]
        frames.append(df)
    panel = pd.concat(frames, ignore_index=True)
    out = rolling_ols(panel, "y", ["x0", "x1", "x2"], window)
    for a, (ref, y, D) in refs.items():
        mine = out.loc[a]
        coefs = mine[["const", "x0", "x1", "x2"]].to_numpy()
        assert np.isfinite(ref[window - 1:]).any()
        np.testing.assert_array_equal(np.isnan(coefs), np.isnan(ref))
        ok = ~np.isnan(ref[:, 0])
        # 斜率：逐个元素相对误差 1e-8
        np.testing.assert_allclose(coefs[ok, 1:], ref[ok, 1:], rtol=RTOL)
        # 截距 = ȳ − x̄·β 是大数相减，lstsq 自己的截距也只在这些大数的
        # 尺度上准确：相对于 |ȳ| + Σ|x̄_j β_j| 要求 1e-8
        size = np.nanmax(np.abs(y)) + (abs(offset) + 1) * np.abs(
            ref[ok, 1:]).sum(axis=1)
        assert (np.abs(coefs[ok, 0] - ref[ok, 0]) <= RTOL * size).all()
        # 残差 y - Dβ：参考值在中心化的数据上计算，避免它自身的抵消误差
        resid = (y - np.nanmean(y)) - ((D - np.nanmean(D, axis=0)) * ref
                                       ).sum(axis=1)
        resid = resid - ((np.nanmean(D, axis=0) * ref).sum(axis=1)
                         - np.nanmean(y))
        fin = ~np.isnan(resid)
        np.testing.assert_array_equal(np.isnan(mine["residual"]), ~fin)
        np.testing.assert_allclose(mine["residual"].to_numpy()[fin],
                                   resid[fin], atol=1e-6)


def test_large_offset_matches_centred_lstsq_tightly():
    # 先在窗口内中心化再 lstsq 的参考值本身更准：这里要求 1e-10
    rng = np.random.default_rng(8)
    T, window = 300, 40
    X = 1e4 + rng.random((T, 2))
    y = 1.0 + X @ np.array([2.0, -0.5]) + 0.05 * rng.normal(size=T)
    df = pd.DataFrame({"asset": "a", "date": np.arange(T), "y": y,
                       "u": X[:, 0], "v": X[:, 1]})
    out = rolling_ols(df, "y", ["u", "v"], window)
    ref = np.full((T, 3), np.nan)
    for t in range(window - 1, T):
        xs, ys = X[t - window + 1:t + 1], y[t - window + 1:t + 1]
        b = np.linalg.lstsq(xs - xs.mean(0), ys - ys.mean(), rcond=None)[0]
        ref[t] = np.r_[ys.mean() - xs.mean(0) @ b, b]
    assert_close(out[["const", "u", "v"]].to_numpy(), ref, rtol=1e-10)


def test_large_offset_without_constant_matches_lstsq():
    # 过原点的回归没有什么可中心化：单个大偏移的回归变量仍然良态
    rng = np.random.default_rng(9)
    T, window = 300, 30
    x = 1e4 + rng.random(T)
    y = 0.7 * x + 0.1 * rng.normal(size=T)
    df = pd.DataFrame({"asset": "a", "date": np.arange(T), "y": y, "x": x})
    out = rolling_ols(df, "y", "x", window, add_constant=False)
    ref = lstsq_windows(y, x[:, None], window, 1)
    assert_close(out[["x"]].to_numpy(), ref)


# ---------------------------------------------------------------------------
# Row order, short series, rank deficiency
# ---------------------------------------------------------------------------

def test_row_order_does_not_matter():
    rng = np.random.default_rng(1)
    panel = random_panel(rng, 8, 2, 150, 0.1)
    base = rolling_ols(panel, "y", ["x0", "x1"], 20)
    assert base.index.is_monotonic_increasing
    for seed in range(3):
        shuffled = panel.sample(frac=1, random_state=seed)
        shuffled.index = rng.permutation(len(shuffled)) * 3
        pd.testing.assert_frame_equal(
            rolling_ols(shuffled, "y", ["x0", "x1"], 20), base)
    reordered = panel[["x1", "date", "y", "asset", "x0"]]
    pd.testing.assert_frame_equal(
        rolling_ols(reordered, "y", ["x0", "x1"], 20), base)


def test_windows_longer_than_a_series():
    rng = np.random.default_rng(2)
    panel = random_panel(rng, 4, 2, 60, 0.0)
    short = pd.DataFrame({"asset": "short", "date": panel["date"].iloc[:10],
                          "y": rng.normal(size=10), "x0": rng.normal(size=10),
                          "x1": rng.normal(size=10)})
    panel = pd.concat([panel, short], ignore_index=True)
    out = rolling_ols(panel, "y", ["x0", "x1"], 30)
    assert out.loc["short", ["const", "x0", "x1", "residual"]].isna().all(
        ).all()
    assert (out.loc["short", "nobs"] == 0).all()
    everything = rolling_ols(panel, "y", ["x0", "x1"], 500)
    assert everything[["const", "x0", "x1"]].isna().all().all()
    check_against_statsmodels(panel, ["x0", "x1"], 30, True, None)


def test_nobs_counts_complete_rows_in_the_window():
    rng = np.random.default_rng(4)
    panel = random_panel(rng, 5, 2, 120, 0.25)
    window = 15
    out = rolling_ols(panel, "y", ["x0", "x1"], window, min_nobs=10)
    for name, g in panel.sort_values("date").groupby("asset"):
        complete = g[["y", "x0", "x1"]].notna().all(axis=1).astype(int)
        count = complete.rolling(window).sum().fillna(0).astype(int)
        np.testing.assert_array_equal(out.loc[name, "nobs"].to_numpy(),
                                      count.to_numpy())
        too_few = count.to_numpy() < 10
        assert out.loc[name, "x0"].to_numpy()[too_few].tolist() == (
            [np.nan] * too_few.sum()) or np.isnan(
            out.loc[name, "x0"].to_numpy()[too_few]).all()


def rank_case(rng, T=120):
    X = rng.normal(size=(T, 3))
    X[20:60, 1] = 0.25  # 一段时间里恒定：与常数项共线
    X[70:100, 2] = 2 * X[70:100, 0] - 0.5  # 一段时间里完全共线
    X[105:115] = X[104]  # 重复的行：只有一个不同的点
    y = 1 + X @ np.array([1.0, -2.0, 0.5]) + rng.normal(size=T)
    return X, y


@pytest.mark.parametrize("add_constant", [True, False])
def test_rank_deficient_windows_are_nan(add_constant):
    rng = np.random.default_rng(6)
    X, y = rank_case(rng)
    if not add_constant:
        X[20:60, 1] = 0.0  # 没有常数项时，全零的回归变量才秩亏
    T, window = len(y), 12
    df = pd.DataFrame({"asset": "a", "date": np.arange(T), "y": y,
                       "x0": X[:, 0], "x1": X[:, 1], "x2": X[:, 2]})
    out = rolling_ols(df, "y", ["x0", "x1", "x2"], window,
                      add_constant=add_constant)
    D = np.column_stack([np.ones(T), X]) if add_constant else X
    ref = lstsq_windows(y, D, window, D.shape[1])
    deficient = np.array([
        t >= window - 1
        and np.linalg.matrix_rank(D[t - window + 1:t + 1]) < D.shape[1]
        for t in range(T)])
    assert deficient.sum() > 25
    coef = out.drop(columns=["residual", "nobs"]).to_numpy()
    assert np.isnan(coef[deficient]).all()
    assert np.isnan(out["residual"].to_numpy()[deficient]).all()
    assert (out["nobs"].to_numpy()[deficient] == window).all()
    assert_close(coef, ref)


def test_all_rows_missing_in_a_window():
    rng = np.random.default_rng(12)
    T = 80
    y = rng.normal(size=T)
    y[30:55] = np.nan
    df = pd.DataFrame({"asset": "a", "date": np.arange(T), "y": y,
                       "x": rng.normal(size=T)})
    out = rolling_ols(df, "y", "x", 20)
    assert (out["nobs"].to_numpy()[50:55] == 0).all()
    assert out["x"].iloc[50:55].isna().all()
    check_against_statsmodels(df, ["x"], 20, True, None)


def test_nullable_and_integer_columns():
    rng = np.random.default_rng(13)
    T = 60
    df = pd.DataFrame({"asset": "a", "date": np.arange(T),
                       "y": pd.array(rng.normal(size=T), dtype="Float64"),
                       "x": rng.integers(0, 50, T)})
    df.loc[5, "y"] = pd.NA
    out = rolling_ols(df, "y", "x", 15)
    ref = df.astype({"y": float, "x": float})
    check_against_statsmodels(ref, ["x"], 15, True, None)
    pd.testing.assert_frame_equal(out, rolling_ols(ref, "y", "x", 15))


# ---------------------------------------------------------------------------
# Bad inputs
# ---------------------------------------------------------------------------

@pytest.fixture
def small_panel():
    rng = np.random.default_rng(0)
    return random_panel(rng, 3, 2, 40, 0.0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(y="nope"), r"unknown column\(s\) \['nope'\]"),
    (dict(x=["x0", "zz"]), r"unknown column\(s\) \['zz'\]"),
    (dict(asset="ticker"), r"unknown column\(s\) \['ticker'\]"),
    (dict(time="day"), r"unknown column\(s\) \['day'\]"),
    (dict(window=2), r"window=2 is smaller than the number of coefficients"),
    (dict(window=1, add_constant=False, x=["x0", "x1"]), r"window=1"),
    (dict(min_nobs=2), r"min_nobs=2 must lie between"),
    (dict(min_nobs=11), r"min_nobs=11 must lie between"),
    (dict(x=["x0", "x0"]), r"more than once"),
    (dict(x=["x0", "y"]), r"also in x"),
    (dict(x=[], add_constant=False), r"no coefficient"),
    (dict(asset="date"), r"two different columns"),
])
def test_bad_arguments(small_panel, kwargs, match):
    args = dict(y="y", x=["x0", "x1"], window=10) | kwargs
    with pytest.raises(ValueError, match=match):
        rolling_ols(small_panel, **args)


def test_duplicate_rows(small_panel):
    doubled = pd.concat([small_panel, small_panel.iloc[[5]]])
    with pytest.raises(ValueError, match=r"duplicate \(asset, date\) row"):
        rolling_ols(doubled, "y", ["x0", "x1"], 10)


def test_type_errors(small_panel):
    with pytest.raises(TypeError, match="window must be an integer"):
        rolling_ols(small_panel, "y", ["x0"], 10.0)
    with pytest.raises(TypeError, match="window must be an integer"):
        rolling_ols(small_panel, "y", ["x0"], True)
    with pytest.raises(TypeError, match="min_nobs must be an integer"):
        rolling_ols(small_panel, "y", ["x0"], 10, min_nobs=5.5)
    with pytest.raises(TypeError, match="pandas DataFrame"):
        rolling_ols(small_panel.to_numpy(), "y", ["x0"], 10)
    bad = small_panel.assign(x1=small_panel["x1"].astype(str))
    with pytest.raises(TypeError, match="must be numeric"):
        rolling_ols(bad, "y", ["x0", "x1"], 10)


def test_other_value_errors(small_panel):
    with pytest.raises(ValueError, match="no rows"):
        rolling_ols(small_panel.iloc[:0], "y", ["x0"], 10)
    holes = small_panel.astype({"asset": object})
    holes.loc[3, "asset"] = None
    with pytest.raises(ValueError, match="may not be missing"):
        rolling_ols(holes, "y", ["x0"], 10)
    inf = small_panel.copy()
    inf.loc[4, "x0"] = np.inf
    with pytest.raises(ValueError, match="infinite"):
        rolling_ols(inf, "y", ["x0"], 10)
    clash = small_panel.rename(columns={"x1": "residual"})
    with pytest.raises(ValueError, match="output column name"):
        rolling_ols(clash, "y", ["x0", "residual"], 10)


@pytest.mark.parametrize("flag", ["add_constant", "expanding"])
@pytest.mark.parametrize("value", ["False", "True", "", 0, 1, 1.0, None,
                                   np.array(True)], ids=repr)
def test_flags_must_be_bool(small_panel, flag, value):
    # 回归：add_constant="False" 曾被当作真值，悄悄加上了常数项
    with pytest.raises(TypeError, match=rf"{flag} must be True or False"):
        rolling_ols(small_panel, "y", ["x0"], 10, **{flag: value})


def test_numpy_bools_are_flags(small_panel):
    a = rolling_ols(small_panel, "y", ["x0"], 10, add_constant=np.False_,
                    expanding=np.True_)
    b = rolling_ols(small_panel, "y", ["x0"], 10, add_constant=False,
                    expanding=True)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("kwargs, match", [
    (dict(y=["y"]), r"y must be a column name, got \['y'\]"),
    (dict(asset=["asset"]), r"asset must be a column name"),
    (dict(time={"date"}), r"time must be a column name"),
    (dict(x=[["x0"]]), r"x must be a column name or a list"),
    (dict(weights=np.ones(3)), r"weights must be the name of a column"),
    (dict(weights=False), r"weights must be the name of a column or None"),
    (dict(window="10"), r"window must be an integer"),
    (dict(window=np.float64(10)), r"window must be an integer"),
    (dict(window=None), r"window must be an integer"),
    (dict(min_nobs="5"), r"min_nobs must be an integer or None"),
    (dict(min_nobs=np.True_), r"min_nobs must be an integer or None"),
])
def test_bad_argument_types(small_panel, kwargs, match):
    args = dict(y="y", x=["x0", "x1"], window=10) | kwargs
    with pytest.raises(TypeError, match=match):
        rolling_ols(small_panel, **args)


def test_regressor_names_in_arrays(small_panel):
    # 回归：x 为 numpy 数组时曾抛出 "unhashable type"
    base = rolling_ols(small_panel, "y", ["x0", "x1"], 10)
    for x in (np.array(["x0", "x1"]), pd.Index(["x0", "x1"]), ("x0", "x1"),
              pd.Series(["x0", "x1"])):
        pd.testing.assert_frame_equal(rolling_ols(small_panel, "y", x, 10),
                                      base)


def test_columns_must_hold_real_numbers(small_panel):
    # 回归：复数列曾被悄悄丢掉虚部
    cplx = small_panel.assign(x1=small_panel["x1"] + 1j)
    with pytest.raises(TypeError, match=r"'x1' must be numeric \(real\)"):
        rolling_ols(cplx, "y", ["x0", "x1"], 10)
    text = small_panel.assign(w="1")
    with pytest.raises(TypeError, match=r"'w' must be numeric"):
        rolling_ols(text, "y", ["x0"], 10, weights="w")
    with pytest.raises(ValueError, match=r"unknown column\(s\) \['w'\]"):
        rolling_ols(small_panel, "y", ["x0"], 10, weights="w")


@pytest.mark.parametrize("bad, match", [
    (0.0, r"weights must be positive: column 'w' holds 0\.0"),
    (-1.0, r"weights must be positive: column 'w' holds -1\.0"),
    (np.inf, r"column 'w' holds infinite values")])
def test_weights_must_be_positive_and_finite(small_panel, bad, match):
    panel = small_panel.assign(w=1.0)
    panel.loc[7, "w"] = bad
    with pytest.raises(ValueError, match=match):
        rolling_ols(panel, "y", ["x0"], 10, weights="w")


def test_duplicate_column_names(small_panel):
    # 回归：重名的列曾在赋值时报出与广播有关的错误
    doubled = pd.concat([small_panel, small_panel[["x0"]]], axis=1)
    with pytest.raises(ValueError, match=r"more than one column named "
                                         r"\['x0'\]"):
        rolling_ols(doubled, "y", ["x0", "x1"], 10)
    # 没有用到的列重名不要紧
    out = rolling_ols(doubled, "y", ["x1"], 10)
    pd.testing.assert_frame_equal(out, rolling_ols(small_panel, "y", ["x1"],
                                                   10))


@pytest.mark.parametrize("fn", [rr.window_sums_blocks, rr.window_sums_cumsum])
def test_window_sums_bad_arguments(fn):
    # 回归：window=0 曾抛出 ZeroDivisionError 或广播错误
    v = np.ones((5, 2))
    for window in (2.0, "2", None, True):
        with pytest.raises(TypeError, match="window must be an integer"):
            fn(v, window)
    for window in (0, -3):
        with pytest.raises(ValueError, match="window must be at least 1"):
            fn(v, window)
    for values in (np.array(["a", "b"]), np.ones(3) + 1j):
        with pytest.raises(TypeError, match="values must hold real numbers"):
            fn(values, 2)
    with pytest.raises(ValueError, match="values must have a row axis"):
        fn(np.float64(1.0), 2)
    # 列表、布尔值、空数组和比序列还长的窗口都可以
    np.testing.assert_allclose(fn([1.0, 2.0, 3.0], 2), [1.0, 3.0, 5.0])
    np.testing.assert_allclose(fn(np.array([True, True, False]), 2),
                               [1, 2, 1])
    assert fn(np.zeros((0, 2)), 3).shape == (0, 2)
    np.testing.assert_allclose(fn(np.ones(3), 10), [1.0, 2.0, 3.0])


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(window=3.0), TypeError, r"window must be an integer"),
    (dict(min_nobs=2.5), TypeError, r"min_nobs must be an integer or None"),
    (dict(window=1), ValueError, r"window=1 is smaller"),
    (dict(min_nobs=1), ValueError, r"min_nobs=1 must lie between"),
    (dict(min_nobs=6), ValueError, r"min_nobs=6 must lie between"),
    (dict(X=np.ones(10)), ValueError, r"X must have 2 dimension"),
    (dict(y=np.ones(9)), ValueError, r"y has 9 rows but X has 10"),
    (dict(X=np.ones((10, 0))), ValueError, r"X has no column"),
    (dict(y=np.array(["a"] * 10)), TypeError, r"y must hold real numbers"),
    (dict(y=np.full(10, np.inf)), ValueError, r"infinite"),
])
def test_naive_bad_arguments(kwargs, error, match):
    args = dict(y=np.ones(10), X=np.ones((10, 2)), window=5) | kwargs
    with pytest.raises(error, match=match):
        rr.rolling_ols_naive(**args)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(n_assets=0), ValueError, r"n_assets must be at least 1"),
    (dict(n_assets=2.5), TypeError, r"n_assets must be an integer"),
    (dict(n_assets=True), TypeError, r"n_assets must be an integer"),
    (dict(n_dates=1), ValueError, r"n_dates must be at least 2"),
    (dict(n_factors=0), ValueError, r"n_factors must be between 1 and 3"),
    (dict(n_factors=4), ValueError, r"n_factors must be between 1 and 3"),
    (dict(late_start=1.5), ValueError, r"late_start=1\.5 must lie between"),
    (dict(gaps="0.2"), TypeError, r"gaps must be a number"),
    (dict(missing=float("nan")), ValueError, r"missing=nan must lie"),
    (dict(missing=True), TypeError, r"missing must be a number"),
])
def test_make_panel_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        rr.make_panel(**(dict(n_assets=5, n_dates=30) | kwargs))


def test_make_panel_smallest():
    panel, truth = rr.make_panel(n_assets=1, n_dates=2, n_factors=1,
                                 late_start=0, gaps=0, missing=0)
    assert len(panel) == 2 and len(truth) == 2


# ---------------------------------------------------------------------------
# Degenerate input
# ---------------------------------------------------------------------------

def test_one_row():
    df = pd.DataFrame({"asset": ["a"], "date": [0], "y": [2.5], "x": [0.5]})
    out = rolling_ols(df, "y", [], 1)
    assert out.iloc[0].tolist() == [2.5, 0.0, 1]
    out = rolling_ols(df, "y", "x", 1, add_constant=False)
    assert out.iloc[0].tolist() == [5.0, 0.0, 1]
    out = rolling_ols(df, "y", "x", 2, expanding=True)  # 两个系数，一行
    assert np.isnan(out[["const", "x", "residual"]].to_numpy()).all()
    assert out["nobs"].tolist() == [1]


@pytest.mark.parametrize("column", ["y", "x0", "w"])
def test_a_column_entirely_missing(column):
    rng = np.random.default_rng(20)
    panel = random_panel(rng, 3, 2, 50, 0.0, weights=True)
    panel[column] = np.nan
    for expanding in (False, True):
        out = rolling_ols(panel, "y", ["x0", "x1"], 10, expanding=expanding,
                          weights="w")
        assert out.drop(columns="nobs").isna().all().all()
        assert (out["nobs"] == 0).all()


def test_constant_columns():
    rng = np.random.default_rng(15)
    T, window = 80, 10
    x, y = rng.normal(size=T), rng.normal(size=T)
    df = pd.DataFrame({"asset": "a", "date": np.arange(T), "y": y, "x": x,
                       "c": 0.1, "yc": 0.3})
    # 常数列与常数项共线：每个窗口都秩亏（lstsq 也只得到秩 2）
    D = np.column_stack([np.ones(T), x, df["c"]])
    assert np.isnan(lstsq_windows(y, D, window, 3)).all()
    out = rolling_ols(df, "y", ["x", "c"], window)
    assert out[["const", "x", "c", "residual"]].isna().all().all()
    assert (out["nobs"].to_numpy()[window - 1:] == window).all()
    # 没有常数项时，常数列本身就是常数项
    out = rolling_ols(df, "y", ["c"], window, add_constant=False)
    ref = RollingOLS(y, df[["c"]].to_numpy(), window=window).fit().params
    assert_close(out[["c"]].to_numpy(), ref)
    # y 是常数：斜率为 0，截距就是这个常数，残差为 0
    out = rolling_ols(df, "yc", "x", window).iloc[window - 1:]
    assert np.abs(out["x"]).max() < 1e-12
    np.testing.assert_allclose(out["const"], 0.3, rtol=1e-12)
    assert np.abs(out["residual"]).max() < 1e-12


# ---------------------------------------------------------------------------
# Building blocks and demos
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("T, window", [(1, 1), (59, 60), (200, 60),
                                       (240, 60), (37, 5)])
def test_window_sums(T, window):
    rng = np.random.default_rng(T)
    v = rng.normal(size=(T, 2, 3))
    direct = np.array([v[max(0, t - window + 1):t + 1].sum(axis=0)
                       for t in range(T)])
    np.testing.assert_allclose(rr.window_sums_blocks(v, window), direct,
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rr.window_sums_cumsum(v, window), direct,
                               rtol=1e-10, atol=1e-10)


def test_naive_matches_statsmodels():
    rng = np.random.default_rng(10)
    T = 150
    X = np.column_stack([np.ones(T), rng.normal(size=(T, 2))])
    y = X @ np.array([0.1, 1.0, -1.0]) + rng.normal(size=T)
    y[rng.random(T) < 0.1] = np.nan
    ref = RollingOLS(y, X, window=25, min_nobs=20).fit().params
    assert_close(rr.rolling_ols_naive(y, X, 25, min_nobs=20), ref)


def test_make_panel():
    panel, truth = rr.make_panel(n_assets=30, n_dates=400, seed=3)
    assert list(panel.columns) == ["asset", "date", "ret", "mkt", "smb"]
    assert len(truth) == len(panel)
    np.testing.assert_array_equal(
        truth.index.get_level_values("date"), panel["date"])
    info = truth.groupby(level="asset")[["late", "halted"]].first()
    assert info["late"].any() and info["halted"].any()
    rows = panel.groupby("asset").size()
    assert rows.max() == 400 and rows.min() < 400
    assert panel["ret"].isna().any()
    assert not panel[["mkt", "smb"]].isna().any().any()
    balanced, _ = rr.make_panel(10, 100, 3, late_start=0, gaps=0, seed=1)
    assert len(balanced) == 1000
    # 同一个种子得到同一份数据
    again, _ = rr.make_panel(n_assets=30, n_dates=400, seed=3)
    pd.testing.assert_frame_equal(panel, again)


def test_recovers_true_betas_of_stable_assets():
    panel, truth = rr.make_panel(n_assets=30, n_dates=1500, seed=4)
    out = rolling_ols(panel, "ret", ["mkt", "smb"], 250)
    err = (out["mkt"] - truth["beta_mkt"])[truth["kind"] == "稳定"].dropna()
    assert np.sqrt((err ** 2).mean()) < 0.15


def test_light_demos_run():
    assert isinstance(rr.show_rank_deficient(), pd.DataFrame)
    table = rr.show_cancellation()
    assert list(table.columns)[-1] == "rolling_ols"
    assert (table["rolling_ols"] == "< 1e-11").all()  # 舍入误差以内
    assert isinstance(rr.show_panel_summary(), str)


def test_benchmark_demos_read_the_committed_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the path does not depend on the working directory
    res = rr.load_benchmark()
    assert {r["name"] for r in res["results"]} >= {
        "rolling_ols", "statsmodels_fit", "statsmodels_params_only"}
    assert isinstance(rr.show_benchmark(), pd.DataFrame)
    assert "机器" in rr.show_benchmark_context()
