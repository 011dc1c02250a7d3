"""rolling_ols (snippets/rolling_regression/core.py) on awkward panels: row
order, series shorter than the window, missing rows, rank-deficient and
degenerate windows.  References: statsmodels RollingOLS, lstsq, pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rolling_regression.references import (assert_close,
                                           check_against_statsmodels,
                                           lstsq_windows, random_panel)
from statsmodels.regression.rolling import RollingOLS

from snippets.rolling_regression import rolling_ols

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
    window, min_nobs = 15, 10
    out = rolling_ols(panel, "y", ["x0", "x1"], window, min_nobs=min_nobs)
    edge = 0
    for name, g in panel.sort_values("date").groupby("asset"):
        complete = g[["y", "x0", "x1"]].notna().all(axis=1).astype(int)
        count = complete.rolling(window).sum().fillna(0).astype(int)
        np.testing.assert_array_equal(out.loc[name, "nobs"].to_numpy(),
                                      count.to_numpy())
        # 参考：逐窗口 lstsq，完整的行不足 min_nobs 或秩亏时为 NaN
        D = np.column_stack([np.ones(len(g)), g[["x0", "x1"]]])
        ref = lstsq_windows(g["y"].to_numpy(), D, window, min_nobs)
        coef = out.loc[name, ["const", "x0", "x1"]].to_numpy()
        np.testing.assert_array_equal(np.isnan(coef), np.isnan(ref))
        assert np.isnan(coef[count.to_numpy() < min_nobs]).all()
        edge += int((count == min_nobs).sum())
    assert edge > 0  # 恰好 min_nobs 行的窗口也有估计


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

