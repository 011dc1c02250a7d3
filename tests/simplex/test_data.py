"""The article's problems: what their docstrings promise, checked with
scipy.optimize.linprog(method="highs"), and their argument checks."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from snippets.simplex.data import (FEASIBLE_SHARE, MAX_SIZES, beale_problem,
                                   example_problem, random_problem,
                                   random_problems, scaled_transport_problem,
                                   two_phase_problem)


def test_small_examples_have_the_optima_the_article_derives():
    c, A_ub, b_ub = example_problem()
    res = linprog(-c, A_ub=A_ub, b_ub=b_ub, method="highs")
    np.testing.assert_allclose([res.x[0], res.x[1], -res.fun], [5, 2, 7])
    c, A_ub, b_ub = beale_problem()
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, method="highs")
    np.testing.assert_allclose(res.fun, -1 / 20, atol=1e-12)
    c, A_ub, b_ub, A_eq, b_eq = two_phase_problem()
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, method="highs")
    # x1 - x2 = 1, x1 <= 5: x = (5, 4), c.x = 5 - 8
    np.testing.assert_allclose([*res.x, res.fun], [5, 4, -3], atol=1e-9)


@pytest.mark.parametrize("seed, spread", [(65, 4), (0, 0), (3, 2), (7, 6)])
def test_scaled_transport_problem_is_the_plain_one_in_other_units(seed, spread):
    (c, A, b), (c0, A0, b0) = scaled_transport_problem(seed, 4, 3, spread)
    ns, nd = 4, 3
    # 平衡的运输问题：供应总量 = 需求总量，每个变量出现在一个产地行和一个销地行
    assert b0[:ns].sum() == b0[ns:].sum()
    assert np.array_equal(A0.sum(axis=0), np.full(ns * nd, 2.0))
    # 单位：每行、每个变量乘以 10 的整数次幂，不超过 10**spread
    r = b / b0
    s = c / c0
    np.testing.assert_allclose(A, A0 * r[:, None] * s, rtol=1e-14)
    for f in np.concatenate([r, s]):
        k = round(np.log10(f))
        assert abs(k) <= spread and f == pytest.approx(10.0 ** k, rel=1e-14)
    ref = linprog(c0, A_eq=A0, b_eq=b0, method="highs")
    scaled = linprog(c, A_eq=A, b_eq=b, method="highs")
    assert ref.status == scaled.status == 0
    assert scaled.fun == pytest.approx(ref.fun, rel=1e-7)
    again = scaled_transport_problem(seed, 4, 3, spread)
    assert all(np.array_equal(x, y) for x, y in zip(again[0], (c, A, b)))


def test_random_problems_follow_their_description():
    problems = random_problems(120, seed=5)
    assert [p[0] for p in problems] == ["normal", "integer"] * 60
    feasible = 0
    for kind, c, A_ub, b_ub, A_eq, b_eq in problems:
        n, m_ub, m_eq = len(c), len(b_ub), len(b_eq)
        assert 2 <= n <= MAX_SIZES[0] and m_ub <= MAX_SIZES[1]
        assert m_eq <= MAX_SIZES[2]
        assert A_ub.shape == (m_ub, n) and A_eq.shape == (m_eq, n)
        if kind == "integer":
            for v in (c, A_ub, A_eq):
                assert np.all(v == np.round(v)) and np.all(np.abs(v) <= 4)
        res = linprog(np.zeros(n), A_ub=A_ub if m_ub else None,
                      b_ub=b_ub if m_ub else None, A_eq=A_eq if m_eq else None,
                      b_eq=b_eq if m_eq else None, method="highs")
        feasible += res.status == 0
    # 约 FEASIBLE_SHARE 按构造可行，其余随机右端的问题也有一些可行
    assert feasible >= 0.8 * FEASIBLE_SHARE * len(problems)
    again = random_problems(120, seed=5)
    assert all(np.array_equal(x, y) for p, q in zip(problems, again)
               for x, y in zip(p[1:], q[1:]))


@pytest.mark.parametrize("call, err, match", [
    (lambda: random_problem(np.random.default_rng(0), 1, 2, 2, 1), TypeError,
     "kind must be"),
    (lambda: random_problem(np.random.default_rng(0), "normal", 2.0, 2, 1),
     TypeError, "n must be an integer"),
    (lambda: random_problem(np.random.default_rng(0), "Integer", 2, 2, 1),
     ValueError, "kind must be"),
    (lambda: random_problems(n_problems=2.0), TypeError,
     "n_problems must be an integer"),
    (lambda: random_problems(seed="0"), TypeError, "seed must be an integer"),
    (lambda: random_problems(n_problems=-1), ValueError,
     "n_problems must be >= 0"),
    (lambda: scaled_transport_problem(seed=1.5), TypeError,
     "seed must be an integer"),
    (lambda: scaled_transport_problem(spread=True), TypeError,
     "spread must be an integer"),
    (lambda: scaled_transport_problem(supplies=0), ValueError,
     "supplies must be >= 1"),
])
def test_bad_arguments_name_the_argument(call, err, match):
    with pytest.raises(err, match=match):
        call()
