"""Tests for snippets/penalized_regression.py against independent references.

LASSO: scikit-learn's Lasso(fit_intercept=False); ridge: the normal
equations (SciPy) and scikit-learn's Ridge; SCAD: skglm's SCAD penalty with
its Anderson coordinate-descent solver, plus coordinate-wise optimality
checked by brute force; garrote: SciPy's L-BFGS-B on the bound-constrained
problem and scikit-learn's positive Lasso; thresholding rules: closed forms
of Fan & Li (2001) and Breiman (1995) written out here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.linalg
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, Ridge

from snippets import penalized_regression as pr

A = 3.7
seeds = st.integers(0, 2**32 - 1)


def random_problem(seed, n, p, rho=0.0, scale_cols=False):
    """Correlated Gaussian design, sparse-ish truth and noise."""
    rng = np.random.default_rng(seed)
    idx = np.arange(p)
    L = np.linalg.cholesky(rho ** np.abs(idx[:, None] - idx[None, :]))
    X = rng.standard_normal((n, p)) @ L.T
    if scale_cols:
        X *= rng.uniform(0.5, 2.0, p)
    beta = rng.standard_normal(p) * (rng.random(p) < 0.5) * 3
    y = X @ beta + rng.standard_normal(n) * rng.uniform(0.3, 2.0)
    return X, y, rng


# --- independent formulas written from the papers --------------------------

def scad_value(t, lam, a=A):
    """Fan & Li (2001), eq. (2.7) integrated; written independently here."""
    t = np.abs(t)
    out = np.empty_like(t, dtype=float)
    m1 = t <= lam
    m3 = t > a * lam
    m2 = ~m1 & ~m3
    out[m1] = lam * t[m1]
    out[m2] = -(t[m2] ** 2 - 2 * a * lam * t[m2] + lam**2) / (2 * (a - 1))
    out[m3] = (a + 1) * lam**2 / 2
    return out


def objective(X, y, beta, penalty, lam, a=A):
    n = len(y)
    loss = np.sum((y - X @ beta) ** 2) / (2 * n)
    if penalty == "lasso":
        return loss + lam * np.sum(np.abs(beta))
    if penalty == "ridge":
        return loss + lam / 2 * np.sum(beta**2)
    if penalty == "scad":
        return loss + np.sum(scad_value(beta, lam, a))
    raise AssertionError(penalty)


# --- LASSO -----------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(seed=seeds, n=st.integers(5, 60), p=st.integers(1, 12),
       rho=st.sampled_from([0.0, 0.5, 0.9]), frac=st.floats(0.01, 1.2))
def test_lasso_matches_sklearn(seed, n, p, rho, frac):
    X, y, _ = random_problem(seed, n, p, rho, scale_cols=True)
    lam = frac * np.abs(X.T @ y).max() / n
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

def design(seed, n, p):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p)
    y = X @ (3 * rng.standard_normal(p)) + rng.standard_normal(n)
    return X, y


def sk_ridge(X, y, alpha):
    return Ridge(alpha=alpha, fit_intercept=False,
                 solver="svd").fit(X, y).coef_


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


# 每一项在旧实现上要么静默运行（True 当作 1），要么报出不指明参数的错误
INTEGER_ARGUMENTS = {
    "cd max_iter": (lambda d, v: pr.coordinate_descent(
        *_gram(d), 0.1, "lasso", max_iter=v), "max_iter"),
    "lambda_grid n_grid": (lambda d, v: pr.lambda_grid(
        *_gram(d), "lasso", None, n_grid=v), "n_grid"),
    "fan_li_sigma p": (lambda d, v: pr.fan_li_sigma(v), "p must"),
    "fan_li_data n_rep": (lambda d, v: pr.fan_li_data(
        20, 1.0, v, np.random.default_rng(0)), "n_rep"),
    "fan_li_data n": (lambda d, v: pr.fan_li_data(
        v, 1.0, 2, np.random.default_rng(0)), "n must"),
    "simulate seed": (lambda d, v: pr.simulate(20, 1.0, n_rep=2, seed=v),
                      "seed"),
    "coefficient_paths n_grid": (lambda d, v: pr.coefficient_paths(
        n_grid=v), "n_grid"),
    "coefficient_paths seed": (lambda d, v: pr.coefficient_paths(seed=v),
                               "seed"),
}


@pytest.mark.parametrize("bad", [True, 3.0])
@pytest.mark.parametrize("case", list(INTEGER_ARGUMENTS))
def test_integer_arguments_must_be_integers(data, case, bad):
    call, match = INTEGER_ARGUMENTS[case]
    with pytest.raises(TypeError, match=match):
        call(data, bad)


@pytest.mark.parametrize("call", [
    # 旧实现：coordinate_descent 把未知的 rule 当作 SCAD，
    # lambda_grid 把未知的 penalty 当作岭回归
    lambda G, q: pr.coordinate_descent(G, q, 0.1, "ridge"),
    lambda G, q: pr.lambda_grid(G, q, "Lasso", None),
])
def test_unknown_rule_or_penalty_is_not_silently_replaced(data, call):
    with pytest.raises(ValueError, match="unknown (rule|penalty)"):
        call(*_gram(data))


def test_stepwise_checks_its_data():
    with pytest.raises(ValueError, match="at least one row"):
        pr.forward_stepwise_bic(np.zeros((0, 3)), np.zeros(0))
    with pytest.raises(ValueError, match="rows but y has"):
        pr.forward_stepwise_bic(np.ones((5, 2)), np.ones(4))


# --- SCAD --------------------------------------------------------------------

def skglm_scad(X, y, lam, a=A):
    from skglm import GeneralizedLinearEstimator
    from skglm.datafits import Quadratic
    from skglm.penalties import SCAD
    from skglm.solvers import AndersonCD

    est = GeneralizedLinearEstimator(
        Quadratic(), SCAD(alpha=lam, gamma=a),
        AndersonCD(tol=1e-13, fit_intercept=False, max_iter=1000,
                   max_epochs=200_000))
    return est.fit(X, y).coef_


def test_skglm_scad_uses_fan_li_scaling():
    from skglm.penalties import SCAD

    t = np.linspace(-6, 6, 241)
    lam = 0.8
    values = [SCAD(alpha=lam, gamma=A).value(np.array([v])) for v in t]
    np.testing.assert_allclose(values, scad_value(t, lam), rtol=1e-12)
    np.testing.assert_allclose(pr.scad_penalty(t, lam, A), scad_value(t, lam),
                               rtol=1e-12, atol=1e-15)


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
@given(seed=seeds, n=st.integers(5, 60), p=st.integers(1, 10),
       rho=st.sampled_from([0.0, 0.5, 0.9]), frac=st.floats(0.02, 1.0))
def test_scad_is_coordinatewise_optimal(seed, n, p, rho, frac):
    """Each coordinate minimises the full objective with the others fixed."""
    X, y, _ = random_problem(seed, n, p, rho, scale_cols=True)
    lam = frac * np.abs(X.T @ y).max() / n
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


# --- orthonormal design: thresholding rules ------------------------------------

def closed_form(rule, z, lam, a=A):
    """Closed forms of the thresholding rules (orthonormal design)."""
    out = np.zeros_like(z)
    for i, v in enumerate(z):
        s, t = np.sign(v), abs(v)
        if rule == "hard":
            out[i] = v if t > lam else 0.0
        elif rule == "soft":
            out[i] = s * max(t - lam, 0.0)
        elif rule == "scad":  # Fan & Li (2001), eq. (2.8)
            if t <= 2 * lam:
                out[i] = s * max(t - lam, 0.0)
            elif t <= a * lam:
                out[i] = ((a - 1) * v - s * a * lam) / (a - 2)
            else:
                out[i] = v
        elif rule == "ridge":
            out[i] = v / (1 + lam)
        elif rule == "garrote":  # Breiman: (1 - λ/z²)+ z
            out[i] = max(1 - lam / v**2, 0.0) * v if v != 0 else 0.0
    return out


@pytest.mark.parametrize("rule", pr.RULES)
def test_threshold_rules_closed_forms(rule):
    z = np.concatenate([np.linspace(-8, 8, 1601), [0.0, 1.0, 2.0, 3.7, -3.7]])
    for lam in (0.3, 1.0, 2.0):
        np.testing.assert_allclose(pr.threshold(z, rule, lam), closed_form(rule, z, lam),
                                   atol=1e-12)


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


def test_scad_threshold_general_d_is_univariate_minimum():
    rng = np.random.default_rng(4)
    b = np.linspace(-15, 15, 300_001)
    for _ in range(40):
        z, lam, d = rng.normal(0, 4), rng.uniform(0.1, 2), rng.uniform(0.05, 3)
        ours = pr.scad_threshold(z, lam, A, d)
        f = d / 2 * (b - z) ** 2 + scad_value(b, lam)
        f_ours = d / 2 * (ours - z) ** 2 + scad_value(np.array([ours]), lam)[0]
        assert f_ours <= f.min() + 1e-12


# --- GCV -----------------------------------------------------------------------

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


# --- simulation ---------------------------------------------------------------

def test_simulate_small():
    df = pr.simulate(40, 3.0, n_rep=8, seed=1)
    assert isinstance(df, pd.DataFrame)
    assert list(df.index) == ["ols", "ridge", "lasso", "scad", "garrote", "oracle"]
    assert df.loc["ols", "mrme"] == pytest.approx(100.0)
    assert df.loc["oracle", "correct_zeros"] == 5
    assert df.loc["oracle", "incorrect_zeros"] == 0
    assert df.loc["ridge", "correct_zeros"] == 0
    assert df["correct_zeros"].between(0, 5).all()
    assert df["incorrect_zeros"].between(0, 3).all()


def test_simulation_batches_agree_with_fit():
    """The batched GCV path gives, problem by problem, what fit() gives."""
    X, y = pr.fan_li_data(40, 3.0, 3, np.random.default_rng(5))
    G, q, yy = pr._gram(X, y)
    for penalty in ("ridge", "lasso", "scad", "garrote"):
        betas, lams = pr.select_by_gcv(G, q, yy, 40, penalty)
        for r in range(3):
            np.testing.assert_allclose(betas[r], pr.fit(X[r], y[r], penalty, lams[r]),
                                       atol=1e-8)


def test_oracle_matches_least_squares_on_true_support():
    X, y = pr.fan_li_data(60, 1.0, 1, np.random.default_rng(0))
    support = pr.BETA_TRUE != 0
    ols = scipy.linalg.lstsq(X[0][:, support], y[0])[0]
    full = pr.fit(X[0], y[0], "ridge", 0.0)
    assert np.abs(ols - pr.BETA_TRUE[support]).max() < 1
    assert np.abs(full - scipy.linalg.lstsq(X[0], y[0])[0]).max() < 1e-10


def test_forward_stepwise_first_step_is_best_single_variable():
    X, y, _ = random_problem(2, 50, 6, 0.5)
    rss = [np.sum((y - X[:, [j]] @ scipy.linalg.lstsq(X[:, [j]], y)[0]) ** 2)
           for j in range(6)]
    chosen = pr.forward_stepwise_bic(X, y)
    assert int(np.argmin(rss)) in chosen


# --- bad inputs ---------------------------------------------------------------

@pytest.fixture
def data():
    X, y, _ = random_problem(0, 20, 4)
    return X, y


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


def test_bad_simulation_arguments():
    with pytest.raises(ValueError, match="n must exceed"):
        pr.simulate(8, 1.0)
    with pytest.raises(ValueError, match="sigma must be positive"):
        pr.simulate(40, -1.0)
    with pytest.raises(ValueError, match="n_rep"):
        pr.simulate(40, 1.0, n_rep=0)


def test_non_convergence_warns():
    X, y, _ = random_problem(1, 30, 6, 0.9)
    with pytest.warns(RuntimeWarning, match="did not converge"):
        pr.fit(X, y, "lasso", 1e-4, max_iter=2)


def test_zero_column_gets_zero_coefficient():
    X, y, _ = random_problem(1, 30, 4)
    X[:, 2] = 0
    for penalty in ("lasso", "scad", "ridge"):
        assert pr.fit(X, y, penalty, 0.05)[2] == 0


# --- demos ----------------------------------------------------------------------

def test_demos_run():
    import matplotlib
    import matplotlib.pyplot as plt

    matplotlib.use("Agg")
    for make in (pr.plot_penalties, pr.plot_thresholding, pr.plot_coefficient_paths):
        fig = make()
        assert isinstance(fig, matplotlib.figure.Figure)
        plt.close(fig)
    assert isinstance(pr.show_single_fit(), pd.DataFrame)
    assert isinstance(pr.show_stepwise_instability(), pd.DataFrame)
    table = pr._format_simulation(pr.simulate(60, 1.0, n_rep=5))
    assert table.shape == (6, 3)
    with pytest.raises(ValueError, match="greater than 2"):
        pr.demo_bad_a()
