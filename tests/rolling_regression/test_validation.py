"""The argument checks of rolling_ols (snippets/rolling_regression/
validation.py): each bad input raises a ValueError or TypeError that names
the problem; harmless variants give the same result as the plain call."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rolling_regression.references import random_panel

from snippets.rolling_regression import rolling_ols

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

