"""rolling_ols (snippets/rolling_regression/core.py) against statsmodels
RollingOLS / RollingWLS asset by asset, and against lstsq on every window of
panels whose regressors sit far from zero."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rolling_regression.references import (RTOL, assert_close,
                                           centred_lstsq_asset,
                                           check_against_statsmodels, design,
                                           lstsq_windows, options,
                                           random_panel, statsmodels_asset,
                                           well_conditioned)

from snippets.rolling_regression import core, rolling_ols


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
    monkeypatch.setattr(core, "_CHUNK_ELEMENTS", 1)  # 每块一只资产
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
    monkeypatch.setattr(core, "_CHUNK_ELEMENTS", 1)  # 每块一只资产
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


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(0, 3),
       n_assets=st.integers(2, 6), nan_rate=st.sampled_from([0, 0.05, 0.2]),
       offset=st.sampled_from([1e3, 1e4, 1e5]), expanding=st.booleans(),
       weighted=st.booleans(), data=st.data())
def test_random_panels_at_large_offsets(seed, k, n_assets, nan_rate, offset,
                                        expanding, weighted, data):
    # 每只资产的回归变量在各自的水平（最大 ±1e5）附近只变化 1 左右：
    # statsmodels 在这里自己也不准，参考是逐窗口中心化后的 lstsq
    rng = np.random.default_rng(seed)
    window = data.draw(st.integers(k + 3, 40), label="window")
    min_nobs = data.draw(st.integers(k + 2, window), label="min_nobs")
    w = "w" if weighted else None
    panel = random_panel(rng, n_assets, k, 120, nan_rate, offset=offset,
                         weights=weighted)
    panel = panel.sample(frac=1, random_state=seed % 1000)
    xs = [f"x{j}" for j in range(k)]
    out = rolling_ols(panel, "y", xs, window, min_nobs=min_nobs,
                      **options(expanding, w))
    for name, g in panel.groupby("asset"):
        ref, resid, good = centred_lstsq_asset(g, xs, window, min_nobs,
                                               expanding, w)
        mine = out.loc[name]
        ours = mine[["const"] + xs].to_numpy()
        # NaN 只能出现在参考值也是 NaN 或病态的窗口
        assert not (np.isnan(ours[:, 0]) & good).any()
        assert np.isnan(ours[np.isnan(ref[:, 0])]).all()
        assert_close(ours[good], ref[good])
        r_ours = mine["residual"].to_numpy()
        fin = good & ~np.isnan(resid)
        assert not np.isnan(r_ours[fin]).any()
        np.testing.assert_allclose(r_ours[fin], resid[fin], rtol=0,
                                   atol=1e-7 * np.nanmax(np.abs(g["y"])))
