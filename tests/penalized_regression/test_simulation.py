"""The Fan & Li (2001) simulation (snippets/penalized_regression/
simulation.py): the OLS, oracle, ridge and LASSO rows re-derived here with
SciPy and scikit-learn, replication by replication."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.linalg
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso

from snippets import penalized_regression as pr

TRUE = np.array([3, 1.5, 0, 0, 2, 0, 0, 0])   # Fan & Li 例 4.1
SIGMA = scipy.linalg.toeplitz(0.5 ** np.arange(8))


def gcv_choice(X, y, fits, top):
    """The GCV-best fit on top * logspace(0, -3, 50): fits(lam) -> (b, df)."""
    n = len(y)
    best = None
    for lam in top * np.logspace(0, -3, 50):
        b, df = fits(lam)
        score = np.sum((y - X @ b) ** 2) / n / (1 - df / n) ** 2
        if best is None or score < best[0]:
            best = (score, b)
    return best[1]


def ridge_gcv(X, y):
    n, p = X.shape

    def fits(lam):
        M = X.T @ X + n * lam * np.eye(p)
        return (scipy.linalg.solve(M, X.T @ y),
                np.trace(X @ scipy.linalg.solve(M, X.T)))
    return gcv_choice(X, y, fits, 10 * np.sum(X**2) / n / p)


def lasso_gcv(X, y):
    n = len(y)

    def fits(lam):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            b = Lasso(alpha=lam, fit_intercept=False, tol=1e-14,
                      max_iter=1_000_000).fit(X, y).coef_
        b = np.where(np.abs(b) < 1e-12, 0.0, b)
        A = b != 0   # Tibshirani (1996)：活跃集上的局部二次近似
        XA = X[:, A]
        H = XA @ np.linalg.solve(XA.T @ XA + n * np.diag(lam / np.abs(b[A])),
                                 XA.T)
        return b, np.trace(H)
    return gcv_choice(X, y, fits, np.abs(X.T @ y).max() / n)


def reference_rows(n, sigma, n_rep, seed):
    X, y = pr.fan_li_data(n, sigma, n_rep, np.random.default_rng(seed))
    est = {"ols": [], "oracle": [], "ridge": [], "lasso": []}
    for Xr, yr in zip(X, y):
        est["ols"].append(scipy.linalg.lstsq(Xr, yr)[0])
        oracle = np.zeros(8)
        oracle[[0, 1, 4]] = scipy.linalg.lstsq(Xr[:, [0, 1, 4]], yr)[0]
        est["oracle"].append(oracle)
        est["ridge"].append(ridge_gcv(Xr, yr))
        est["lasso"].append(lasso_gcv(Xr, yr))
    me = {k: np.array([(b - TRUE) @ SIGMA @ (b - TRUE) for b in v])
          for k, v in est.items()}
    return {k: (100 * np.median(me[k] / me["ols"]),
                np.mean([np.sum((b == 0) & (TRUE == 0)) for b in v]),
                np.mean([np.sum((b == 0) & (TRUE != 0)) for b in v]))
            for k, v in est.items()}


@pytest.mark.parametrize("n, sigma, seed", [(40, 3.0, 1), (60, 1.0, 4)])
def test_rows_match_an_independent_simulation(n, sigma, seed):
    table = pr.simulate(n, sigma, n_rep=8, seed=seed)
    assert list(table.index) == ["ols", "ridge", "lasso", "scad", "garrote",
                                 "oracle"]
    for method, (mrme, right, wrong) in reference_rows(n, sigma, 8,
                                                       seed).items():
        row = table.loc[method]
        assert row["mrme"] == pytest.approx(mrme, rel=1e-6), method
        assert row["correct_zeros"] == right, method
        assert row["incorrect_zeros"] == wrong, method
    assert table["correct_zeros"].between(0, 5).all()
    assert table["incorrect_zeros"].between(0, 3).all()


def test_bad_simulation_arguments():
    with pytest.raises(ValueError, match="n must exceed"):
        pr.simulate(8, 1.0)
    with pytest.raises(ValueError, match="sigma must be positive"):
        pr.simulate(40, -1.0)
    with pytest.raises(ValueError, match="n_rep"):
        pr.simulate(40, 1.0, n_rep=0)


@pytest.mark.parametrize("bad", [True, 3.0])
def test_seed_must_be_an_integer(bad):
    with pytest.raises(TypeError, match="seed"):
        pr.simulate(20, 1.0, n_rep=2, seed=bad)
