"""Forward stepwise selection by BIC (the instability demo's selector)."""

from __future__ import annotations

import numpy as np

from snippets.penalized_regression.core import _check_data


def forward_stepwise_path(X, y):
    """Forward selection without intercept, stopping when BIC stops falling.

    BIC = n log(RSS/n) + k log n (the empty model: n log(mean y^2)). Each
    step adds the variable with the lowest BIC; the search stops when the
    best addition does not lower the BIC. Returns [(j, BIC), ...] in the
    order the variables entered.
    """
    X, y = _check_data(X, y)
    n, p = X.shape
    chosen: list[int] = []
    path: list[tuple[int, float]] = []
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
        path.append((j, float(bic)))
    return path


def forward_stepwise_bic(X, y):
    """The variables forward selection by BIC keeps, as a sorted tuple."""
    return tuple(sorted(j for j, _ in forward_stepwise_path(X, y)))
