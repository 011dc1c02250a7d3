"""GCV, the lambda grid and the batched paths (snippets/penalized_regression/
gcv.py) against direct n x n hat-matrix formulas and scikit-learn."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from penalized_regression.references import A, gram, random_problem
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso

from snippets import penalized_regression as pr


def one_problem():
    X, y, _ = random_problem(0, 20, 4)
    return gram(X[None], y[None])


def test_gcv_ridge_df_is_hat_matrix_trace():
    X, y, _ = random_problem(8, 30, 6, 0.5)
    n = len(y)
    for lam in (0.0, 0.1, 3.0):
        beta = pr.fit(X, y, "ridge", lam)
        H = X @ np.linalg.solve(X.T @ X + n * lam * np.eye(6), X.T)
        score, df = pr.gcv(X, y, beta, "ridge", lam)
        assert df == pytest.approx(np.trace(H), rel=1e-10)
        rss = np.sum((y - H @ y) ** 2)
        assert score == pytest.approx(rss / n / (1 - np.trace(H) / n) ** 2, rel=1e-9)


@pytest.mark.parametrize("penalty", ["lasso", "scad", "garrote"])
def test_gcv_lqa_df_matches_direct_formula(penalty):
    """e(λ) = tr X_A (X_A'X_A + n Σ_λ)^{-1} X_A' built from n x n matrices."""
    X, y, _ = random_problem(9, 50, 8, 0.5)
    n = len(y)
    b_ols = np.linalg.lstsq(X, y, rcond=None)[0]
    for frac in (0.05, 0.3):
        lam = frac * np.abs(X.T @ y).max() / n
        beta = pr.fit(X, y, penalty, lam)
        act = beta != 0
        t = np.abs(beta[act])
        if penalty == "lasso":
            w = lam / t
        elif penalty == "scad":
            w = np.where(t <= lam, lam, np.maximum(A * lam - t, 0) / (A - 1)) / t
        else:
            w = lam / (np.abs(b_ols[act]) * t)
        XA = X[:, act]
        H = XA @ np.linalg.solve(XA.T @ XA + n * np.diag(w), XA.T)
        score, df = pr.gcv(X, y, beta, penalty, lam)
        assert df == pytest.approx(np.trace(H), rel=1e-9)
        rss = np.sum((y - X @ beta) ** 2)
        assert score == pytest.approx(rss / n / (1 - df / n) ** 2, rel=1e-9)


def test_simulation_batches_agree_with_fit():
    """The batched GCV path gives, problem by problem, what fit() gives."""
    X, y = pr.fan_li_data(40, 3.0, 3, np.random.default_rng(5))
    G, q, yy = gram(X, y)
    for penalty in ("ridge", "lasso", "scad", "garrote"):
        betas, lams = pr.select_by_gcv(G, q, yy, 40, penalty)
        for r in range(3):
            np.testing.assert_allclose(betas[r],
                                       pr.fit(X[r], y[r], penalty, lams[r]),
                                       atol=1e-8)
            # GCV 的选择：网格上逐个 fit 再算 gcv()，取最小值
            grid = pr.lambda_grid(G[r:r + 1], q[r:r + 1], penalty,
                                  pr.ols_solve(G[r:r + 1], q[r:r + 1]))[0]
            scores = [pr.gcv(X[r], y[r], pr.fit(X[r], y[r], penalty, lam),
                             penalty, lam)[0] for lam in grid]
            assert lams[r] == grid[int(np.argmin(scores))]


def test_lambda_grid_starts_where_lasso_and_garrote_vanish():
    X, y, _ = random_problem(4, 50, 6, 0.5)
    n = len(y)
    G, q, _ = gram(X[None], y[None])
    b_ols = np.linalg.lstsq(X, y, rcond=None)[0]
    for penalty, Z in (("lasso", X), ("garrote", X * b_ols)):
        grid = pr.lambda_grid(G, q, penalty, b_ols[None], n_grid=7,
                              decades=2.0)[0]
        np.testing.assert_allclose(grid / grid[0], np.logspace(0, -2, 7),
                                   rtol=1e-12)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fits = [Lasso(alpha=lam, fit_intercept=False, tol=1e-12,
                          positive=penalty == "garrote").fit(Z, y).coef_
                    for lam in (grid[0] * 1.0001, grid[0] * 0.99)]
        assert np.all(fits[0] == 0) and np.any(fits[1] != 0)
    ridge = pr.lambda_grid(G, q, "ridge", b_ols[None], n_grid=3)[0]
    np.testing.assert_allclose(ridge[0], 10 * np.sum(X**2) / n / 6)


@pytest.mark.parametrize("bad", [True, 3.0])
def test_n_grid_must_be_an_integer(bad):
    G, q, _ = one_problem()
    with pytest.raises(TypeError, match="n_grid"):
        pr.lambda_grid(G, q, "lasso", None, n_grid=bad)
    with pytest.raises(TypeError, match="n_grid"):
        pr.coefficient_paths(G, q, np.ones(1), 20, n_grid=bad)


def test_unknown_penalty_is_not_silently_replaced():
    # 旧实现：lambda_grid 把未知的 penalty 当作岭回归
    G, q, _ = one_problem()
    with pytest.raises(ValueError, match="unknown penalty"):
        pr.lambda_grid(G, q, "Lasso", None)


def test_coefficient_paths_are_fits_along_the_grid():
    X, y = pr.fan_li_data(60, 1.0, 1, np.random.default_rng(2))
    G, q, yy = gram(X, y)
    paths = pr.coefficient_paths(G, q, yy, 60, n_grid=6)
    assert list(paths) == ["ridge", "lasso", "scad", "garrote"]
    for penalty, (lams, betas, best) in paths.items():
        assert lams.shape == (6,) and betas.shape == (6, 8)
        decades = 5.0 if penalty == "ridge" else 4.0
        np.testing.assert_allclose(lams / lams[0], np.logspace(0, -decades, 6),
                                   rtol=1e-12)
        scores = []
        for lam, beta in zip(lams, betas):
            np.testing.assert_allclose(beta, pr.fit(X[0], y[0], penalty, lam),
                                       atol=1e-8)
            scores.append(pr.gcv(X[0], y[0], beta, penalty, lam)[0])
        assert best == int(np.argmin(scores))


def test_coefficient_paths_checks_its_problem():
    X, y = pr.fan_li_data(60, 1.0, 2, np.random.default_rng(2))
    G, q, yy = gram(X, y)
    with pytest.raises(ValueError, match="one problem"):
        pr.coefficient_paths(G, q, yy, 60)
    with pytest.raises(ValueError, match="n must be >= 10"):
        pr.coefficient_paths(G[:1], q[:1], yy[:1], 9)
