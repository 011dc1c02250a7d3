"""rolling_ols (snippets/rolling_regression/core.py) against polars-ols, a
Rust implementation, as a second independent reference beside statsmodels.

polars-ols' ``rolling_ols(null_policy="drop_window")`` leaves a row with a
missing value out of the windows that hold it and estimates from the first
``min_periods`` complete rows on: the conventions of
``rolling_ols(expanding=True, min_nobs=min_periods)``.  The differences:

- where a window has fewer than ``min_periods`` complete rows, polars-ols
  repeats the last estimate (rolling_ols gives NaN);
- a missing weight becomes a tiny weight instead of leaving the row out, so
  the reference gets a missing y on those rows;
- when an asset's first ``min_periods`` complete rows span more than a
  window, polars-ols 0.3.5 keeps rows that have left the window in its
  sums from then on (observed: its estimates are those of lstsq on the
  window plus such an early row), and with fewer complete rows than
  ``min_periods`` in all it may still give estimates.  Those assets are
  left out;
- it adds the row entering a window to its sums and subtracts the row
  leaving it, so a heavy row leaves rounding errors of its size behind:
  the weights are kept within a factor of about 10 of each other here
  (the statsmodels tests use ``reset=1`` for the same reason).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rolling_regression.references import (assert_close, random_panel,
                                           well_conditioned)

from snippets.rolling_regression import rolling_ols

pl = pytest.importorskip("polars")
pytest.importorskip("polars_ols")  # 注册 least_squares 命名空间


def polars_ols(panel, xs, window, add_constant=True, min_nobs=None,
               weights=None):
    """polars-ols coefficients in (asset, date) order, NaN for null."""
    cols = ["asset", "date", "y"] + xs + ([] if weights is None
                                          else [weights])
    df = pl.DataFrame({c: panel[c].to_numpy() for c in cols},
                      nan_to_null=True)
    y = pl.col("y")
    if weights is not None:  # 权重缺失的行：让 y 缺失，这一行就被去掉
        y = pl.when(pl.col(weights).is_null()).then(None).otherwise(y)
    fit = y.least_squares.rolling_ols(
        *xs, window_size=window, min_periods=min_nobs, mode="coefficients",
        add_intercept=add_constant, null_policy="drop_window",
        sample_weights=weights)
    out = (df.sort("asset", "date")
           .select(fit.over("asset").alias("coef")).unnest("coef"))
    coef = (["const"] if add_constant else []) + xs
    return out.select(coef).to_numpy()


def check_against_polars_ols(panel, xs, window, add_constant, min_nobs,
                             weights=None):
    coef = (["const"] if add_constant else []) + xs
    need = len(coef) if min_nobs is None else min_nobs
    ours = rolling_ols(panel, "y", xs, window, add_constant=add_constant,
                       min_nobs=min_nobs, expanding=True, weights=weights)
    theirs = polars_ols(panel, xs, window, add_constant, need, weights)
    mine = ours[coef].to_numpy()
    nobs = ours["nobs"].to_numpy()
    used = ["y"] + xs + ([] if weights is None else [weights])
    keep = np.ones(len(ours), dtype=bool)  # 参与比较的资产
    good = np.zeros(len(ours), dtype=bool)  # 条件数不大的窗口
    first = np.zeros(len(ours), dtype=bool)  # 每只资产的第一行
    start = 0
    for _, g in panel.sort_values(["asset", "date"]).groupby("asset"):
        rows = slice(start, start + len(g))
        start += len(g)
        first[rows.start] = True
        complete = np.flatnonzero(g[used].notna().all(axis=1).to_numpy())
        keep[rows] = len(complete) >= need and complete[need - 1] < window
        good[rows] = well_conditioned(g, xs, window, add_constant,
                                      mine[rows], weights)
    defined = ~np.isnan(theirs[:, 0])
    # 完整行不足 min_nobs 的窗口：polars-ols 沿用上一个估计，本文给 NaN
    short = nobs < need
    assert np.isnan(mine[short]).all()
    carried = keep & short & defined
    assert not (carried & first).any()
    np.testing.assert_array_equal(theirs[carried],
                                  theirs[np.flatnonzero(carried) - 1])
    # 其余的行两边都有估计；本文在秩亏（1 - R² < RANK_TOL）的窗口给
    # NaN，那只可能是病态的窗口。病态的窗口只比较是否有估计
    rest = keep & ~short
    assert defined[rest].all()
    assert not (rest & np.isnan(mine[:, 0]) & good).any()
    ok = rest & good
    assert ok.sum() >= 0.5 * rest.sum()  # 比较的行不是寥寥几行
    assert_close(mine[ok], theirs[ok])
    return int(ok.sum())


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 3),
       n_assets=st.integers(1, 4), nan_rate=st.sampled_from([0, 0.05, 0.2]),
       add_constant=st.booleans(), weighted=st.booleans(), data=st.data())
def test_matches_polars_ols_random_panels(seed, k, n_assets, nan_rate,
                                          add_constant, weighted, data):
    rng = np.random.default_rng(seed)
    n_coef = k + add_constant
    window = data.draw(st.integers(n_coef + 1, 40), label="window")
    min_nobs = data.draw(st.one_of(st.none(), st.integers(n_coef, window)),
                         label="min_nobs")
    panel = random_panel(rng, n_assets, k, 120, nan_rate, weights=weighted)
    if weighted:  # 权重压到 e^±1.1 以内：见模块说明
        panel["w"] = panel["w"] ** 0.25
    panel = panel.sample(frac=1, random_state=seed % 1000)
    xs = [f"x{j}" for j in range(k)]
    check_against_polars_ols(panel, xs, window, add_constant, min_nobs,
                             "w" if weighted else None)


def test_windows_of_the_benchmark_panel_match_polars_ols():
    # 基准的设定（3 个因子加常数项、窗口 60、少量缺失），只是资产少一些
    from snippets.rolling_regression.data import make_panel

    panel, _ = make_panel(n_assets=8, n_dates=400, n_factors=3,
                          late_start=0.3, gaps=0.2, missing=0.01, seed=5)
    panel = panel.rename(columns={"ret": "y"})
    n = check_against_polars_ols(panel, ["mkt", "smb", "hml"], 60, True,
                                 None)
    assert n > 0.9 * len(panel)


def test_polars_ols_loses_digits_at_large_offsets():
    # 正文的说法：polars-ols 也是逐行加减更新窗口的叉积，回归变量带大偏移时
    # 会像 statsmodels 一样丢掉有效数字；本文的实现不会
    rng = np.random.default_rng(1)
    T, window = 2000, 60
    X = 1e6 + rng.random((T, 3))
    y = 1.0 + X @ np.array([0.5, -1.0, 2.0]) + 0.1 * rng.standard_normal(T)
    panel = pd.DataFrame({"asset": "a", "date": np.arange(T), "y": y,
                          "x0": X[:, 0], "x1": X[:, 1], "x2": X[:, 2]})
    xs = ["x0", "x1", "x2"]
    ref = np.full((T, 3), np.nan)
    for t in range(window - 1, T):
        w = slice(t - window + 1, t + 1)
        Xc, yc = X[w] - X[w].mean(axis=0), y[w] - y[w].mean()
        ref[t] = np.linalg.lstsq(Xc, yc, rcond=None)[0]
    ours = rolling_ols(panel, "y", xs, window)[xs].to_numpy()
    theirs = polars_ols(panel, xs, window)[:, 1:]
    theirs[:window - 1] = np.nan  # 不满一个窗口的估计不比
    err = {name: np.nanmax(np.abs(est - ref) / np.abs(ref))
           for name, est in (("ours", ours), ("polars-ols", theirs))}
    assert err["ours"] < 1e-8
    assert err["polars-ols"] > 1e-4
