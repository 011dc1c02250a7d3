"""Penalty functions and thresholding rules (snippets/penalized_regression/
penalties.py) against the closed forms of Fan & Li (2001) and Breiman (1995)
and against skglm's SCAD penalty."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from penalized_regression.references import A, closed_form, scad_value

from snippets.penalized_regression import (RULES, penalty_function,
                                           scad_derivative, scad_penalty,
                                           scad_threshold, threshold)


def test_skglm_scad_uses_fan_li_scaling():
    from skglm.penalties import SCAD

    t = np.linspace(-6, 6, 241)
    lam = 0.8
    values = [SCAD(alpha=lam, gamma=A).value(np.array([v])) for v in t]
    np.testing.assert_allclose(values, scad_value(t, lam), rtol=1e-12)
    np.testing.assert_allclose(scad_penalty(t, lam, A), scad_value(t, lam),
                               rtol=1e-12, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(lam=st.floats(0.05, 3.0), a=st.floats(2.1, 6.0))
def test_penalties_and_scad_derivative(lam, a):
    t = np.concatenate([np.linspace(-8, 8, 801), [lam, -lam, a * lam]])
    at = np.abs(t)
    tol = dict(rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(penalty_function(t, "ridge", lam),
                               lam * t**2 / 2, **tol)
    np.testing.assert_allclose(penalty_function(t, "lasso", lam), lam * at,
                               **tol)
    np.testing.assert_allclose(penalty_function(t, "scad", lam, a),
                               scad_value(t, lam, a), **tol)
    # Fan & Li (2.2): lam^2 - (|t| - lam)^2 1(|t| < lam)
    hard = lam**2 - np.where(at < lam, (at - lam) ** 2, 0.0)
    np.testing.assert_allclose(penalty_function(t, "hard", lam), hard, **tol)
    # Fan & Li (2.7): p' = lam {1(t <= lam) + (a lam - t)+ / ((a-1) lam) 1(t > lam)}
    deriv = lam * np.where(at <= lam, 1.0,
                           np.maximum(a * lam - at, 0) / ((a - 1) * lam))
    np.testing.assert_allclose(scad_derivative(t, lam, a), deriv, **tol)
    with pytest.raises(ValueError, match="unknown penalty"):
        penalty_function(t, "elastic", lam)


@pytest.mark.parametrize("rule", RULES)
def test_threshold_rules_closed_forms(rule):
    z = np.concatenate([np.linspace(-8, 8, 1601), [0.0, 1.0, 2.0, 3.7, -3.7]])
    for lam in (0.3, 1.0, 2.0):
        np.testing.assert_allclose(threshold(z, rule, lam),
                                   closed_form(rule, z, lam), atol=1e-12)
    with pytest.raises(ValueError, match="unknown rule"):
        threshold(z, "firm", 1.0)


# --- scad_threshold with a general curvature d = ||x_j||^2 / n -------------------

def scad_argmin(z, lam, a, d):
    """argmin_b d/2 (b - z)^2 + p(|b|), re-derived piece by piece.

    For z >= 0 the minimiser is >= 0. On [0, lam] the objective is
    d/2 (b - z)^2 + lam b, minimised at z - lam/d; on [lam, a lam] its
    derivative d (b - z) + (a lam - b)/(a - 1) is linear in b with slope
    d - 1/(a - 1); on [a lam, inf) the penalty is constant. Each piece's
    minimum is at its stationary point or an end point. Returns the best
    candidate and the runner-up's objective gap (ties are ambiguous).
    """
    s, z = np.sign(z), abs(z)

    def f(b):
        return d / 2 * (b - z) ** 2 + scad_value(np.array([b]), lam, a)[0]

    cands = [0.0, lam, a * lam, min(max(z - lam / d, 0.0), lam),
             max(z, a * lam)]
    slope = d - 1 / (a - 1)
    if slope > 0:
        root = (d * z - a * lam / (a - 1)) / slope
        cands.append(min(max(root, lam), a * lam))
    values = sorted((f(b), b) for b in cands)
    best = values[0]
    gap = next((v for v, b in values[1:] if b != best[1]), np.inf) - best[0]
    return s * best[1], gap


@settings(max_examples=400, deadline=None)
@given(z=st.floats(-20, 20), lam=st.floats(0.01, 3.0),
       a=st.floats(2.05, 8.0), d=st.floats(0.02, 5.0))
def test_scad_threshold_general_d_matches_piecewise_minimiser(z, lam, a, d):
    ours = float(scad_threshold(z, lam, a, d))
    ref, gap = scad_argmin(z, lam, a, d)
    if gap > 1e-9 * max(1.0, abs(z)) ** 2:   # 两个候选几乎同样好时不比较位置
        assert ours == pytest.approx(ref, rel=1e-12, abs=1e-12)


def test_scad_threshold_general_d_is_univariate_minimum():
    rng = np.random.default_rng(4)
    b = np.linspace(-15, 15, 300_001)
    for _ in range(40):
        z, lam, d = rng.normal(0, 4), rng.uniform(0.1, 2), rng.uniform(0.05, 3)
        ours = scad_threshold(z, lam, A, d)
        f = d / 2 * (b - z) ** 2 + scad_value(b, lam)
        f_ours = d / 2 * (ours - z) ** 2 + scad_value(np.array([ours]), lam)[0]
        assert f_ours <= f.min() + 1e-12


def test_scad_threshold_is_vectorised_over_z_and_d():
    rng = np.random.default_rng(0)
    z, d = rng.normal(0, 4, 200), rng.uniform(0.05, 3, 200)
    got = scad_threshold(z, 0.7, A, d)
    ref = [scad_argmin(zi, 0.7, A, di)[0] for zi, di in zip(z, d)]
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)
