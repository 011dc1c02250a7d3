"""Generalised cross-validation: effective degrees of freedom, GCV scores,
the lambda grid and the batched GCV path (Fan & Li 2001, Sec. 4.2)."""

from __future__ import annotations

import numpy as np

from snippets._checks import integer
from snippets.penalized_regression.core import (PENALTIES, _as_real,
                                                _check_choice, _check_data,
                                                _check_params, _full_rank,
                                                coordinate_descent, ols_solve,
                                                ridge_solve)
from snippets.penalized_regression.penalties import scad_derivative

N_GRID = 50          # 每种方法的 λ 网格点数
GRID_DECADES = 3.0   # 网格从 λ_max 向下覆盖的数量级



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


def select_by_gcv(G, q, yy, n, penalty, a=3.7):
    """GCV-chosen estimate per problem: (beta (B, p), lam (B,))."""
    b_ols = ols_solve(G, q)
    lams = lambda_grid(G, q, penalty, b_ols)
    betas, _, score = gcv_path(G, q, yy, n, penalty, lams, a)
    best = score.argmin(axis=1)
    rows = np.arange(len(q))
    return betas[rows, best], lams[rows, best]


def coefficient_paths(G, q, yy, n, n_grid=80):
    """Coefficient paths and the GCV choice of one problem, four penalties.

    G (1, p, p), q (1, p), yy (1,) as for ``gcv_path``. Returns
    {penalty: (lams (n_grid,), betas (n_grid, p), index of the GCV choice)}.
    """
    if q.ndim != 2 or q.shape[0] != 1 or G.shape != (1,) + q.shape[1:] * 2:
        raise ValueError("coefficient_paths takes one problem: G (1, p, p) "
                         f"and q (1, p), got {G.shape} and {q.shape}")
    n = integer(n, "n", q.shape[1] + 2)   # OLS 与 GCV 需要 n > p + 1
    b_ols = ols_solve(G, q)
    out = {}
    for penalty in ("ridge", "lasso", "scad", "garrote"):
        decades = 4.0 if penalty != "ridge" else 5.0
        lams = lambda_grid(G, q, penalty, b_ols, n_grid, decades)
        betas, _, score = gcv_path(G, q, yy, n, penalty, lams)
        out[penalty] = (lams[0], betas[0], int(score[0].argmin()))
    return out
