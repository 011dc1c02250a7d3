"""The simulation's data (snippets/penalized_regression/data.py): Fan & Li
(2001) Example 4.1, checked by its statistics and against SciPy."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
from penalized_regression.references import gram

from snippets import penalized_regression as pr


def test_design_constants_are_fan_and_li_example_4_1():
    np.testing.assert_array_equal(pr.BETA_TRUE, [3, 1.5, 0, 0, 2, 0, 0, 0])
    assert pr.RHO == 0.5
    assert not pr.BETA_TRUE.flags.writeable


@pytest.mark.parametrize("p, rho", [(1, 0.5), (8, 0.5), (5, -0.3), (6, 0.9)])
def test_fan_li_sigma_is_ar1_toeplitz(p, rho):
    np.testing.assert_allclose(pr.fan_li_sigma(p, rho),
                               scipy.linalg.toeplitz(rho ** np.arange(p)),
                               rtol=1e-15)


def test_fan_li_data_has_the_stated_distribution():
    X, y = pr.fan_li_data(200_000, 2.0, 2, np.random.default_rng(0))
    assert X.shape == (2, 200_000, 8) and y.shape == (2, 200_000)
    for Xr, yr in zip(X, y):
        # 行 ~ N(0, Σ)，Σ_ij = 0.5^|i-j|；噪声 ~ N(0, σ²) 且与 X 无关
        np.testing.assert_allclose(np.cov(Xr.T),
                                   scipy.linalg.toeplitz(0.5 ** np.arange(8)),
                                   atol=0.015)
        resid = yr - Xr @ np.array([3, 1.5, 0, 0, 2, 0, 0, 0])
        assert resid.std() == pytest.approx(2.0, rel=0.01)
        assert np.abs(Xr.T @ resid / len(yr)).max() < 0.05
    again = pr.fan_li_data(200_000, 2.0, 2, np.random.default_rng(0))
    np.testing.assert_array_equal(again[0], X)
    np.testing.assert_array_equal(again[1], y)


def test_path_problem_is_shared_and_read_only():
    G, q, yy, n = pr.path_problem()
    X, y = pr.fan_li_data(60, 1.0, 1, np.random.default_rng(2))
    ref = gram(X, y)
    for ours, theirs in zip((G, q, yy), ref):
        np.testing.assert_allclose(ours, theirs, rtol=1e-13)
        assert not ours.flags.writeable
    assert n == 60
    assert pr.path_problem()[0] is G   # 同一进程只构建一次


INTEGER_ARGUMENTS = {
    "fan_li_sigma p": (lambda v: pr.fan_li_sigma(v), "p must"),
    "fan_li_data n_rep": (lambda v: pr.fan_li_data(
        20, 1.0, v, np.random.default_rng(0)), "n_rep"),
    "fan_li_data n": (lambda v: pr.fan_li_data(
        v, 1.0, 2, np.random.default_rng(0)), "n must"),
    "path_problem seed": (lambda v: pr.path_problem(seed=v), "seed"),
    "path_problem n": (lambda v: pr.path_problem(n=v), "n must"),
}


@pytest.mark.parametrize("bad", [True, 3.0])
@pytest.mark.parametrize("case", list(INTEGER_ARGUMENTS))
def test_integer_arguments_must_be_integers(case, bad):
    call, match = INTEGER_ARGUMENTS[case]
    with pytest.raises(TypeError, match=match):
        call(bad)


def test_path_problem_needs_more_rows_than_columns_plus_one():
    with pytest.raises(ValueError, match="n must be >= 10"):
        pr.path_problem(n=9)
