"""使用不同惩罚项的线性回归进行变量选择
文章：docs/blog/posts/2026-11-18-penalized-regression.md

Penalized least squares for variable selection: ridge, LASSO, SCAD (Fan & Li
2001) and Breiman's non-negative garrote, all minimising

    (1/(2n)) ||y - X beta||^2 + P(beta)

with no intercept and no internal standardisation. Ridge has a closed form
(through the eigendecomposition of X'X/n); LASSO, SCAD and the garrote (a
non-negative LASSO on the shrink factors of the OLS estimate) are solved by
cyclic coordinate descent in Gram form, vectorised over a batch of problems
so that the Fan & Li (2001) simulation (100 replications x a grid of tuning
parameters chosen by generalised cross-validation) runs in seconds.
The ``show_*``/``plot_*`` functions build the article's tables and figures.
"""

from __future__ import annotations

import itertools
import numbers
import warnings

import numpy as np
import pandas as pd

from snippets._checks import integer

PENALTIES = ("lasso", "ridge", "scad", "garrote")
RULES = ("hard", "soft", "scad", "ridge", "garrote")
CD_RULES = ("lasso", "scad", "nonneg_lasso")   # coordinate_descent 的 rule
NAMES = {"ols": "最小二乘 OLS", "ridge": "岭回归 Ridge", "lasso": "LASSO",
         "scad": "SCAD", "garrote": "非负绞杀 garrote", "oracle": "Oracle"}

# Fan & Li (2001) 例 4.1 的设定
BETA_TRUE = np.array([3.0, 1.5, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0])
RHO = 0.5
N_GRID = 50          # 每种方法的 λ 网格点数
GRID_DECADES = 3.0   # 网格从 λ_max 向下覆盖的数量级
# G 的特征值不超过 p * eps * 最大特征值时视为 0：与 numpy.linalg.matrix_rank
# 的默认容差相同，零空间的舍入噪声实测在它的 1/10 以下
RANK_EPS = np.finfo(float).eps


# ---------------------------------------------------------------------------
# Penalty functions and the thresholding rules of an orthonormal design
# ---------------------------------------------------------------------------

# --8<-- [start:scad_penalty]
def scad_penalty(theta, lam, a=3.7):
    """Fan-Li SCAD penalty p_{lam,a}(|theta|), elementwise."""
    t = np.abs(np.asarray(theta, dtype=float))
    middle = (2 * a * lam * t - t**2 - lam**2) / (2 * (a - 1))
    return np.where(t <= lam, lam * t,
                    np.where(t <= a * lam, middle, (a + 1) * lam**2 / 2))


def scad_derivative(theta, lam, a=3.7):
    """p'_{lam,a}(|theta|) = lam for |theta| <= lam, then decays to 0."""
    t = np.abs(np.asarray(theta, dtype=float))
    return np.where(t <= lam, lam, np.maximum(a * lam - t, 0.0) / (a - 1))
# --8<-- [end:scad_penalty]


def penalty_function(theta, kind, lam, a=3.7):
    """Value of one coordinate's penalty: "ridge", "lasso", "scad" or "hard".

    "hard" is the penalty lam^2 - (|theta| - lam)^2 1(|theta| < lam) of Fan &
    Li (2001), whose orthonormal-design solution is hard thresholding.
    """
    t = np.abs(np.asarray(theta, dtype=float))
    if kind == "ridge":
        return lam / 2 * t**2
    if kind == "lasso":
        return lam * t
    if kind == "scad":
        return scad_penalty(t, lam, a)
    if kind == "hard":
        return lam**2 - np.maximum(lam - t, 0.0) ** 2
    raise ValueError(f"unknown penalty {kind!r}; choose ridge, lasso, scad or hard")


# --8<-- [start:threshold]
def soft_threshold(z, t):
    """sign(z) * max(|z| - t, 0): the LASSO solution of one coordinate."""
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


