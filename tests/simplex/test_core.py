"""snippets.simplex.simplex against scipy.optimize.linprog(method="highs"):
random, degenerate and ill-conditioned LPs, the final check of the basis,
memory and time, and bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from simplex.reference import (FUN_TOL, HIGHS, KINDS, assert_feasible,
                               beale_in_a_midsize_lp, check_against_highs,
                               mixed_magnitude_lp, peak_memory, random_lp,
                               reference, scaled_transport)

from snippets import simplex as sx
from snippets.simplex import pivoting, simplex
from snippets.simplex.data import example_problem, two_phase_problem


def test_hundreds_of_random_problems_against_highs():
    rng = np.random.default_rng(20261119)
    statuses, n_x = {}, 0
    for i in range(600):
        kind = KINDS[i % 4]
        problem = random_lp(rng, kind)
        status, compared = check_against_highs(problem, rng=rng)
        statuses[status] = statuses.get(status, 0) + 1
        n_x += compared
        if kind == "contradictory":
            assert status == "infeasible"
    # 三种结论都要有足够多的样本，并且多数最优解被逐分量比较过
    assert statuses["optimal"] >= 140, statuses
    assert statuses["infeasible"] >= 140, statuses
    assert statuses["unbounded"] >= 120, statuses
    assert n_x >= 0.6 * statuses["optimal"], (n_x, statuses)


def test_equality_constrained_problems_against_highs():
    rng = np.random.default_rng(7)
    seen = set()
    for _ in range(120):
        n = int(rng.integers(2, 7))
        m_eq = int(rng.integers(1, n + 1))
        A_eq = rng.normal(size=(m_eq, n))
        x0 = np.abs(rng.normal(size=n)) * (rng.random(n) < 0.7)
        b_eq = A_eq @ x0 if rng.random() < 0.7 else rng.normal(size=m_eq)
        c = rng.normal(size=n)
        status, _ = check_against_highs((c, None, None, A_eq, b_eq, False), rng=rng)
        seen.add(status)
    assert seen == {"optimal", "infeasible", "unbounded"}


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(KINDS),
       rule=st.sampled_from(sx.RULES))
@example(seed=7958, kind="free", rule="bland")  # unbounded; HiGHS presolve said infeasible
@example(seed=413073, kind="free", rule="bland")  # HiGHS presolve gave up (status 4)
def test_random_problems_both_rules(seed, kind, rule):
    problem = random_lp(np.random.default_rng(seed), kind)
    c, A_ub, b_ub, A_eq, b_eq, maximize = problem
    res = simplex(c, A_ub, b_ub, A_eq, b_eq, maximize=maximize, rule=rule)
    if rule == "dantzig" and res.status == "iteration_limit":
        return  # 最大系数规则允许循环；Bland 规则不允许
    check_against_highs(problem, rule=rule, rng=np.random.default_rng(seed))


def test_maximize_is_minimize_of_negated_objective():
    rng = np.random.default_rng(3)
    for _ in range(60):
        c, A_ub, b_ub, A_eq, b_eq, _ = random_lp(rng, "feasible")
        up = simplex(c, A_ub, b_ub, A_eq, b_eq, maximize=True)
        status, fun, _ = reference(-c, A_ub, b_ub, A_eq, b_eq, False)
        assert up.status == status
        if status == "optimal":
            assert abs(up.fun + fun) <= FUN_TOL * max(1, abs(fun))


def test_redundant_and_duplicated_equalities():
    rng = np.random.default_rng(5)
    for _ in range(40):
        n = int(rng.integers(3, 7))
        A = rng.normal(size=(2, n))
        # 第三行是前两行的线性组合，第四行与第一行重复
        A_eq = np.vstack([A, A[0] + 2 * A[1], A[0]])
        x0 = np.abs(rng.normal(size=n))
        b_eq = A_eq @ x0
        c = np.abs(rng.normal(size=n))
        status, _ = check_against_highs((c, None, None, A_eq, b_eq, False), rng=rng)
        assert status == "optimal"


def test_negative_right_hand_sides_are_flipped():
    # x1 + x2 >= 2, x1 >= 0.5 written with negative b; min x1 + 3x2 -> (2, 0)
    res = simplex([1.0, 3.0], A_ub=[[-1.0, -1.0], [-1.0, 0.0]], b_ub=[-2.0, -0.5])
    status, fun, x = reference(np.array([1.0, 3.0]), np.array([[-1.0, -1.0], [-1.0, 0.0]]),
                               np.array([-2.0, -0.5]), None, None, False)
    assert res.status == status == "optimal"
    assert res.fun == pytest.approx(fun, abs=1e-12)
    np.testing.assert_allclose(res.x, x, atol=1e-12)
    # 负右端的等式同样翻转
    res = simplex([1.0, 1.0], A_eq=[[-1.0, -2.0]], b_eq=[-4.0])
    assert res.status == "optimal" and res.fun == pytest.approx(2.0)


def test_no_constraints():
    assert simplex([1.0, 2.0]).status == "optimal"
    np.testing.assert_array_equal(simplex([1.0, 2.0]).x, [0.0, 0.0])
    assert simplex([1.0, -2.0]).status == "unbounded"
    assert simplex([1.0, 2.0], maximize=True).status == "unbounded"
    empty = simplex([1.0, 2.0], A_ub=np.zeros((0, 2)), b_ub=np.zeros(0))
    assert empty.status == "optimal" and empty.fun == 0.0


def test_klee_minty_cube():
    """Klee & Minty (1972): the largest-coefficient rule visits all 2^n
    vertices (2^n - 1 pivots); the optimum is 5^n."""
    for n in range(2, 7):
        c = 2.0 ** np.arange(n - 1, -1, -1)
        A = np.array([[2.0 ** (i - j + 1) if j < i else float(i == j)
                       for j in range(n)] for i in range(n)])
        b = 5.0 ** np.arange(1, n + 1)
        res = simplex(c, A, b, maximize=True, rule="dantzig")
        assert res.status == "optimal" and res.nit == 2 ** n - 1
        assert res.fun == pytest.approx(5.0 ** n)
        check_against_highs((c, A, b, None, None, True))


def test_max_iter_limits_pivots():
    c, A, b = example_problem()
    res = simplex(c, A, b, maximize=True, max_iter=0)
    assert res.status == "iteration_limit" and res.nit == 0 and res.fun is None
    res = simplex(c, A, b, maximize=True, max_iter=1)
    assert res.status == "iteration_limit" and res.nit == 1
    res = simplex(c, A, b, maximize=True, max_iter=2)
    assert res.status == "optimal" and res.nit == 2
    # 第一阶段中用完
    c, A_ub, b_ub, A_eq, b_eq = two_phase_problem()
    res = simplex(c, A_ub, b_ub, A_eq, b_eq, max_iter=1)
    assert res.status == "iteration_limit" and res.x is None


def test_running_example():
    c, A, b = example_problem()
    for rule in sx.RULES:
        res = simplex(c, A, b, maximize=True, rule=rule, record=True)
        status, fun, x = reference(c, A, b, None, None, True)
        assert res.status == status
        assert res.fun == pytest.approx(fun, abs=1e-12)
        np.testing.assert_allclose(res.x, x, atol=1e-12)
        # 路径上的点都是可行域的顶点（两条约束的交点或坐标轴上的点）
        path = [t.basic_solution()[:2] for t in res.tableaus]
        for p in path:
            assert_feasible(p, A, b, None, None, tol=1e-12)


def test_tableaus_are_consistent():
    rng = np.random.default_rng(9)
    for _ in range(40):
        problem = random_lp(rng, "feasible")
        c, A_ub, b_ub, A_eq, b_eq, maximize = problem
        res = simplex(c, A_ub, b_ub, A_eq, b_eq, maximize=maximize, record=True)
        for t in res.tableaus:
            m = len(t.basis)
            assert t.table.shape == (m + 1, len(t.names) + 1)
            # 基变量的列是单位矩阵，检验数为 0；右端非负
            np.testing.assert_allclose(t.table[:m, list(t.basis)], np.eye(m), atol=1e-12)
            np.testing.assert_allclose(t.table[-1, list(t.basis)], 0, atol=1e-9)
            assert np.all(t.table[:m, -1] >= -1e-9)
        assert [t.phase for t in res.tableaus] == sorted(t.phase for t in res.tableaus)
        if res.status == "optimal":
            assert res.tableaus[-1].phase == 2 and res.tableaus[-1].entering is None
        assert len(res.tableaus) >= res.nit + 1


def test_infeasible_is_detected_in_phase_one():
    res = simplex([1.0, 1.0], A_ub=[[1.0, 1.0], [-1.0, -1.0]], b_ub=[2.0, -3.0],
                  record=True)
    assert res.status == "infeasible" and res.x is None and res.fun is None
    assert res.tableaus[-1].phase == 1
    assert -res.tableaus[-1].table[-1, -1] == pytest.approx(1.0)  # w = 1


@pytest.mark.parametrize("kwargs, match", [
    (dict(c=[1.0, 2.0], A_ub=[[1.0, 2.0, 3.0]], b_ub=[1.0]), "A_ub has 3 columns"),
    (dict(c=[1.0, 2.0], A_ub=[[1.0, 2.0]], b_ub=[1.0, 2.0]), "A_ub has 1 rows but b_ub has 2"),
    (dict(c=[1.0, 2.0], A_eq=[[1.0]], b_eq=[1.0]), "A_eq has 1 columns"),
    (dict(c=[1.0, 2.0], A_eq=[[1.0, 1.0]], b_eq=[1.0, 1.0]), "b_eq has 2"),
    (dict(c=[1.0, 2.0], A_ub=[[1.0, 2.0]]), "given together"),
    (dict(c=[1.0, 2.0], b_eq=[1.0]), "given together"),
    (dict(c=[1.0, 2.0], A_ub=[1.0, 2.0], b_ub=[1.0]), "2-D matrix"),
    (dict(c=[[1.0, 2.0]]), "1-D vector"),
    (dict(c=[]), "at least one"),
    (dict(c=[1.0, np.nan]), "non-finite"),
    (dict(c=[1.0, 2.0], A_ub=[[1.0, np.inf]], b_ub=[1.0]), "non-finite"),
    (dict(c=[1.0, 2.0], A_eq=[[1.0, 1.0]], b_eq=[-np.inf]), "non-finite"),
    (dict(c=[1.0, 2.0], rule="steepest_edge"), "rule must be 'bland'"),
    (dict(c=[1.0, 2.0], max_iter=-1), "max_iter must be >= 0"),
])
def test_bad_inputs_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simplex(**kwargs)


@pytest.mark.parametrize("kwargs", [
    dict(c=["a", "b"]),
    dict(c=[1.0, 2.0j]),
    dict(c=[1.0, 2.0], max_iter=2.5),
    dict(c=[1.0, 2.0], maximize="yes"),
])
def test_bad_types_raise_type_error(kwargs):
    with pytest.raises(TypeError):
        simplex(**kwargs)


def test_redundant_equalities_at_very_different_scales():
    rng = np.random.default_rng(21)
    for _ in range(30):
        n = int(rng.integers(3, 7))
        A = rng.normal(size=(2, n))
        x0 = np.abs(rng.normal(size=n))
        # 同一个等式乘以 1e6 或 1e-6 再出现一次；第三行是前两行的组合
        A_eq = np.vstack([A, 1e6 * A[0], 1e-6 * (A[0] + 2 * A[1]), A[1]])
        b_eq = A_eq @ x0
        c = np.abs(rng.normal(size=n))
        for rule in sx.RULES:
            res = simplex(c, A_eq=A_eq, b_eq=b_eq, rule=rule)
            status, fun, _ = reference(c, None, None, A[:2], A[:2] @ x0, False)
            assert res.status == status == "optimal"
            assert abs(res.fun - fun) <= FUN_TOL * max(1.0, abs(fun))


def test_never_a_wrong_optimum_on_ill_conditioned_problems():
    """On data that double precision cannot solve reliably with a dense
    tableau, the answer agrees with HiGHS or the status says
    "numerical_difficulties" (Dantzig's rule may also cycle): never a wrong
    optimum.  One more difference is allowed: "unbounded" where HiGHS finds
    an optimum only at |x| > 1e9, bounded by entries that, measured in the
    scaled tableau, are below ZERO_TOL (seed 1, 15th problem)."""
    rng = np.random.default_rng(1)
    counts = {}
    for _ in range(100):
        c, A_ub, b_ub, A_eq, b_eq = mixed_magnitude_lp(rng)
        ref = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq if len(b_eq) else None,
                      b_eq=b_eq if len(b_eq) else None, method="highs")
        if ref.status not in HIGHS:
            continue
        for rule in sx.RULES:
            res = simplex(c, A_ub, b_ub, A_eq, b_eq, rule=rule)
            counts[res.status] = counts.get(res.status, 0) + 1
            if res.status == "numerical_difficulties":
                assert res.x is None and res.fun is None
                continue
            if rule == "dantzig" and res.status == "iteration_limit":
                continue
            if res.status == "unbounded" and ref.status == 0:
                assert np.abs(ref.x).max() > 1e9
                continue
            assert res.status == HIGHS[ref.status], (res.status, ref.status)
            if res.status == "optimal":
                assert abs(res.fun - ref.fun) <= FUN_TOL * max(1.0, abs(ref.fun))
    # 绝大多数问题仍然得到了答案
    assert counts.get("optimal", 0) + counts.get("unbounded", 0) >= 150, counts


def _lying_pivot(monkeypatch, corrupt):
    """Make pivoting.pivot (the one run_phase calls) call ``corrupt(T)`` after the first real pivot."""
    real, calls = pivoting.pivot, []

    def pivot(T, r, j):
        real(T, r, j)
        calls.append(1)
        if len(calls) == 1:
            corrupt(T)

    monkeypatch.setattr(pivoting, "pivot", pivot)


def test_a_false_optimality_certificate_is_caught(monkeypatch):
    # 第一次换基之后把目标行的检验数改成非负：表“声称”已经最优
    def corrupt(T):
        T[-1, :-1] = np.abs(T[-1, :-1])

    _lying_pivot(monkeypatch, corrupt)
    c, A, b = example_problem()
    res = simplex(c, A, b, maximize=True)
    assert res.status == "numerical_difficulties"
    assert res.x is None and res.fun is None


def test_a_false_unbounded_ray_is_caught(monkeypatch):
    # 第一次换基之后把 x2 列改成非正：表“声称”沿 x2 无界
    def corrupt(T):
        T[:-1, 1] = -np.abs(T[:-1, 1])

    _lying_pivot(monkeypatch, corrupt)
    c, A, b = example_problem()
    res = simplex(c, A, b, maximize=True)
    assert res.status == "numerical_difficulties" and res.x is None


def test_a_false_infeasibility_is_caught(monkeypatch):
    # 第一阶段第一次换基之后，让 w 的检验数全部非负、w 的值为正
    def corrupt(T):
        T[-1, :-1] = np.abs(T[-1, :-1])
        T[-1, -1] = -1.0

    _lying_pivot(monkeypatch, corrupt)
    c, A_ub, b_ub, A_eq, b_eq = two_phase_problem()
    res = simplex(c, A_ub, b_ub, A_eq, b_eq)
    assert res.status == "numerical_difficulties"


def test_tableaus_are_recorded_only_when_asked():
    c, A, b = example_problem()
    res = simplex(c, A, b, maximize=True)
    assert res.status == "optimal" and res.tableaus == []
    rec = simplex(c, A, b, maximize=True, record=True)
    assert len(rec.tableaus) == rec.nit + 1 == 3
    assert (rec.x == res.x).all() and rec.fun == res.fun
    with pytest.raises(TypeError):  # record 只能按关键字传
        simplex(c, A, b, None, None, True, "bland", 100, True)


def test_memory_stays_that_of_one_tableau():
    """A 12 x 15 transportation problem: 207 columns, 28 rows, a tableau of
    47 kB, solved in 143 (Dantzig) to 220 (Bland) pivots.  The old code kept
    every tableau: a peak of 10.3 MB, 221 tableaus.  Now the peak is about 7
    tableaus (the tableau, the temporaries of a pivot, the scaling and the
    final check), whatever the number of pivots."""
    _, plain, _ = scaled_transport(3, 12, 15, 0.0, 0.0)
    c, A_eq, b_eq = plain
    tableau_bytes = (len(b_eq) + 1) * (len(c) + len(b_eq) + 1) * 8
    for rule in sx.RULES:
        res, peak = peak_memory(
            lambda: simplex(c, A_eq=A_eq, b_eq=b_eq, rule=rule))
        assert res.status == "optimal" and res.nit >= 100
        assert peak < 12 * tableau_bytes, (rule, peak / tableau_bytes)
    # 要求记录时，内存随换基次数增长（说明上面的测量测得出增长）
    res, peak = peak_memory(
        lambda: simplex(c, A_eq=A_eq, b_eq=b_eq, record=True))
    assert peak > 0.5 * res.nit * tableau_bytes


def test_an_lp_that_cannot_finish_returns_iteration_limit_quickly():
    import time

    c, A, b = beale_in_a_midsize_lp()
    tableau_bytes = (len(b) + 1) * (len(c) + len(b) + 1) * 8
    start = time.perf_counter()
    res, peak = peak_memory(lambda: simplex(c, A, b, rule="dantzig"))
    elapsed = time.perf_counter() - start
    assert res.status == "iteration_limit" and res.nit == 10_000
    assert res.fun is None and res.tableaus == []
    assert peak < 12 * tableau_bytes, peak / tableau_bytes
    assert elapsed < 60, elapsed  # 约 2 s；每步只更新一张表
    # Bland 规则不循环：6 步到达最优
    res = simplex(c, A, b, rule="bland")
    assert res.status == "optimal" and res.nit == 6
    assert res.fun == pytest.approx(-0.05, abs=1e-12)


@pytest.mark.parametrize("rule", sx.RULES)
def test_small_max_iter_stops_quickly(rule):
    import time

    rng = np.random.default_rng(0)
    A = rng.uniform(0.1, 1.0, (40, 120))
    c, b = -rng.uniform(0.5, 1.0, 120), np.full(40, 120.0)
    for max_iter in (0, 1, 10):
        start = time.perf_counter()
        res = simplex(c, A, b, rule=rule, max_iter=max_iter)
        assert time.perf_counter() - start < 5
        assert res.status == "iteration_limit" and res.nit == max_iter
        assert res.fun is None and res.x is not None
        assert_feasible(res.x, A, b, None, None)  # 第二阶段：仍是可行点


@pytest.mark.parametrize("call, match", [
    (lambda: simplex([1.0], record=1), "record must be True or False"),
    (lambda: simplex([1.0], record="yes"), "record must be True or False"),
    (lambda: simplex([1.0], maximize=1), "maximize must be True or False"),
    (lambda: simplex([1.0], rule=None), "rule must be a string"),
    (lambda: simplex([1.0], rule=["bland"]), "rule must be a string"),
    (lambda: simplex([1.0], max_iter=True), "max_iter must be an integer"),
    (lambda: simplex([1.0], max_iter=10.0), "max_iter must be an integer"),
    (lambda: simplex(["1", "2"]), "c must be an array of real numbers"),
    (lambda: simplex([True, False]), "c must be an array of real numbers"),
    (lambda: simplex([1.0], A_ub=[[True]], b_ub=[1.0]), "A_ub must be"),
    (lambda: simplex([1.0], A_eq=[[1.0]], b_eq=["1"]), "b_eq must be"),
])
def test_type_errors_name_the_argument(call, match):
    with pytest.raises(TypeError, match=match):
        call()
