"""The Fan & Li (2001) simulation, Example 4.1: OLS, the four penalties
chosen by GCV, and the oracle (least squares on the true model)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from snippets._checks import integer
from snippets.penalized_regression.core import _as_real, ols_solve
from snippets.penalized_regression.data import (BETA_TRUE, _gram,
                                                fan_li_data, fan_li_sigma)
from snippets.penalized_regression.gcv import select_by_gcv


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