def scad_threshold(z, lam, a=3.7, d=1.0):
    """argmin_b  d/2 (b - z)^2 + p_{lam,a}(|b|), elementwise.

    d = ||x_j||^2 / n. On each of the three pieces of the penalty the
    objective is a quadratic: take its minimiser clipped to the piece,
    then keep the best of the three candidates.
    """
    z, d = np.asarray(z, dtype=float), np.asarray(d, dtype=float)
    az = np.abs(z)
    b1 = np.clip(az - lam / d, 0.0, lam)            # |b| <= lam: 软阈值
    k = d * (a - 1) - 1                              # 中间段的曲率（乘 a-1）
    with np.errstate(divide="ignore", invalid="ignore"):
        b2 = (d * (a - 1) * az - a * lam) / k
    # 中间段是凹的（k <= 0）时极小点在端点上，端点已含在另两段里
    b2 = np.where(k > 0, np.clip(b2, lam, a * lam), b1)
    b3 = np.maximum(az, a * lam)                     # |b| > a lam: 不收缩
    cand = np.stack(np.broadcast_arrays(b1, b2, b3))
    obj = d / 2 * (cand - az) ** 2 + scad_penalty(cand, lam, a)
    best = np.take_along_axis(cand, obj.argmin(axis=0)[None], axis=0)[0]
    return np.sign(z) * best
# --8<-- [end:threshold]


def threshold(z, rule, lam, a=3.7):
    """Penalised estimate of one coordinate for an orthonormal design.

    With X'X/n = I the problem separates and z = x_j'y/n is the OLS
    estimate; "hard", "soft" (LASSO), "scad", "ridge" and "garrote" give
    the thresholding rules compared in the article.
    """
    z = np.asarray(z, dtype=float)
    if rule == "hard":
        return np.where(np.abs(z) > lam, z, 0.0)
    if rule == "soft":
        return soft_threshold(z, lam)
    if rule == "scad":
        return scad_threshold(z, lam, a)
    if rule == "ridge":
        return z / (1 + lam)
    if rule == "garrote":
        with np.errstate(divide="ignore", invalid="ignore"):
            shrink = np.maximum(1 - lam / z**2, 0.0)
        return np.where(z != 0, z * shrink, 0.0)
    raise ValueError(f"unknown rule {rule!r}; choose one of {RULES}")


# ---------------------------------------------------------------------------
# Solvers (Gram form, batched over problems)
# ---------------------------------------------------------------------------

# --8<-- [start:coordinate_descent]
def coordinate_descent(G, q, lam, rule, a=3.7, tol=1e-10,
                       max_iter=10_000, beta0=None):
    """Minimise 1/2 b'Gb - q'b + P(b) for a batch of problems.

    G: (B, p, p) Gram matrices X'X/n, q: (B, p) vectors X'y/n, lam: (B,).
    rule: "lasso", "scad" or "nonneg_lasso" (the garrote's c >= 0).
    Returns (beta, sweeps, converged).
    """
    _check_choice(rule, "rule", CD_RULES)
    max_iter = integer(max_iter, "max_iter", 1)
    B, p = q.shape
    lam = np.broadcast_to(np.asarray(lam, dtype=float), (B,))
    beta = np.zeros((B, p)) if beta0 is None else np.array(beta0, float)
    diag = np.einsum("bjj->bj", G)
    d_safe = np.where(diag > 0, diag, 1.0)
    for sweep in range(1, max_iter + 1):
        Gb = np.einsum("bjk,bk->bj", G, beta)    # 每轮重算，避免累积误差
        change = np.zeros(B)
        for j in range(p):
            d, old = d_safe[:, j], beta[:, j].copy()
            z = old + (q[:, j] - Gb[:, j]) / d   # 偏残差上的一元最小二乘解
            if rule == "lasso":
                new = soft_threshold(z, lam / d)
            elif rule == "nonneg_lasso":
                new = np.maximum(z - lam / d, 0.0)
            else:
                new = scad_threshold(z, lam, a, d)
            new = np.where(diag[:, j] > 0, new, 0.0)   # 全零列的系数取 0
            step = new - old
            beta[:, j] = new
            Gb += G[:, :, j] * step[:, None]
            change = np.maximum(change, np.sqrt(d) * np.abs(step))
        if np.all(change <= tol):
            return beta, sweep, True
    return beta, max_iter, False
# --8<-- [end:coordinate_descent]


