"""Duality: the dual problem and shadow prices, against HiGHS and by hand."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from snippets.simplex import simplex
from snippets.simplex.duality import dual_problem, shadow_prices


def bounded_feasible_lp(seed):
    """max c.x, A x <= b with A > 0 (bounded) and b > 0 (the origin is feasible)."""
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 6), rng.integers(1, 6)
    A = rng.uniform(0.1, 3.0, size=(m, n))
    b = rng.uniform(1.0, 10.0, size=m)
    c = rng.normal(size=n)
    return c, A, b


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_the_dual_has_the_primal_optimum_as_highs_solves_both(seed):
    c, A, b = bounded_feasible_lp(seed)
    primal = linprog(-c, A_ub=A, b_ub=b, method="highs")
    dc, dA, db = dual_problem(c, A, b)
    dual = linprog(dc, A_ub=dA, b_ub=db, method="highs")
    assert primal.status == 0 and dual.status == 0
    assert dual.fun == pytest.approx(-primal.fun, rel=1e-9, abs=1e-9)


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_shadow_prices_of_the_optimal_basis_are_optimal_duals(seed):
    c, A, b = bounded_feasible_lp(seed)
    res = simplex(c, A, b, maximize=True, record=True)
    assert res.status == "optimal"
    y = shadow_prices(c, A, res.tableaus[-1].basis)
    # dual feasible and no duality gap: exactly what makes y an optimal dual solution
    assert (y >= -1e-9).all() and (A.T @ y >= c - 1e-9).all()
    assert b @ y == pytest.approx(res.fun, rel=1e-9, abs=1e-9)
    highs = linprog(-c, A_ub=A, b_ub=b, method="highs")
    assert b @ -highs.ineqlin.marginals == pytest.approx(b @ y, rel=1e-9, abs=1e-9)


def test_the_article_example_by_hand():
    # max x1 + x2, 2x1 + x2 <= 12, x1 + 2x2 <= 9: both rows tight at (5, 2); solving
    # y^T B = c_B with B = [[2, 1], [1, 2]] gives y = (1/3, 1/3)
    c, A, b = np.array([1.0, 1.0]), np.array([[2.0, 1.0], [1.0, 2.0]]), np.array([12.0, 9.0])
    np.testing.assert_allclose(shadow_prices(c, A, [0, 1]), [1 / 3, 1 / 3], rtol=1e-14)
    dc, dA, db = dual_problem(c, A, b)
    np.testing.assert_array_equal(dc, b)
    np.testing.assert_array_equal(dA, -A.T)
    np.testing.assert_array_equal(db, -c)


@pytest.mark.parametrize("basis", [[0], [0, 0], [0, 4], [-1, 0], [0, 1, 2]])
def test_a_basis_must_be_m_distinct_columns(basis):
    with pytest.raises(ValueError, match="basis must be 2 distinct columns"):
        shadow_prices([1.0, 1.0], [[2.0, 1.0], [1.0, 2.0]], basis)


@pytest.mark.parametrize("c, A, b", [
    ([1.0], [[1.0, 2.0]], [1.0]),  # c of the wrong length
    ([1.0, 2.0], [1.0, 2.0], [1.0]),  # A not 2-D
    ([1.0, 2.0], [[1.0, 2.0]], [1.0, 2.0]),  # b of the wrong length
    ([np.nan, 2.0], [[1.0, 2.0]], [1.0]),
    ([1.0, 2.0], [[1.0, np.inf]], [1.0]),
])
def test_dual_problem_rejects_bad_shapes_and_values(c, A, b):
    with pytest.raises(ValueError):
        dual_problem(c, A, b)
