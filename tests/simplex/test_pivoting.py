"""The pivoting module: pivot, the pricing rules, the ratio test, one phase
and the cycle guard, against independent re-derivations here and, through
whole solves, against scipy.optimize.linprog(method="highs")."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simplex.reference import (FUN_TOL, assert_matches_reference, assignment,
                               check_against_highs, degenerate_lp,
                               klee_minty, reference, scaled_transport,
                               wide_mixed_lp)

from snippets import simplex as sx
from snippets.simplex import simplex
from snippets.simplex.data import beale_problem, two_phase_problem


@pytest.mark.parametrize("rule", sx.RULES)
def test_degenerate_problems(rule):
    rng = np.random.default_rng(11)
    n_degenerate_pivots = 0
    for _ in range(150):
        c, A, b = degenerate_lp(rng)
        res = simplex(c, A, b, rule=rule, max_iter=2000, record=True)
        if rule == "dantzig" and res.status == "iteration_limit":
            continue
        check_against_highs((c, A, b, None, None, False), rule=rule, rng=rng)
        # 退化主元：右端为 0 的行被选为出基行
        n_degenerate_pivots += sum(
            1 for t in res.tableaus
            if t.leaving is not None and abs(t.table[t.leaving, -1]) < 1e-12)
    assert n_degenerate_pivots > 50


def test_bland_never_hits_the_iteration_limit_on_degenerate_problems():
    rng = np.random.default_rng(12)
    for _ in range(150):
        c, A, b = degenerate_lp(rng)
        assert simplex(c, A, b, rule="bland").status != "iteration_limit"


def test_beale_largest_coefficient_rule_cycles():
    c, A, b = beale_problem()
    res = simplex(c, A, b, rule="dantzig", max_iter=500, record=True)
    assert res.status == "iteration_limit"
    assert res.nit == 500 and res.fun is None
    # 目标值始终停在 0：所有主元都是退化的，基以 6 为周期重复
    values = {t.table[-1, -1] for t in res.tableaus}
    assert values == {0.0}
    bases = [frozenset(t.basis) for t in res.tableaus]
    assert len(set(bases)) == 6
    assert all(bases[i] == bases[i + 6] for i in range(len(bases) - 6))
    assert sx.find_cycle(res.tableaus) == (0, 6)


def test_beale_bland_rule_terminates_at_the_optimum():
    c, A, b = beale_problem()
    res = simplex(c, A, b, rule="bland", record=True)
    status, fun, x = reference(c, A, b, None, None, False)
    assert res.status == status == "optimal"
    assert res.fun == pytest.approx(fun, abs=1e-12)
    # Beale 的例子的最优解（手算）：x = (1/25, 0, 1, 0)，最小值 -1/20
    np.testing.assert_allclose(res.x, [1 / 25, 0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(res.x, x, atol=1e-9)
    assert sx.find_cycle(res.tableaus) is None


@pytest.mark.parametrize("alias, rule", [("largest", "dantzig"), ("largest_coefficient", "dantzig"),
                                          ("smallest_index", "bland")])
def test_rule_aliases_behave_like_their_rule(alias, rule):
    c, A_ub, b_ub = beale_problem()
    a = simplex(c, A_ub, b_ub, rule=alias, max_iter=50)
    b = simplex(c, A_ub, b_ub, rule=rule, max_iter=50)
    assert (a.status, a.nit) == (b.status, b.nit)


def test_bland_does_not_cycle_on_a_badly_scaled_transport_problem():
    """10 x 10 transportation problem, variables scaled by 10**U(-6, 6)
    (coefficients 1e-6..1e6).  Bland's rule used to cycle on it (period 406
    in phase 2, entries growing to 1e28): its decisions were made at the
    1e-9 level on numbers of any size."""
    scaled, plain, _ = scaled_transport(68, 10, 10, 0.0, 6.0)
    c, A_eq, b_eq = scaled
    res = simplex(c, A_eq=A_eq, b_eq=b_eq, rule="bland", max_iter=3000)
    assert_matches_reference(res, plain)
    assert res.nit < 500
    res = simplex(c, A_eq=A_eq, b_eq=b_eq, rule="bland", record=True)
    assert sx.find_cycle(res.tableaus, 1) is None
    assert sx.find_cycle(res.tableaus, 2) is None


def test_dantzig_rule_rejects_tiny_pivots():
    """Rows and columns scaled by 10**U(-4.5, 4.5).  The old code pivoted on
    3.7e-9, blew entries up to 3e21, ended phase 1 with w = -748 (a sum of
    nonnegative variables!) and reported the optimum 39.0338 (it is 39)."""
    scaled, plain, _ = scaled_transport(65, 6, 5, 4.5, 4.5)
    c, A_eq, b_eq = scaled
    for rule in sx.RULES:
        res = simplex(c, A_eq=A_eq, b_eq=b_eq, rule=rule)
        assert_matches_reference(res, plain, rule)
        assert res.fun == pytest.approx(39.0, rel=1e-12)
    for rule in sx.RULES:
        res = simplex(c, A_eq=A_eq, b_eq=b_eq, rule=rule, record=True)
        phase1 = [t for t in res.tableaus if t.phase == 1]
        # w >= 0 up to rounding, in every phase-1 tableau
        assert min(-t.table[-1, -1] for t in phase1) > -1e-9


@pytest.mark.parametrize("rule", sx.RULES)
def test_highly_degenerate_assignment_problems(rule):
    for k in range(3, 9):
        c, A_eq, b_eq = assignment(k, seed=k)
        res = simplex(c, A_eq=A_eq, b_eq=b_eq, rule=rule, max_iter=5000)
        assert_matches_reference(res, (c, A_eq, b_eq), rule)
        # 同样的问题，各变量乘以 10**U(-3, 3)
        s = 10.0 ** np.random.default_rng(k).uniform(-3, 3, len(c))
        res = simplex(c * s, A_eq=A_eq * s, b_eq=b_eq, rule=rule, max_iter=5000)
        assert_matches_reference(res, (c, A_eq, b_eq), rule)


@pytest.mark.parametrize("n", range(2, 9))
def test_klee_minty_cube_with_both_rules(n):
    c, A, b = klee_minty(n)
    for rule in sx.RULES:
        res = simplex(c, A, b, maximize=True, rule=rule)
        assert res.status == "optimal"
        assert res.fun == pytest.approx(5.0 ** n, rel=1e-12)
        np.testing.assert_allclose(res.x, [0.0] * (n - 1) + [5.0 ** n], atol=1e-9)
    # 最大系数规则仍然走遍全部 2^n 个顶点（缩放只影响“算不算 0”的判断）
    assert simplex(c, A, b, maximize=True, rule="dantzig").nit == 2 ** n - 1


def test_cycle_guard_stops_bland_cycling_in_floating_point(monkeypatch):
    """68 inequalities and 1 equation in 23 variables, coefficients 1e-6..3e6
    within a row.  Rounding makes Bland's rule cycle in phase 1 (a period of
    23 pivots from tableau 47); the guard perturbs the degenerate rows once
    and the method reaches the optimum 4."""
    c, A_ub, b_ub, A_eq, b_eq = wide_mixed_lp(2791)
    status, fun, _ = reference(c, A_ub, b_ub, A_eq, b_eq, False)
    res = simplex(c, A_ub, b_ub, A_eq, b_eq, rule="bland")
    assert res.status == status == "optimal"
    assert abs(res.fun - fun) <= FUN_TOL * max(1.0, abs(fun))
    # 关掉保护：同一个问题上 Bland 规则在舍入误差下绕圈
    monkeypatch.setattr(sx.CycleGuard, "check", lambda self, T, basis: None)
    res = simplex(c, A_ub, b_ub, A_eq, b_eq, rule="bland", max_iter=200,
                  record=True)
    assert res.status == "iteration_limit"
    assert sx.find_cycle(res.tableaus, 1) is not None


def test_cycle_guard_perturbs_degenerate_rows_when_a_basis_returns():
    T = np.array([[1.0, 0.0, 2.0, 0.0],
                  [0.0, 1.0, 3.0, 5.0],
                  [0.0, 0.0, -1.0, -7.0]])
    guard = sx.CycleGuard(np.ones(3))
    guard.check(T, [0, 1])
    guard.check(T, [1, 0])  # 同一个基（顺序不同），目标值没变：扰动
    assert 0 < T[0, -1] <= 3 * sx.FEAS_TOL and T[1, -1] == 5.0
    assert guard.perturbations == 1
    T[-1, -1] = -8.0  # 目标值变了：之前见过的基都不算
    guard.check(T, [0, 1])
    assert guard.perturbations == 1


def test_public_signatures_still_work():
    c, A_ub, b_ub, A_eq, b_eq = two_phase_problem()
    res = simplex(c, A_ub, b_ub, A_eq, b_eq, False, "bland", 100)
    assert res.status == "optimal" and res.fun == pytest.approx(-3.0)
    # 旧的调用方式：run_phase 的 record 是一个列表
    T = np.array([[2.0, 1.0, 1.0, 0.0, 12.0], [1.0, 2.0, 0.0, 1.0, 9.0],
                  [-1.0, -1.0, 0.0, 0.0, 0.0]])
    record = []
    status, pivots = sx.run_phase(T, [2, 3], "bland", 10, record, 2,
                                  ("x1", "x2", "s1", "s2"))
    assert (status, pivots, len(record)) == ("optimal", 2, 3)
    assert T[-1, -1] == pytest.approx(7.0)
    assert sx.choose_entering(np.array([0.0, -2.0, -3.0]), "bland") == 1
    assert sx.choose_entering(np.array([0.0, -2.0, -3.0]), "largest") == 2
    assert sx.choose_leaving(record[0].table, [2, 3], 0) == 0


# ---------------------------------------------------------------------------
# pivot, choose_entering, choose_leaving against re-derivations written here
# ---------------------------------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_pivot_is_gauss_jordan_elimination(seed):
    rng = np.random.default_rng(seed)
    m, k = int(rng.integers(1, 6)), int(rng.integers(1, 7))
    T = rng.normal(size=(m + 1, k + 1))
    r, j = int(rng.integers(0, m)), int(rng.integers(0, k))
    T[r, j] = rng.choice([-1, 1]) * rng.uniform(0.5, 2.0)
    # 教科书的写法：主元行除以主元，其余每行减去它的倍数
    expected = T.copy()
    expected[r] = T[r] / T[r, j]
    for i in range(m + 1):
        if i != r:
            expected[i] = T[i] - T[i, j] * expected[r]
    got = T.copy()
    sx.pivot(got, r, j)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    e_r = np.zeros(m + 1)
    e_r[r] = 1.0
    assert np.array_equal(got[:, j], e_r)  # 精确的单位向量


def entering_by_hand(d, rule, tol):
    tol = np.broadcast_to(tol, d.shape)
    best = None
    for k in range(len(d)):
        if d[k] < -tol[k] and (best is None or rule == "dantzig"
                               and d[k] < d[best]):
            best = k
            if rule == "bland":
                break
    return best


@settings(max_examples=200, deadline=None)
@given(d=st.lists(st.integers(-3, 3), min_size=1, max_size=8),
       rule=st.sampled_from(["bland", "dantzig", "largest", "smallest_index"]),
       per_column=st.booleans())
def test_choose_entering_matches_the_rule_by_hand(d, rule, per_column):
    d = np.array(d, float)
    tol = np.linspace(0.5, 2.5, len(d)) if per_column else 1e-9
    canonical = sx.RULE_ALIASES.get(rule, rule)
    assert sx.choose_entering(d, rule, tol) == entering_by_hand(d, canonical, tol)


def leaving_by_hand(T, basis, j, rule):
    """Min-ratio test in exact fractions; ties: the largest pivot (a step of
    positive length) or the smallest basic index (a degenerate step)."""
    from fractions import Fraction

    rows = [i for i in range(len(basis)) if T[i, j] > 0]
    if not rows:
        return None
    if any(T[i, -1] == 0 for i in rows):
        ties = [i for i in rows if T[i, -1] == 0]
        if rule == "dantzig":
            top = max(T[i, j] for i in ties)
            ties = [i for i in ties if T[i, j] >= 0.1 * top]
        return min(ties, key=lambda i: basis[i])
    ratio = {i: Fraction(T[i, -1]) / Fraction(T[i, j]) for i in rows}
    ties = [i for i in rows if ratio[i] == min(ratio.values())]
    return max(ties, key=lambda i: (T[i, j], -i))


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rule=st.sampled_from(sx.RULES))
def test_choose_leaving_matches_the_ratio_test_by_hand(seed, rule):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 7))
    k = m + 3  # 列数（不含右端）
    T = rng.integers(-3, 5, size=(m + 1, k + 1)).astype(float)
    T[:-1, -1] = rng.integers(0, 4, m) * (rng.random(m) < 0.8)
    basis = [int(b) for b in rng.permutation(k)[:m]]
    j = int(rng.integers(0, k))
    assert sx.choose_leaving(T, basis, j, rule) == leaving_by_hand(
        T, basis, j, rule)


@pytest.mark.parametrize("call, err, match", [
    (lambda: sx.choose_entering(np.array([-1.0]), 1), TypeError,
     "rule must be a string"),
    (lambda: sx.choose_entering(np.array([-1.0]), "steepest"), ValueError,
     "rule must be"),
    (lambda: sx.choose_leaving(np.eye(2), [0], 0, rule="largest_pivot"),
     ValueError, "rule must be"),
    (lambda: sx.run_phase(np.zeros((1, 2)), [], "Bland", 10, None, 2, ("x1",)),
     ValueError, "rule must be"),
])
def test_bad_rules_name_the_argument(call, err, match):
    with pytest.raises(err, match=match):
        call()