# --8<-- [start:ridge]
def ridge_solve(G, q, lam):
    """(G + lam I)^{-1} q for a batch, via G = V diag(e) V'.

    G = X'X (up to a factor) and q = X'y, so V'q is zero in the null
    space of G. Eigenvalues <= p * eps * max(e) are taken as exactly 0
    and the round-off in V'q along them is dropped, never divided by
    lam: tiny lam > 0 tends to the minimum-norm least squares (lam = 0).
    An all-zero column of X gets exactly 0.
    """
    e, V = np.linalg.eigh(G)
    lam = np.asarray(lam, dtype=float)[..., None]
    tol = G.shape[-1] * RANK_EPS * e.max(axis=-1, keepdims=True)
    null = e <= tol  # 数值零空间
    denom = np.where(null, 1.0, e + lam)
    inv = np.where(null, 0.0, 1 / denom)
    beta = np.einsum("bjk,bk->bj", V, inv * np.einsum("bjk,bj->bk", V, q))
    return np.where(np.einsum("bjj->bj", G) > 0, beta, 0.0)  # 全零列取 0
# --8<-- [end:ridge]


def ols_solve(G, q):
    """Batched OLS estimates from Gram form (G must be non-singular)."""
    return np.linalg.solve(G, q[..., None])[..., 0]


