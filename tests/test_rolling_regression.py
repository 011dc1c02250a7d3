"""Tests for snippets/rolling_regression.py.

References: statsmodels ``RollingOLS(missing="drop")`` fitted asset by asset,
and ``numpy.linalg.lstsq`` on every window.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.regression.rolling import RollingOLS

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
                 asset_kind="str", date_kind="datetime"):
    """An unbalanced long panel: different lengths, start dates and gaps."""
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
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def statsmodels_asset(g, xs, window, add_constant, min_nobs):
    """statsmodels RollingOLS of one asset, or None when it cannot run."""
    g = g.sort_values("date")
    exog = g[xs].to_numpy()
    if add_constant:
        exog = sm.add_constant(exog, has_constant="add")
    if len(g) < window:
        return None  # statsmodels raises IndexError: no full window
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return RollingOLS(g["y"].to_numpy(), exog, window=window,
                          min_nobs=min_nobs, missing="drop").fit()


MAX_COND = 1e3


def well_conditioned(g, xs, window, add_constant, params):
    """Rows whose window design (complete rows) has condition number <= 1e3."""
    D = g[xs].to_numpy()
    if add_constant:
        D = np.column_stack([np.ones(len(g)), D])
    complete = ~(np.isnan(D).any(axis=1) | g["y"].isna().to_numpy())
    good = np.zeros(len(g), dtype=bool)
    for t in np.flatnonzero(~np.isnan(params[:, 0])):
        rows = np.arange(t - window + 1, t + 1)
        good[t] = np.linalg.cond(D[rows[complete[rows]]]) <= MAX_COND
    return good


def check_against_statsmodels(panel, xs, window, add_constant, min_nobs):
    out = rolling_ols(panel, "y", xs, window, add_constant=add_constant,
                      min_nobs=min_nobs)
    coef = (["const"] if add_constant else []) + xs
    assert list(out.columns) == coef + ["residual", "nobs"]
    assert len(out) == len(panel)
    for name, g in panel.groupby("asset"):
        mine = out.loc[name]
        g = g.sort_values("date")
        np.testing.assert_array_equal(mine.index.to_numpy(),
                                      g["date"].to_numpy())
        res = statsmodels_asset(g, xs, window, add_constant, min_nobs)
        if res is None:
            assert mine[coef].isna().all().all()
            assert (mine["nobs"] == 0).all()
            continue
        # 极少数窗口（例如只剩两三个点且 x 几乎相同）本身就病态：任何算法的
        # 误差都被条件数放大，这些窗口只比较 NaN 的位置
        good = well_conditioned(g, xs, window, add_constant, res.params)
        ours = mine[coef].to_numpy()
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(res.params))
        assert_close(ours[good], res.params[good])
        fitted = ~np.isnan(res.params[:, 0])
        np.testing.assert_array_equal(mine["nobs"].to_numpy()[fitted],
                                      res.nobs[fitted])
        # 残差：y_t 减去用截至 t 的窗口估计出的拟合值
        exog = g[xs].to_numpy()
        if add_constant:
            exog = np.column_stack([np.ones(len(g)), exog])
        resid = g["y"].to_numpy() - (exog * res.params).sum(axis=1)
        r_ours = mine["residual"].to_numpy()
        np.testing.assert_array_equal(np.isnan(r_ours), np.isnan(resid))
        # 残差可能恰好为 0（窗口内只有 k 个点时完全拟合）：用 y 的尺度
        np.testing.assert_allclose(r_ours[good], resid[good], rtol=RTOL,
                                   atol=RTOL * np.nanmax(np.abs(g["y"])))


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
    assert (table["rolling_ols"].astype(float) < 1e-10).all()
    assert isinstance(rr.show_panel_summary(), str)


def test_benchmark_demos_read_the_committed_file():
    from pathlib import Path

    if not Path(rr.BENCH_RESULTS).is_file():
        pytest.skip("benchmarks/results/rolling.json not written yet")
    res = rr.load_benchmark()
    assert {r["name"] for r in res["results"]} >= {
        "rolling_ols", "statsmodels_fit", "statsmodels_params_only"}
    assert isinstance(rr.show_benchmark(), pd.DataFrame)
    assert "机器" in rr.show_benchmark_context()
