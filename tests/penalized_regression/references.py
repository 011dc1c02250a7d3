"""Independent references shared by the penalized-regression tests.

Formulas written here from the papers (Fan & Li 2001, Breiman 1995), random
problems, and thin wrappers around scikit-learn and skglm.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from sklearn.linear_model import Ridge

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

def lasso_scaled_problem(seed, n, p, rho, frac):
    """random_problem with lam = frac * lam_max of the LASSO."""
    X, y, _ = random_problem(seed, n, p, rho, scale_cols=True)
    return X, y, frac * np.abs(X.T @ y).max() / n


def scaled_problems(max_p, frac):
    """Hypothesis strategy of (X, y, lam): n in 5..60, p in 1..max_p."""
    return st.builds(lasso_scaled_problem, seeds, st.integers(5, 60),
                     st.integers(1, max_p), st.sampled_from([0.0, 0.5, 0.9]),
                     st.floats(*frac))


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


def design(seed, n, p):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p)
    y = X @ (3 * rng.standard_normal(p)) + rng.standard_normal(n)
    return X, y


def sk_ridge(X, y, alpha):
    return Ridge(alpha=alpha, fit_intercept=False,
                 solver="svd").fit(X, y).coef_


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


def gram(X, y):
    """Batched X'X/n, X'y/n, y'y/n, one data set at a time."""
    n = X.shape[1]
    G = np.stack([Xr.T @ Xr / n for Xr in X])
    q = np.stack([Xr.T @ yr / n for Xr, yr in zip(X, y)])
    return G, q, np.array([yr @ yr / n for yr in y])