def _as_real(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _check_choice(value, name, choices):
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose one of {choices}")
    return value


def _check_data(X, y):
    for label, arr in (("X", X), ("y", y)):
        # 与 scikit-learn 一致：字符串和复数数组不当作数值（不解析、不丢虚部）
        kind = np.asarray(arr).dtype.kind
        if kind not in "biufO":
            raise TypeError(f"{label} must be a real numeric array, got "
                            f"dtype {np.asarray(arr).dtype}")
    try:
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"X and y must be numeric arrays ({exc})") from None
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n, p), got shape {X.shape}")
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array (n,), got shape {y.shape}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} "
                         "entries: shapes (n, p) and (n,) must match")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must have at least one row and column, got {X.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must be finite (no NaN or inf)")
    return X, y


def _check_params(penalty, lam, a, tol, max_iter):
    _check_choice(penalty, "penalty", PENALTIES)
    lam = _as_real(lam, "lam")
    if lam < 0:
        raise ValueError(f"lam must be non-negative, got {lam}")
    a = _as_real(a, "a")
    if a <= 2:
        raise ValueError(f"the SCAD parameter a must be greater than 2, got {a}")
    tol = _as_real(tol, "tol")
    if tol <= 0:
        raise ValueError(f"tol must be positive, got {tol}")
    max_iter = integer(max_iter, "max_iter", 1)
    return lam, a, tol, max_iter


def _full_rank(G):
    return np.linalg.matrix_rank(G, hermitian=True) == G.shape[-1]


# 把 y 缩放 s 倍时 lam 要缩放的幂次：beta 随 y 线性变化
_LAM_POWER = {"ridge": 0, "lasso": 1, "scad": 1, "garrote": 2}


def _y_scale(y, penalty, lam):
    """A power of two s ~ max|y| and the lam of the problem with y / s.

    Dividing y by s is exact; then tol is relative to the scale of y and
    y of any magnitude (1e-200 or 1e200) is solved like y of order 1.
    """
    top = float(np.abs(y).max())
    s = 1.0 if top == 0 else float(np.ldexp(1.0, np.frexp(top)[1]))
    with np.errstate(over="ignore"):   # 极小的 y：lam / s 可以是 inf，解为 0
        return s, lam / s ** _LAM_POWER[penalty]


def _gram_form(X, y):
    """(1, p, p) and (1, p) arrays X'X/n and X'y/n, checked for range."""
    n = X.shape[0]
    with np.errstate(over="ignore", under="ignore"):
        G, q = X.T @ X / n, X.T @ y / n
    if not (np.all(np.isfinite(G)) and np.all(np.isfinite(q))):
        raise ValueError("X'X/n overflows: entries of X are too large for "
                         "the Gram form (|X| up to about 1e150); rescale X")
    diag = np.diag(G)
    if np.any((diag < np.finfo(float).tiny) & np.any(X != 0, axis=0)):
        raise ValueError("X'X/n underflows: a non-zero column of X is too "
                         "small for the Gram form (|X| down to about "
                         "1e-150); rescale X")
    return G[None], q[None]


# --8<-- [start:fit]
def fit(X, y, penalty, lam, a=3.7, tol=1e-10, max_iter=10_000):
    """Penalised least squares without intercept or standardisation.

    Minimises (1/(2n)) ||y - X beta||^2 + P(beta) where P is
    lam ||beta||_1 ("lasso"), lam/2 ||beta||^2 ("ridge"),
    sum_j p_{lam,a}(|beta_j|) ("scad"), or, for "garrote",
    beta = c * beta_ols with c >= 0 minimising
    (1/(2n)) ||y - X (c * beta_ols)||^2 + lam sum_j c_j.
    tol is relative to the scale of y, so y in any unit gives one fit.
    """
    X, y = _check_data(X, y)
    lam, a, tol, max_iter = _check_params(penalty, lam, a, tol,
                                          max_iter)
    # 解是 y 的倍数：先把 y 除以 2 的幂 s（无舍入），结果再乘回 s
    s, lam = _y_scale(y, penalty, lam)
    G, q = _gram_form(X, y / s)
    if penalty == "ridge":
        return ridge_solve(G, q, np.array([lam]))[0] * s
    if penalty == "lasso":
        beta, _, ok = coordinate_descent(G, q, lam, "lasso", a, tol,
                                         max_iter)
    elif penalty == "scad":
        # 非凸：从最小二乘解出发（与 Fan & Li 的 LQA 初值相同）
        start = ols_solve(G, q) if _full_rank(G[0]) else None
        beta, _, ok = coordinate_descent(G, q, lam, "scad", a, tol,
                                         max_iter, beta0=start)
    else:  # garrote：对收缩因子 c 做非负 LASSO，设计矩阵为 X diag(b_ols)
        if not _full_rank(G[0]):
            raise ValueError("the garrote needs the OLS estimate: X must "
                             "have full column rank (n >= p, no "
                             "collinear columns)")
        b_ols = ols_solve(G, q)
        Gc = G * b_ols[:, :, None] * b_ols[:, None, :]
        c, _, ok = coordinate_descent(Gc, q * b_ols, lam, "nonneg_lasso",
                                      a, tol, max_iter)
        beta = c * b_ols
    if not ok:
        warnings.warn(f"coordinate descent did not converge in {max_iter} "
                      "sweeps; raise max_iter or tol", RuntimeWarning,
                      stacklevel=2)
    return beta[0] * s
# --8<-- [end:fit]


# ---------------------------------------------------------------------------
# Generalised cross-validation
# ---------------------------------------------------------------------------

def _lqa_weights(beta, penalty, lam, a, b_ols):
    """p'(|beta_j|)/|beta_j| on the active set (Fan & Li's Sigma_lambda)."""
    lam = np.asarray(lam, dtype=float)[..., None]
    if penalty == "ridge":
        return np.broadcast_to(lam, beta.shape).copy(), np.ones(beta.shape, bool)
    active = beta != 0
    absb = np.where(active, np.abs(beta), 1.0)
    if penalty == "lasso":
        deriv = np.broadcast_to(lam, beta.shape)
    elif penalty == "scad":
        deriv = scad_derivative(absb, lam, a)
    elif penalty == "garrote":  # 关于 beta 的惩罚是 lam |beta_j| / |b_ols_j|
        deriv = lam / np.where(b_ols != 0, np.abs(b_ols), 1.0)
    else:
        raise ValueError(f"unknown penalty {penalty!r}; choose one of {PENALTIES}")
    return np.where(active, deriv / absb, 0.0), active


# --8<-- [start:gcv]
def effective_df_gram(G, beta, penalty, lam, a=3.7, b_ols=None):
    """e(lam) = tr[(G_A + W_A)^{-1} G_A] on the active set A (batched).

    W = diag(p'(|beta_j|)/|beta_j|) is the local quadratic approximation
    of the penalty (Fan & Li 2001, Sec. 4.2; Tibshirani 1996 for LASSO).
    """
    W, active = _lqa_weights(beta, penalty, lam, a, b_ols)
    mask = active[:, :, None] & active[:, None, :]
    GA = np.where(mask, G, 0.0)
    # 非活跃坐标在对角线上放 1，使矩阵可逆，而它们对迹没有贡献
    eye = np.eye(G.shape[-1])
    M = GA + np.where(active, W, 1.0)[:, :, None] * eye
    return np.trace(np.linalg.solve(M, GA), axis1=-2, axis2=-1)


def gcv_gram(G, q, yy, n, beta, df):
    """GCV(lam) = (RSS/n) / (1 - e(lam)/n)^2 from Gram quantities."""
    rss_n = (yy - 2 * np.einsum("bj,bj->b", q, beta)
             + np.einsum("bj,bjk,bk->b", beta, G, beta))
    return rss_n / (1 - df / n) ** 2
# --8<-- [end:gcv]


def gcv(X, y, beta, penalty, lam, a=3.7):
    """GCV score and effective number of parameters of a fitted ``beta``.

    Returns (GCV(lam), e(lam)) with the formulas of the article.
    """
    X, y = _check_data(X, y)
    lam, a, _, _ = _check_params(penalty, lam, a, 1.0, 1)
    beta = np.asarray(beta, dtype=float)
    if beta.shape != (X.shape[1],):
        raise ValueError(f"beta must have shape ({X.shape[1]},), got {beta.shape}")
    n = X.shape[0]
    G, q = (X.T @ X / n)[None], (X.T @ y / n)[None]
    b_ols = None
    if penalty == "garrote":
        if not _full_rank(G[0]):
            raise ValueError("the garrote needs X of full column rank")
        b_ols = ols_solve(G, q)
    df = effective_df_gram(G, beta[None], penalty, np.array([lam]), a, b_ols)
    score = gcv_gram(G, q, np.array([y @ y / n]), n, beta[None], df)
    return float(score[0]), float(df[0])


def lambda_grid(G, q, penalty, b_ols, n_grid=N_GRID, decades=GRID_DECADES):
    """A log-spaced grid of lam per problem, from lam_max down (B, n_grid).

    lam_max is the smallest lam giving beta = 0 for LASSO/SCAD (max |q_j|)
    and for the garrote (max_j b_ols_j q_j); for ridge, 10 times the mean
    diagonal of G (the grid then reaches 1e-2 of it with 3 decades).
    """
    _check_choice(penalty, "penalty", PENALTIES)
    n_grid = integer(n_grid, "n_grid", 1)
    decades = _as_real(decades, "decades")
    if penalty in ("lasso", "scad"):
        top = np.abs(q).max(axis=1)
    elif penalty == "garrote":
        top = np.maximum((b_ols * q).max(axis=1), 1e-12)
    else:
        top = 10 * np.einsum("bjj->b", G) / G.shape[-1]
    return top[:, None] * np.logspace(0, -decades, n_grid)[None, :]


def gcv_path(G, q, yy, n, penalty, lams, a=3.7, tol=1e-10, max_iter=10_000):
    """Fit every (problem, lam) pair at once; return betas, df, GCV scores.

    G (B, p, p), q (B, p), yy (B,) = y'y/n, lams (B, K).
    Shapes of the results: (B, K, p), (B, K), (B, K).
    """
    _check_choice(penalty, "penalty", PENALTIES)
    B, p = q.shape
    K = lams.shape[1]
    Gk = np.repeat(G, K, axis=0)
    qk = np.repeat(q, K, axis=0)
    lam = lams.reshape(-1)
    b_ols = ols_solve(G, q)
    b_ols_k = np.repeat(b_ols, K, axis=0)
    if penalty == "ridge":
        beta = ridge_solve(Gk, qk, lam)
    elif penalty == "lasso":
        beta, _, _ = coordinate_descent(Gk, qk, lam, "lasso", a, tol, max_iter)
    elif penalty == "scad":
        beta, _, _ = coordinate_descent(Gk, qk, lam, "scad", a, tol, max_iter,
                                        beta0=b_ols_k)
    else:
        Gc = Gk * b_ols_k[:, :, None] * b_ols_k[:, None, :]
        c, _, _ = coordinate_descent(Gc, qk * b_ols_k, lam, "nonneg_lasso",
                                     a, tol, max_iter)
        beta = c * b_ols_k
    df = effective_df_gram(Gk, beta, penalty, lam, a, b_ols_k)
    score = gcv_gram(Gk, qk, np.repeat(yy, K), n, beta, df)
    return beta.reshape(B, K, p), df.reshape(B, K), score.reshape(B, K)


# ---------------------------------------------------------------------------
# The Fan & Li (2001) simulation, Example 4.1
# ---------------------------------------------------------------------------

def fan_li_sigma(p=8, rho=RHO):
    """The AR(1) correlation matrix rho^|i - j| of size p x p."""
    p = integer(p, "p", 1)
    rho = _as_real(rho, "rho")
    idx = np.arange(p)
    return rho ** np.abs(idx[:, None] - idx[None, :])


def fan_li_data(n, sigma, n_rep, rng):
    """n_rep data sets of the Example 4.1 design: X (R, n, 8), y (R, n)."""
    n = integer(n, "n", 1)
    n_rep = integer(n_rep, "n_rep", 1)
    sigma = _as_real(sigma, "sigma")
    p = len(BETA_TRUE)
    L = np.linalg.cholesky(fan_li_sigma(p))
    X = rng.standard_normal((n_rep, n, p)) @ L.T
    y = X @ BETA_TRUE + sigma * rng.standard_normal((n_rep, n))
    return X, y


def _gram(X, y):
    n = X.shape[-2]
    G = np.einsum("rij,rik->rjk", X, X) / n
    q = np.einsum("rij,ri->rj", X, y) / n
    return G, q, np.einsum("ri,ri->r", y, y) / n


def select_by_gcv(G, q, yy, n, penalty, a=3.7):
    """GCV-chosen estimate per problem: (beta (B, p), lam (B,))."""
    b_ols = ols_solve(G, q)
    lams = lambda_grid(G, q, penalty, b_ols)
    betas, _, score = gcv_path(G, q, yy, n, penalty, lams, a)
    best = score.argmin(axis=1)
    rows = np.arange(len(q))
    return betas[rows, best], lams[rows, best]


# --8<-- [start:simulate]
def simulate(n, sigma, n_rep=100, seed=0):
    """Fan & Li (2001) Example 4.1: one row per method.

    Columns: median relative model error ME/ME(OLS) in percent, average
    number of correctly zeroed coefficients (of 5 true zeros) and of
    incorrectly zeroed ones (of 3 non-zeros).
    """
    p = len(BETA_TRUE)
    n, n_rep = integer(n, "n", 1), integer(n_rep, "n_rep", 1)
    seed = integer(seed, "seed", 0)
    if n <= p + 1:
        raise ValueError(f"n must exceed p + 1 = {p + 1} (OLS and GCV), "
                         f"got {n}")
    sigma = _as_real(sigma, "sigma")
    if sigma <= 0:
        raise ValueError(f"sigma must be positive, got {sigma}")
    X, y = fan_li_data(n, sigma, n_rep, np.random.default_rng(seed))
    G, q, yy = _gram(X, y)
    est = {"ols": ols_solve(G, q)}
    for penalty in ("ridge", "lasso", "scad", "garrote"):
        est[penalty], _ = select_by_gcv(G, q, yy, n, penalty)
    true_set = BETA_TRUE != 0
    oracle = np.zeros_like(est["ols"])     # 已知真模型时的最小二乘
    oracle[:, true_set] = ols_solve(G[:, true_set][:, :, true_set],
                                    q[:, true_set])
    est["oracle"] = oracle
    Sigma = fan_li_sigma(p)

    def model_error(b):
        diff = b - BETA_TRUE
        return np.einsum("rj,jk,rk->r", diff, Sigma, diff)

    me_ols = model_error(est["ols"])
    rows = []
    for key, b in est.items():
        zero = b == 0
        rows.append({
            "method": key,
            "mrme": 100 * np.median(model_error(b) / me_ols),
            "correct_zeros": (zero & ~true_set).sum(axis=1).mean(),
            "incorrect_zeros": (zero & true_set).sum(axis=1).mean(),
        })
    return pd.DataFrame(rows).set_index("method")
# --8<-- [end:simulate]


# ---------------------------------------------------------------------------
# Stepwise selection (for the instability demo)
# ---------------------------------------------------------------------------

def forward_stepwise_bic(X, y):
    """Forward selection without intercept, stopping when BIC stops falling."""
    X, y = _check_data(X, y)
    n, p = X.shape
    chosen: list[int] = []
    best_bic = n * np.log(np.mean(y**2))
    while len(chosen) < p:
        trials = []
        for j in set(range(p)) - set(chosen):
            cols = chosen + [j]
            coef, *_ = np.linalg.lstsq(X[:, cols], y, rcond=None)
            rss = np.sum((y - X[:, cols] @ coef) ** 2)
            trials.append((n * np.log(rss / n) + len(cols) * np.log(n), j))
        bic, j = min(trials)
        if bic >= best_bic:
            break
        best_bic, chosen = bic, chosen + [j]
    return tuple(sorted(chosen))


# ---------------------------------------------------------------------------
# Demos shown in the article
# ---------------------------------------------------------------------------

def _subset_label(subset):
    return "{" + ", ".join(f"x{j + 1}" for j in subset) + "}"


def show_stepwise_instability():
    rng = np.random.default_rng(1)
    X, y = fan_li_data(40, 3.0, 1, rng)
    X, y = X[0], y[0]
    counts: dict = {}
    n_boot = 200
    for _ in range(n_boot):
        idx = rng.integers(0, len(y), len(y))
        s = forward_stepwise_bic(X[idx], y[idx])
        counts[s] = counts.get(s, 0) + 1
    print(f"原始数据上前向逐步回归（BIC）选出：{_subset_label(forward_stepwise_bic(X, y))}")
    print(f"{n_boot} 次自助重抽样中出现了 {len(counts)} 种不同的模型，"
          "出现最多的 6 种：")
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:6]
    rows = [{"排名": i + 1, "选出的变量": _subset_label(s),
             "是否为真模型": "是" if s == (0, 1, 4) else "",
             "出现比例": f"{100 * c / n_boot:.1f}%"}
            for i, (s, c) in enumerate(top)]
    return pd.DataFrame(rows).set_index("排名")


