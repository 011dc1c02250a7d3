"""The solvers and fit (snippets/penalized_regression/core.py) against
independent references.

LASSO: scikit-learn's Lasso(fit_intercept=False); ridge: the normal
equations (SciPy) and scikit-learn's Ridge; SCAD: skglm's SCAD penalty with
its Anderson coordinate-descent solver, plus coordinate-wise optimality
checked by brute force; garrote: SciPy's L-BFGS-B on the bound-constrained
problem and scikit-learn's positive Lasso; orthonormal designs: the closed
forms of the thresholding rules.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.linalg
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st
from penalized_regression.references import (A, closed_form, design,
                                             objective, random_problem,
                                             scad_value, scaled_problems,
                                             seeds, sk_ridge, skglm_scad)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, Ridge

from snippets import penalized_regression as pr


@pytest.fixture
def data():
    X, y, _ = random_problem(0, 20, 4)
    return X, y


# --- LASSO -----------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(problem=scaled_problems(max_p=12, frac=(0.01, 1.2)))
def test_lasso_matches_sklearn(problem):
    X, y, lam = problem
    n, p = X.shape
    ours = pr.fit(X, y, "lasso", lam)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = Lasso(alpha=lam, fit_intercept=False, tol=1e-14,
                    max_iter=1_000_000).fit(X, y).coef_
    f_ours = objective(X, y, ours, "lasso", lam)
    f_ref = objective(X, y, ref, "lasso", lam)
    assert f_ours <= f_ref + 1e-12 * max(1.0, abs(f_ref))
    if p <= n:  # 唯一解：系数也应一致
        np.testing.assert_allclose(ours, ref, atol=1e-7)
        np.testing.assert_array_equal(ours == 0, np.abs(ref) == 0)


def test_lasso_large_lambda_gives_zero():
    X, y, _ = random_problem(3, 30, 6)
    lam_max = np.abs(X.T @ y).max() / len(y)
    assert np.all(pr.fit(X, y, "lasso", lam_max * 1.0001) == 0)
    assert np.any(pr.fit(X, y, "lasso", lam_max * 0.99) != 0)


# --- ridge -----------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(seed=seeds, n=st.integers(3, 50), p=st.integers(1, 12),
       lam=st.floats(1e-6, 100.0))
def test_ridge_matches_normal_equations(seed, n, p, lam):
    X, y, _ = random_problem(seed, n, p, 0.5, scale_cols=True)
    ours = pr.fit(X, y, "ridge", lam)
    normal = scipy.linalg.solve(X.T @ X + n * lam * np.eye(p), X.T @ y,
                                assume_a="pos")
    sk = Ridge(alpha=n * lam, fit_intercept=False, solver="svd").fit(X, y).coef_
    scale = max(1.0, np.abs(normal).max())
    np.testing.assert_allclose(ours, normal, atol=1e-8 * scale, rtol=1e-7)
    np.testing.assert_allclose(ours, sk, atol=1e-8 * scale, rtol=1e-7)


def test_ridge_zero_lambda_is_least_squares():
    X, y, _ = random_problem(5, 40, 6, 0.5)
    np.testing.assert_allclose(pr.fit(X, y, "ridge", 0.0),
                               scipy.linalg.lstsq(X, y)[0], atol=1e-10)
    # p > n：最小范数最小二乘解
    X, y, _ = random_problem(6, 5, 9)
    np.testing.assert_allclose(pr.fit(X, y, "ridge", 0.0),
                               np.linalg.pinv(X) @ y, atol=1e-9)


# --- ridge on wide designs and with tiny penalties ---------------------------
# 零空间方向上 V'q 的舍入（约 1e-16）不能被 λ 除：λ = 1e-16 时旧实现的系数
# 达到 1e3 量级。参照：NumPy 的最小范数 lstsq 与 scikit-learn 基于 X 的 SVD
# 的 Ridge(solver="svd")，后者对 ||y - Xb||² + α||b||² 求解，所以
# ridge_solve(X'X, X'y, λ) 对应 α = λ，fit(X, y, "ridge", λ) 对应 α = nλ。

@pytest.mark.parametrize("lam", [1e-16, 1e-12, 1e-8])
@pytest.mark.parametrize("seed", range(3))
def test_ridge_tiny_penalty_on_wide_design_is_min_norm(seed, lam):
    X, y = design(seed, 50, 100)
    min_norm = np.linalg.lstsq(X, y, rcond=None)[0]
    s = np.linalg.svd(X, compute_uv=False)
    scale = np.abs(min_norm).max()
    # 真正的岭解与最小范数解之差约为 λ/σ_min² · |b|
    gap = lam / s[-1] ** 2 * np.linalg.norm(min_norm)
    ours = pr.ridge_solve((X.T @ X)[None], (X.T @ y)[None],
                          np.array([lam]))[0]
    np.testing.assert_allclose(ours, min_norm, rtol=0,
                               atol=1e-10 * scale + 2 * gap)
    np.testing.assert_allclose(ours, sk_ridge(X, y, lam), rtol=0,
                               atol=1e-10 * scale)
    n = len(y)
    np.testing.assert_allclose(pr.fit(X, y, "ridge", lam / n), ours,
                               rtol=0, atol=1e-10 * scale)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, n=st.integers(3, 40), extra=st.integers(2, 60),
       wide=st.booleans(),
       lam=st.sampled_from([1e-16, 1e-12, 1e-8, 1e-4, 1e-2, 1.0, 100.0]))
def test_ridge_matches_sklearn_svd_on_wide_and_tall(seed, n, extra, wide,
                                                     lam):
    n, p = (n, n + extra) if wide else (n + extra, n)
    X, y = design(seed, n, p)
    ref = sk_ridge(X, y, lam)
    scale = max(1.0, np.abs(ref).max())
    ours = pr.ridge_solve((X.T @ X)[None], (X.T @ y)[None],
                          np.array([lam]))[0]
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9 * scale)
    ref_fit = sk_ridge(X, y, n * lam)
    np.testing.assert_allclose(pr.fit(X, y, "ridge", lam), ref_fit, rtol=0,
                               atol=1e-9 * max(1.0, np.abs(ref_fit).max()))


def test_ridge_batch_mixes_penalties():
    """One batch holding lam = 0, tiny and normal penalties (the paths)."""
    X, y = design(7, 20, 45)
    lams = np.array([0.0, 1e-16, 1e-10, 1e-3, 10.0])
    G = np.repeat((X.T @ X)[None], len(lams), axis=0)
    q = np.repeat((X.T @ y)[None], len(lams), axis=0)
    got = pr.ridge_solve(G, q, lams)
    for row, lam in zip(got, lams):
        ref = (np.linalg.lstsq(X, y, rcond=None)[0] if lam == 0
               else sk_ridge(X, y, lam))
        np.testing.assert_allclose(row, ref, rtol=0,
                                   atol=1e-9 * np.abs(ref).max())


# --- scale of y and X ----------------------------------------------------------

@pytest.mark.parametrize("s", [1e-8, 1e-100, 1e100, 1e250])
def test_lasso_and_garrote_do_not_depend_on_the_scale_of_y(s):
    """tol was absolute: tiny y stopped after one sweep, huge y never did.

    The solution is linear in y when lam scales with it (lasso: lam * s,
    garrote: lam * s^2), so scikit-learn's answer at scale 1, times s, is
    the reference.
    """
    X, y, _ = random_problem(8, 40, 6, 0.5)
    n = len(y)
    lam = 0.1 * np.abs(X.T @ y).max() / n
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = Lasso(alpha=lam, fit_intercept=False, tol=1e-14,
                    max_iter=1_000_000).fit(X, y).coef_
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # 不收敛的警告也算失败
        got = pr.fit(X, y * s, "lasso", lam * s)
    np.testing.assert_allclose(got / s, ref, rtol=0, atol=1e-7)
    if s * s == np.inf:   # 绞杀的 λ 按 s² 缩放，1e250² 上溢
        return
    b_ols = scipy.linalg.lstsq(X, y)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        c_sk = Lasso(alpha=lam, fit_intercept=False, positive=True,
                     tol=1e-14, max_iter=1_000_000).fit(X * b_ols, y).coef_
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = pr.fit(X, y * s, "garrote", lam * s * s)
    np.testing.assert_allclose(got / s, c_sk * b_ols, rtol=0, atol=1e-7)


@pytest.mark.parametrize("c, match", [(1e-170, "underflows"),
                                      (1e160, "overflows")])
@pytest.mark.parametrize("penalty", ["ridge", "lasso", "scad", "garrote"])
def test_gram_form_out_of_range_is_an_error(c, match, penalty):
    # X'X/n 下溢时旧实现静默返回 0（或错误的系数），上溢时报出无关的警告
    X, y, _ = random_problem(2, 30, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=match):
            pr.fit(X * c, y, penalty, 0.0 if penalty == "ridge" else 0.1)


@pytest.mark.parametrize("c", [1e-140, 1e140])
def test_large_and_small_x_within_range(c):
    X, y, _ = random_problem(3, 30, 4)
    n = len(y)
    got = pr.fit(X * c, y, "ridge", 0.5 * c * c)
    np.testing.assert_allclose(got * c, sk_ridge(X, y, 0.5 * n), rtol=1e-9)


# --- input types and arguments ---------------------------------------------------

def test_bool_and_integer_designs_like_sklearn(data):
    X, y = data
    for Xd in (X > 0, np.round(3 * X).astype(np.int32)):
        np.testing.assert_allclose(pr.fit(Xd, y, "ridge", 0.1),
                                   sk_ridge(Xd, y, 0.1 * len(y)), atol=1e-10)


@pytest.mark.parametrize("convert", [
    lambda a: a.astype(complex),          # 旧实现丢掉虚部
    lambda a: a.astype(str),              # 旧实现把字符串解析成数
    lambda a: a.astype(bytes),
])
def test_non_real_arrays_are_refused(data, convert):
    X, y = data
    with pytest.raises(TypeError, match="real numeric"):
        pr.fit(convert(X), y, "ridge", 0.1)
    with pytest.raises(TypeError, match="real numeric"):
        pr.fit(X, convert(y), "lasso", 0.1)



def _gram(data):
    X, y = data
    return (X.T @ X / len(y))[None], (X.T @ y / len(y))[None]


@pytest.mark.parametrize("bad", [True, 3.0])
def test_max_iter_must_be_an_integer(data, bad):
    # 旧实现：True 当作 1，3.0 报出不指明参数的错误
    with pytest.raises(TypeError, match="max_iter"):
        pr.coordinate_descent(*_gram(data), 0.1, "lasso", max_iter=bad)


def test_unknown_rule_is_not_silently_replaced(data):
    # 旧实现：coordinate_descent 把未知的 rule 当作 SCAD
    with pytest.raises(ValueError, match="unknown rule"):
        pr.coordinate_descent(*_gram(data), 0.1, "ridge")


@settings(max_examples=30, deadline=None)
@given(seed=seeds, p=st.integers(2, 10), frac=st.floats(0.02, 0.9),
       a=st.sampled_from([3.7, 3.0, 5.0]))
def test_scad_matches_skglm_on_convex_problems(seed, p, frac, a):
    # λ_min(X'X/n) > 1/(a-1) 时整个目标函数严格凸，极小点唯一：
    # X = sqrt(n) U diag(s) V'，奇异值 s 在 [0.75, 1.5] 内，λ_min >= 0.5625
    rng = np.random.default_rng(seed)
    n = 100
    U, _ = np.linalg.qr(rng.standard_normal((n, p)))
    V, _ = np.linalg.qr(rng.standard_normal((p, p)))
    X = np.sqrt(n) * (U * rng.uniform(0.75, 1.5, p)) @ V.T
    y = X @ (rng.standard_normal(p) * 3 * (rng.random(p) < 0.6)) \
        + rng.standard_normal(n)
    assert np.linalg.eigvalsh(X.T @ X / n).min() > 1 / (a - 1)
    lam = frac * np.abs(X.T @ y).max() / n
    ours = pr.fit(X, y, "scad", lam, a=a)
    ref = skglm_scad(X, y, lam, a)
    np.testing.assert_allclose(ours, ref, atol=1e-7)
    assert objective(X, y, ours, "scad", lam, a) <= (
        objective(X, y, ref, "scad", lam, a) + 1e-12)


@settings(max_examples=30, deadline=None)
@given(problem=scaled_problems(max_p=10, frac=(0.02, 1.0)))
def test_scad_is_coordinatewise_optimal(problem):
    """Each coordinate minimises the full objective with the others fixed."""
    X, y, lam = problem
    n, p = X.shape
    beta = pr.fit(X, y, "scad", lam)
    f0 = objective(X, y, beta, "scad", lam)
    for j in range(p):
        # 在 β_j 附近与远处的密集网格上做一元暴力搜索
        grid = np.concatenate([np.linspace(-1, 1, 401) * (abs(beta[j]) + 4 * A * lam + 1),
                               beta[j] + np.linspace(-1e-3, 1e-3, 201)])
        trial = np.repeat(beta[None], len(grid), axis=0)
        trial[:, j] = grid
        loss = np.sum((y[:, None] - X @ trial.T) ** 2, axis=0) / (2 * n)
        pen = scad_value(trial, lam).sum(axis=1)
        assert f0 <= (loss + pen).min() + 1e-10 * max(1.0, f0)


def test_scad_kkt_conditions():
    X, y, _ = random_problem(11, 80, 8, 0.5)
    n = len(y)
    for frac in (0.05, 0.2, 0.5):
        lam = frac * np.abs(X.T @ y).max() / n
        beta = pr.fit(X, y, "scad", lam)
        grad = -X.T @ (y - X @ beta) / n
        t = np.abs(beta)
        deriv = np.where(t <= lam, lam, np.maximum(A * lam - t, 0) / (A - 1))
        nz = beta != 0
        np.testing.assert_allclose(grad[nz] + deriv[nz] * np.sign(beta[nz]), 0,
                                   atol=1e-8)
        assert np.all(np.abs(grad[~nz]) <= lam + 1e-10)


# --- garrote -----------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(seed=seeds, n=st.integers(12, 60), p=st.integers(1, 8),
       rho=st.sampled_from([0.0, 0.5]), frac=st.floats(0.01, 1.0))
def test_garrote_matches_constrained_optimisation(seed, n, p, rho, frac):
    X, y, _ = random_problem(seed, n, p, rho, scale_cols=True)
    b_ols = scipy.linalg.lstsq(X, y)[0]
    Z = X * b_ols
    lam = frac * max((Z.T @ y).max() / n, 1e-3)

    def f(c):
        r = y - Z @ c
        return r @ r / (2 * n) + lam * c.sum(), -Z.T @ r / n + lam

    res = scipy.optimize.minimize(f, np.ones(p), jac=True, method="L-BFGS-B",
                                  bounds=[(0, None)] * p,
                                  options={"ftol": 1e-15, "gtol": 1e-12,
                                           "maxiter": 10_000})
    ours = pr.fit(X, y, "garrote", lam)
    c_ours = np.divide(ours, b_ols, out=np.zeros(p), where=b_ols != 0)
    assert np.all(c_ours >= 0)
    assert f(c_ours)[0] <= res.fun + 1e-12 * max(1.0, abs(res.fun))
    np.testing.assert_allclose(ours, res.x * b_ols, atol=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        c_sk = Lasso(alpha=lam, fit_intercept=False, positive=True, tol=1e-14,
                     max_iter=1_000_000).fit(Z, y).coef_
    np.testing.assert_allclose(ours, c_sk * b_ols, atol=1e-7)


@settings(max_examples=30, deadline=None)
@given(seed=seeds, p=st.integers(1, 8), lam=st.floats(0.01, 3.0))
def test_fit_on_orthonormal_design_is_thresholding(seed, p, lam):
    rng = np.random.default_rng(seed)
    n = 30
    Q, _ = np.linalg.qr(rng.standard_normal((n, p)))
    X = Q * np.sqrt(n)                      # X'X/n = I
    y = X @ (rng.standard_normal(p) * 3) + rng.standard_normal(n)
    z = X.T @ y / n                         # OLS 估计
    for penalty, rule in (("lasso", "soft"), ("ridge", "ridge"),
                          ("scad", "scad"), ("garrote", "garrote")):
        np.testing.assert_allclose(pr.fit(X, y, penalty, lam),
                                   closed_form(rule, z, lam), atol=1e-9)


@pytest.mark.parametrize("kwargs, match", [
    ({"penalty": "elastic"}, "unknown penalty"),
    ({"lam": -0.1}, "non-negative"),
    ({"lam": np.inf}, "finite"),
    ({"a": 2.0}, "greater than 2"),
    ({"a": 1.5}, "greater than 2"),
    ({"tol": 0.0}, "tol must be positive"),
    ({"max_iter": 0}, "max_iter must be >= 1"),
])
def test_bad_parameters(data, kwargs, match):
    X, y = data
    args = {"penalty": "scad", "lam": 0.1} | kwargs
    with pytest.raises(ValueError, match=match):
        pr.fit(X, y, **args)


def test_bad_data(data):
    X, y = data
    with pytest.raises(ValueError, match="rows but y has"):
        pr.fit(X, y[:-1], "lasso", 0.1)
    with pytest.raises(ValueError, match="2-D"):
        pr.fit(X[:, 0], y, "lasso", 0.1)
    with pytest.raises(ValueError, match="1-D"):
        pr.fit(X, y[:, None], "lasso", 0.1)
    for bad in (np.nan, np.inf):
        Xb = X.copy()
        Xb[1, 2] = bad
        with pytest.raises(ValueError, match="finite"):
            pr.fit(Xb, y, "ridge", 0.1)
        yb = y.copy()
        yb[0] = bad
        with pytest.raises(ValueError, match="finite"):
            pr.fit(X, yb, "lasso", 0.1)
    with pytest.raises(ValueError, match="full column rank"):
        pr.fit(np.ones((10, 3)), np.arange(10.0), "garrote", 0.1)
    with pytest.raises(TypeError):
        pr.fit(X, y, "lasso", "0.1")
    with pytest.raises(TypeError):
        pr.fit(X, y, "lasso", 0.1, max_iter=10.5)


def test_non_convergence_warns():
    X, y, _ = random_problem(1, 30, 6, 0.9)
    with pytest.warns(RuntimeWarning, match="did not converge"):
        pr.fit(X, y, "lasso", 1e-4, max_iter=2)


def test_zero_column_gets_zero_coefficient():
    X, y, _ = random_problem(1, 30, 4)
    X[:, 2] = 0
    for penalty in ("lasso", "scad", "ridge"):
        assert pr.fit(X, y, penalty, 0.05)[2] == 0
