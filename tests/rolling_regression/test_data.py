"""The synthetic panel (snippets/rolling_regression/data.py): its shape,
determinism and bad arguments, and the example assets picked from it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from snippets.rolling_regression import rolling_ols
from snippets.rolling_regression.data import (article_panel, example_assets,
                                              make_panel)


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
        make_panel(**(dict(n_assets=5, n_dates=30) | kwargs))


def test_make_panel_smallest():
    panel, truth = make_panel(n_assets=1, n_dates=2, n_factors=1,
                                 late_start=0, gaps=0, missing=0)
    assert len(panel) == 2 and len(truth) == 2



def test_make_panel():
    panel, truth = make_panel(n_assets=30, n_dates=400, seed=3)
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
    balanced, _ = make_panel(10, 100, 3, late_start=0, gaps=0, seed=1)
    assert len(balanced) == 1000
    # 同一个种子得到同一份数据
    again, _ = make_panel(n_assets=30, n_dates=400, seed=3)
    pd.testing.assert_frame_equal(panel, again)


def test_recovers_true_betas_of_stable_assets():
    panel, truth = make_panel(n_assets=30, n_dates=1500, seed=4)
    out = rolling_ols(panel, "ret", ["mkt", "smb"], 250)
    err = (out["mkt"] - truth["beta_mkt"])[truth["kind"] == "稳定"].dropna()
    assert np.sqrt((err ** 2).mean()) < 0.15


def test_example_assets_fit_their_roles():
    panel, truth = make_panel(n_assets=60, n_dates=800, seed=0)
    drift, switch, late = example_assets(truth)
    all_dates = np.sort(panel["date"].unique())
    for name, kind in ((drift, "漂移"), (switch, "切换")):
        info = truth.loc[name].iloc[0]
        assert info["kind"] == kind and not info["late"]
        assert not info["halted"]
        # 从第一天起每天都有行
        dates = panel.loc[panel["asset"] == name, "date"].to_numpy()
        np.testing.assert_array_equal(np.sort(dates), all_dates)
    dates = np.sort(panel.loc[panel["asset"] == late, "date"].to_numpy())
    assert dates[0] > all_dates[0]  # 晚上市
    pos = np.searchsorted(all_dates, dates)
    gap = int(np.argmax(np.diff(pos)))
    assert np.diff(pos)[gap] > 1  # 停牌：日期有缺口
    assert gap > 150 and len(dates) - gap > 150  # 缺口两侧各有 150 行以上
    assert truth.loc[late, "kind"].iloc[0] != "稳定"


def test_example_assets_bad_input():
    _, truth = make_panel(n_assets=6, n_dates=50, seed=0)
    with pytest.raises(TypeError, match="truth must be a pandas DataFrame"):
        example_assets(truth.to_numpy())
    with pytest.raises(ValueError, match="second value of make_panel"):
        example_assets(truth.drop(columns="late"))
    with pytest.raises(ValueError, match="no late asset with a suspension"):
        example_assets(truth)  # 50 个交易日：停牌不可能在中段


def test_article_panel_is_built_once():
    first, second = article_panel(), article_panel()
    assert first is second
    panel, truth = first
    assert panel["asset"].nunique() == 200 and panel["date"].nunique() == 2000
    pd.testing.assert_frame_equal(panel, make_panel(200, 2000, 2, seed=0)[0])
