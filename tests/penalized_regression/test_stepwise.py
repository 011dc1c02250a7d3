"""Forward stepwise selection by BIC (snippets/penalized_regression/
stepwise.py) against a greedy search scored by statsmodels' OLS BIC."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from penalized_regression.references import random_problem, seeds

from snippets import penalized_regression as pr


def sm_bic(X, y, cols):
    """n log(RSS/n) + k log n, from statsmodels (which adds n (log 2 pi + 1))."""
    n = len(y)
    if cols:
        bic = sm.OLS(y, X[:, cols]).fit().bic
    else:   # 空模型：残差就是 y，极大似然的方差是 mean(y²)
        bic = -2 * scipy.stats.norm.logpdf(y, 0, np.sqrt(np.mean(y**2))).sum()
    return bic - n * (np.log(2 * np.pi) + 1)


def reference_path(X, y):
    chosen, path, current = [], [], sm_bic(X, y, [])
    while len(chosen) < X.shape[1]:
        scores = {j: sm_bic(X, y, chosen + [j])
                  for j in range(X.shape[1]) if j not in chosen}
        j = min(scores, key=scores.get)
        if scores[j] >= current:
            break
        chosen.append(j)
        path.append((j, scores[j]))
        current = scores[j]
    return path


@settings(max_examples=60, deadline=None)
@given(seed=seeds, n=st.integers(8, 60), p=st.integers(1, 7),
       rho=st.sampled_from([0.0, 0.5, 0.9]))
def test_path_order_bic_and_stopping_match_statsmodels(seed, n, p, rho):
    X, y, _ = random_problem(seed, n, p, rho, scale_cols=True)
    ours = pr.forward_stepwise_path(X, y)
    ref = reference_path(X, y)
    assert [j for j, _ in ours] == [j for j, _ in ref]
    np.testing.assert_allclose([b for _, b in ours], [b for _, b in ref],
                               rtol=1e-9, atol=1e-9)
    assert pr.forward_stepwise_bic(X, y) == tuple(sorted(j for j, _ in ref))


def test_stops_before_a_useless_variable_and_at_the_empty_model():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((200, 3))
    y = 2 * X[:, 1] - X[:, 0] + 0.1 * rng.standard_normal(200)
    assert [j for j, _ in pr.forward_stepwise_path(X, y)] == [1, 0]
    # y 与 X 无关：第一步就不能降低 BIC
    y = rng.standard_normal(200)
    X = rng.standard_normal((200, 3)) * 1e-3
    assert pr.forward_stepwise_path(X, y) == reference_path(X, y) == []
    assert pr.forward_stepwise_bic(X, y) == ()


def test_stepwise_checks_its_data():
    with pytest.raises(ValueError, match="at least one row"):
        pr.forward_stepwise_bic(np.zeros((0, 3)), np.zeros(0))
    with pytest.raises(ValueError, match="rows but y has"):
        pr.forward_stepwise_path(np.ones((5, 2)), np.ones(4))
