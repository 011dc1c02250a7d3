"""scale_factors against an independent re-derivation, and badly scaled
problems against scipy.optimize.linprog(method="highs") on the same
problem in good units."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simplex.reference import (FUN_TOL, KINDS, assert_feasible,
                               assert_matches_reference, random_lp,
                               reference, scaled_transport)

from snippets import simplex as sx
from snippets.simplex import simplex


@pytest.mark.parametrize("rule", sx.RULES)
def test_transport_problems_with_badly_scaled_columns(rule):
    """Variables in units 10**U(-6, 6): coefficients 1e-6..1e6, costs up to
    1e7.  With absolute 1e-9 tolerances the old code went wrong on 14 of
    these 72 problems (Bland's rule on 8, Dantzig's on 12): wrong optima,
    and "unbounded" for seeds 6, 27, 28, 50 and 58."""
    for seed in range(72):
        scaled, plain, s = scaled_transport(
            seed, 2 + seed % 6, 2 + seed // 6 % 6, 0.0, 6.0)
        c, A_eq, b_eq = scaled
        res = simplex(c, A_eq=A_eq, b_eq=b_eq, rule=rule)
        assert_matches_reference(res, plain, rule)
        # 换回原来的单位，x 是运输问题的可行解
        assert_feasible(s * res.x, None, None, plain[1], plain[2], tol=1e-9)


@pytest.mark.parametrize("row_exp, col_exp", [(0.0, 3.0), (3.0, 3.0), (3.0, 0.0)])
def test_transport_problems_scaled_both_ways(row_exp, col_exp):
    for seed in range(100, 140):
        rng = np.random.default_rng(seed)
        ns, nd = (int(v) for v in rng.integers(3, 9, 2))
        scaled, plain, _ = scaled_transport(seed, ns, nd, row_exp, col_exp)
        c, A_eq, b_eq = scaled
        for rule in sx.RULES:
            assert_matches_reference(
                simplex(c, A_eq=A_eq, b_eq=b_eq, rule=rule), plain, rule)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(KINDS),
       rule=st.sampled_from(sx.RULES))
def test_units_do_not_change_the_answer(seed, kind, rule):
    """Multiplying constraints and variables by powers of ten up to 1e3
    (so coefficients span about 1e-7..1e7) changes neither the status nor
    the optimal value: HiGHS on the unscaled problem is the reference."""
    rng = np.random.default_rng(seed)
    c, A_ub, b_ub, A_eq, b_eq, maximize = random_lp(rng, kind)
    status, fun, _ = reference(c, A_ub, b_ub, A_eq, b_eq, maximize)
    s = 10.0 ** rng.integers(-3, 4, len(c))
    r_ub = 10.0 ** rng.integers(-3, 4, len(b_ub))
    r_eq = 10.0 ** rng.integers(-3, 4, len(b_eq))
    res = simplex(c * s, A_ub * r_ub[:, None] * s, b_ub * r_ub,
                  A_eq * r_eq[:, None] * s, b_eq * r_eq, maximize=maximize,
                  rule=rule)
    if rule == "dantzig" and res.status == "iteration_limit":
        return
    assert res.status == status, (res.status, status)
    if status == "optimal":
        assert abs(res.fun - fun) <= FUN_TOL * max(1.0, abs(fun)), (res.fun, fun)


def scale_by_hand(A, passes=8):
    """Geometric-mean scaling on binary exponents, written with math.frexp
    and Python integers: each pass moves every row, then every column, by
    minus the floor of the mean of its largest and smallest exponent."""
    import math

    m, n = len(A), len(A[0])
    e = {(i, j): math.frexp(abs(A[i][j]))[1] - 1
         for i in range(m) for j in range(n) if A[i][j] != 0}
    mags = [abs(A[i][j]) for (i, j) in e]
    if not e or (min(mags) >= 0.1 and max(mags) <= 10):
        return [1.0] * m, [1.0] * n
    r, t = [0] * m, [0] * n
    for _ in range(passes):
        for i in range(m):
            L = [e[i, j] + r[i] + t[j] for j in range(n) if (i, j) in e]
            r[i] -= (max(L) + min(L)) // 2 if L else 0
        for j in range(n):
            L = [e[i, j] + r[i] + t[j] for i in range(m) if (i, j) in e]
            t[j] -= (max(L) + min(L)) // 2 if L else 0
    return [2.0 ** k for k in r], [2.0 ** k for k in t]


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), spread=st.sampled_from([0, 1, 3, 8]))
def test_scale_factors_match_the_method_by_hand(seed, spread):
    rng = np.random.default_rng(seed)
    m, n = (int(v) for v in rng.integers(1, 7, 2))
    A = rng.normal(size=(m, n)) * 10.0 ** rng.uniform(-spread, spread, (m, n))
    A[rng.random((m, n)) < 0.3] = 0.0
    r, t = sx.scale_factors(A)
    r_hand, t_hand = scale_by_hand(A.tolist())
    assert r.tolist() == r_hand and t.tolist() == t_hand
    # 2 的幂：乘上去是精确的
    assert np.all(np.frexp(np.concatenate([r, t]))[0] == 0.5)


def test_scale_factors_leave_well_scaled_matrices_alone():
    A = np.array([[0.1, -10.0, 0.0], [3.0, 0.5, 7.0]])
    r, t = sx.scale_factors(A)
    assert r.tolist() == [1.0, 1.0] and t.tolist() == [1.0, 1.0, 1.0]
    r, t = sx.scale_factors(np.zeros((2, 3)))
    assert r.tolist() == [1.0, 1.0] and t.tolist() == [1.0, 1.0, 1.0]


def test_scale_factors_undo_row_and_column_units():
    """A well-scaled matrix written in units 2**k per row and column: the
    scaled matrix has its entries back within a factor 4 of 1."""
    rng = np.random.default_rng(4)
    for _ in range(50):
        B = rng.uniform(1.0, 2.0, (5, 4)) * rng.choice([-1, 1], (5, 4))
        A = np.ldexp(B, rng.integers(-20, 21, (5, 1))) * np.ldexp(
            1.0, rng.integers(-20, 21, 4))
        r, t = sx.scale_factors(A)
        S = np.abs(r[:, None] * A * t)
        assert S.max() / S.min() < 8 and 0.25 <= S.min() and S.max() <= 4
