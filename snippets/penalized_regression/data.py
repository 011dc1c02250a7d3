"""Data of the Fan & Li (2001) simulation, Example 4.1 (seeded)."""

from __future__ import annotations

import numpy as np

from snippets._checks import integer
from snippets._shared import shared
from snippets.penalized_regression.core import _as_real

# Fan & Li (2001) 例 4.1 的设定
BETA_TRUE = np.array([3.0, 1.5, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0])
BETA_TRUE.flags.writeable = False   # 全模块共用，只读
RHO = 0.5


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



@shared
def path_problem(seed=2, n=60, sigma=1.0):
    """One Example 4.1 data set in Gram form: (G, q, yy, n), read-only.

    The coefficient-path figure and the single-fit table share it.
    """
    seed = integer(seed, "seed", 0)
    n = integer(n, "n", len(BETA_TRUE) + 2)   # OLS 与 GCV 需要 n > p + 1
    X, y = fan_li_data(n, sigma, 1, np.random.default_rng(seed))
    G, q, yy = _gram(X, y)
    for arr in (G, q, yy):
        arr.flags.writeable = False
    return G, q, yy, n