def plot_penalties():
    import matplotlib.pyplot as plt

    lam, a = 1.0, 3.7
    theta = np.linspace(-5, 5, 801)
    kinds = [("ridge", "岭回归 (λ/2)θ²"), ("lasso", "LASSO λ|θ|"),
             ("scad", "SCAD (a = 3.7)"), ("hard", "硬阈值惩罚")]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 3.6))
    for i, (kind, label) in enumerate(kinds):
        left.plot(theta, penalty_function(theta, kind, lam, a), color=f"C{i}",
                  label=label)
    left.set_ylim(0, 4)
    left.set_xlabel("θ")
    left.set_ylabel("p(|θ|)")
    left.set_title("惩罚函数（λ = 1）")
    left.legend(loc="upper center", fontsize=8)

    t = np.linspace(0, 5, 1001)
    right.plot(t, lam * t, color="C0", label="岭回归 λθ")
    right.plot(t, np.full_like(t, lam), color="C1", label="LASSO λ")
    right.plot(t, scad_derivative(t, lam, a), color="C2", label="SCAD")
    right.plot(t, 2 * np.maximum(lam - t, 0), color="C3", label="硬阈值")
    right.axvline(a * lam, color="C7", linestyle=":", linewidth=1)
    right.annotate("aλ", (a * lam, 2.2), textcoords="offset points",
                   xytext=(4, 0))
    right.set_ylim(0, 2.6)
    right.set_xlabel("|θ|")
    right.set_ylabel("p'(|θ|)")
    right.set_title("导数：对大系数施加的“拉力”")
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_thresholding():
    import matplotlib.pyplot as plt

    lam = 1.0
    z = np.linspace(-5, 5, 2001)
    rules = [("hard", "硬阈值（子集选择）", lam),
             ("soft", "软阈值（LASSO）", lam),
             ("scad", "SCAD（a = 3.7）", lam),
             ("ridge", "岭回归", lam),
             ("garrote", "非负绞杀（garrote）", lam**2)]
    fig, axes = plt.subplots(2, 3, figsize=(9.6, 6.0))
    for i, (ax, (rule, title, level)) in enumerate(zip(axes.flat, rules)):
        ax.plot(z, z, color="C7", linestyle="--", linewidth=1)
        est = threshold(z, rule, level)
        if rule == "hard":  # 断开跳跃处，不画竖线
            est = np.where(np.abs(np.abs(z) - lam) < 3e-3, np.nan, est)
        ax.plot(z, est, color=f"C{i}")
        ax.set_title(title)
        ax.set_xlim(-5, 5)
        ax.set_ylim(-5, 5)
        ax.set_aspect("equal")
        ax.set_xlabel("最小二乘估计 z")
        if i % 3 == 0:
            ax.set_ylabel("惩罚估计 θ̂")
    ax = axes.flat[5]
    zp = np.linspace(0, 6, 1201)
    for i, (rule, title, level) in enumerate(rules):
        if rule == "ridge":
            continue
        bias = threshold(zp, rule, level) - zp
        if rule == "hard":
            bias = np.where(np.abs(zp - lam) < 3e-3, np.nan, bias)
        ax.plot(zp, bias, color=f"C{i}", label=title.split("（")[0])
    ax.set_xlim(0, 6)
    ax.set_ylim(-2.2, 0.2)
    ax.set_xlabel("z")
    ax.set_title("偏差 θ̂ − z（z > 0）")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


