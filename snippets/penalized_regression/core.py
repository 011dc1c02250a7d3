"""Penalised least squares: the solvers and ``fit``.

Ridge has a closed form (through the eigendecomposition of X'X/n); LASSO,
SCAD and the garrote (a non-negative LASSO on the shrink factors of the OLS
estimate) are solved by cyclic coordinate descent in Gram form, vectorised
over a batch of problems so that the simulation runs in seconds.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from snippets._checks import integer
from snippets.penalized_regression.penalties import (scad_threshold,
                                                     soft_threshold)

PENALTIES = ("lasso", "ridge", "scad", "garrote")
CD_RULES = ("lasso", "scad", "nonneg_lasso")   # coordinate_descent 的 rule
# G 的特征值不超过 p * eps * 最大特征值时视为 0：与 numpy.linalg.matrix_rank
# 的默认容差相同，零空间的舍入噪声实测在它的 1/10 以下
RANK_EPS = np.finfo(float).eps


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
