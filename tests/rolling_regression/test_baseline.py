"""rolling_ols_naive and the window sums (snippets/rolling_regression/
baseline.py) against direct sums and statsmodels RollingOLS."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rolling_regression.references import assert_close
from statsmodels.regression.rolling import RollingOLS

from snippets.rolling_regression import (rolling_ols_naive,
                                         window_sums_blocks,
                                         window_sums_cumsum)


def direct_sums(v, window):
    return np.array([v[max(0, t - window + 1):t + 1].sum(axis=0)
                     for t in range(len(v))]).reshape(v.shape)


@pytest.mark.parametrize("T, window", [(1, 1), (59, 60), (200, 60),
                                       (240, 60), (37, 5)])
def test_window_sums(T, window):
    rng = np.random.default_rng(T)
    v = rng.normal(size=(T, 2, 3))
    direct = direct_sums(v, window)
    np.testing.assert_allclose(window_sums_blocks(v, window), direct,
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(window_sums_cumsum(v, window), direct,
                               rtol=1e-10, atol=1e-10)


@settings(max_examples=60, deadline=None)
@given(T=st.integers(1, 90), window=st.integers(1, 100),
       cols=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_block_sums_random(T, window, cols, seed):
    v = np.random.default_rng(seed).normal(size=(T, cols))
    np.testing.assert_allclose(window_sums_blocks(v, window),
                               direct_sums(v, window), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("fn", [window_sums_blocks, window_sums_cumsum])
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
        rolling_ols_naive(**args)


def test_naive_matches_statsmodels():
    rng = np.random.default_rng(10)
    T = 150
    X = np.column_stack([np.ones(T), rng.normal(size=(T, 2))])
    y = X @ np.array([0.1, 1.0, -1.0]) + rng.normal(size=T)
    y[rng.random(T) < 0.1] = np.nan
    ref = RollingOLS(y, X, window=25, min_nobs=20).fit().params
    assert_close(rolling_ols_naive(y, X, 25, min_nobs=20), ref)