def _path_data(seed=2, n=60, sigma=1.0):
    X, y = fan_li_data(n, sigma, 1, np.random.default_rng(seed))
    return _gram(X, y) + (n,)


def coefficient_paths(seed=2, n=60, sigma=1.0, n_grid=80):
    """Coefficient paths and the GCV choice for the four penalties."""
    seed = integer(seed, "seed", 0)
    n = integer(n, "n", len(BETA_TRUE) + 2)   # OLS 与 GCV 需要 n > p + 1
    G, q, yy, n = _path_data(seed, n, sigma)
    b_ols = ols_solve(G, q)
    out = {}
    for penalty in ("ridge", "lasso", "scad", "garrote"):
        decades = 4.0 if penalty != "ridge" else 5.0
        lams = lambda_grid(G, q, penalty, b_ols, n_grid, decades)
        betas, _, score = gcv_path(G, q, yy, n, penalty, lams)
        out[penalty] = (lams[0], betas[0], int(score[0].argmin()))
    return out


def plot_coefficient_paths():
    import matplotlib.pyplot as plt

    paths = coefficient_paths()
    fig, axes = plt.subplots(2, 2, figsize=(9.0, 6.4), sharey=True)
    for ax, (penalty, (lams, betas, best)) in zip(axes.flat, paths.items()):
        handles = []
        for j in range(betas.shape[1]):
            if BETA_TRUE[j] != 0:  # 真值非零的 β1、β2、β5 用彩色
                (line,) = ax.plot(lams, betas[:, j], label=f"β{j + 1}",
                                  color=f"C{[0, 1, 4].index(j)}")
                handles.append(line)
            else:
                (zero,) = ax.plot(lams, betas[:, j], color="C7",
                                  linewidth=1.0, label="其余 5 个（真值 0）")
        handles.append(zero)
        handles.append(ax.axvline(lams[best], color="C3", linestyle="--",
                                  linewidth=1, label="GCV 选出的 λ"))
        ax.set_xscale("log")
        ax.invert_xaxis()
        ax.set_title(NAMES[penalty])
        ax.set_xlabel("λ（向右减小）")
    for ax in axes[:, 0]:
        ax.set_ylabel("系数")
    axes.flat[0].legend(handles=handles, fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def show_single_fit():
    G, q, yy, n = _path_data()
    short = {"ols": "OLS", "ridge": "岭回归", "lasso": "LASSO",
             "scad": "SCAD", "garrote": "绞杀"}
    cols = {"真值": (BETA_TRUE, None), "OLS": (ols_solve(G, q)[0], None)}
    for penalty in ("ridge", "lasso", "scad", "garrote"):
        beta, lam = select_by_gcv(G, q, yy, n, penalty)
        cols[short[penalty]] = (beta[0], lam[0])
    index = [f"β{j + 1}" for j in range(len(BETA_TRUE))] + ["GCV 选出的 λ"]
    table = {}
    for name, (beta, lam) in cols.items():
        table[name] = [f"{b:.3f}" if b != 0 else "0" for b in beta]
        table[name].append("" if lam is None else f"{lam:.4f}")
    return pd.DataFrame(table, index=pd.Index(index, name="系数"))


def _format_simulation(df):
    out = pd.DataFrame({
        "方法": [NAMES[k] for k in df.index],
        "MRME (%)": [f"{v:.2f}" for v in df["mrme"]],
        "正确置零（满分 5）": [f"{v:.2f}" for v in df["correct_zeros"]],
        "错误置零（理想 0）": [f"{v:.2f}" for v in df["incorrect_zeros"]],
    })
    return out.set_index("方法")


def show_simulation_n40():
    return _format_simulation(simulate(40, 3.0))


def show_simulation_n60():
    return _format_simulation(simulate(60, 1.0))


def demo_bad_a():
    X, y = fan_li_data(20, 1.0, 1, np.random.default_rng(0))
    return fit(X[0], y[0], "scad", lam=0.5, a=2.0)
