"""Tests for snippets/simplex.py against scipy.optimize.linprog(method="highs")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from snippets import simplex as sx
from snippets.simplex import LPResult, simplex

HIGHS = {0: "optimal", 2: "infeasible", 3: "unbounded"}
FUN_TOL = 1e-7
X_TOL = 1e-7


# ---------------------------------------------------------------------------
# Reference helpers
# ---------------------------------------------------------------------------

def _none_if_empty(A, b):
    return (None, None) if A is None or len(b) == 0 else (A, b)


def reference(c, A_ub, b_ub, A_eq, b_eq, maximize):
    A_ub, b_ub = _none_if_empty(A_ub, b_ub)
    A_eq, b_eq = _none_if_empty(A_eq, b_eq)
    sign = -1.0 if maximize else 1.0
    def solve(method, presolve):
        return linprog(sign * np.asarray(c), A_ub=A_ub, b_ub=b_ub, A_eq=A_eq,
                       b_eq=b_eq, method=method, options={"presolve": presolve})

    res = solve("highs", True)
    if res.status in (2, 4):
        # HiGHS's presolve may call an unbounded problem infeasible (seed
        # 7958, kind "free"), and its dual simplex may give up (status 4,
        # seed 413073): ask without presolve, then the interior-point solver
        for method, presolve in (("highs", False), ("highs-ipm", True)):
            again = solve(method, presolve)
            if again.status in (0, 3) or res.status == 4:
                res = again
            if res.status in (0, 3):
                break
    if res.status == 0:
        return "optimal", sign * res.fun, res.x
    if res.status in (2, 3):
        return HIGHS[res.status], None, None
    # HiGHS gave up on the LP itself: decide from two bounded LPs it does solve,
    # a feasibility problem and a search for an improving ray d >= 0 (d <= 1)
    n = len(c)
    feasible = linprog(np.zeros(n), A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq,
                       method="highs")
    if feasible.status == 2:
        return "infeasible", None, None
    ray = linprog(sign * np.asarray(c), A_ub=A_ub, b_ub=None if A_ub is None else
                  np.zeros(len(b_ub)), A_eq=A_eq, b_eq=None if A_eq is None else
                  np.zeros(len(b_eq)), bounds=(0, 1), method="highs")
    if feasible.status == 0 and ray.status == 0 and ray.fun < -1e-9:
        return "unbounded", None, None
    raise AssertionError(f"HiGHS did not finish: {res.message}")


def optimum_is_unique(c, A_ub, b_ub, A_eq, b_eq, maximize, fun, rng):
    """HiGHS decides: over the optimal face (feasible and c.x at its optimum),
    minimise and maximise random linear functions; a single point gives
    the same value for both."""
    sign = -1.0 if maximize else 1.0
    cc = sign * np.asarray(c)
    n = len(cc)
    rows = [cc[None, :]] + ([A_ub] if A_ub is not None and len(b_ub) else [])
    rhs = [[sign * fun + 1e-10 * (1 + abs(fun))]] + (
        [b_ub] if A_ub is not None and len(b_ub) else [])
    A_face, b_face = np.vstack(rows), np.concatenate(rhs)
    A_eq, b_eq = _none_if_empty(A_eq, b_eq)
    for _ in range(2):
        d = rng.normal(size=n)
        lo = linprog(d, A_ub=A_face, b_ub=b_face, A_eq=A_eq, b_eq=b_eq,
                     method="highs")
        hi = linprog(-d, A_ub=A_face, b_ub=b_face, A_eq=A_eq, b_eq=b_eq,
                     method="highs")
        if lo.status != 0 or hi.status != 0:
            return False  # 方向上无界（最优面无界）或数值问题：不比较 x
        if np.max(np.abs(hi.x - lo.x)) > 1e-8:
            return False
    return True


def assert_feasible(x, A_ub, b_ub, A_eq, b_eq, tol=1e-7):
    assert np.all(x >= -tol)
    if A_ub is not None and len(b_ub):
        assert np.all(A_ub @ x <= b_ub + tol * (1 + np.abs(b_ub)))
    if A_eq is not None and len(b_eq):
        np.testing.assert_allclose(A_eq @ x, b_eq, atol=tol * (1 + np.abs(b_eq).max()))


def check_against_highs(problem, rule="bland", rng=None, compare_x=True):
    """Solve with both and compare; returns (status, x_compared)."""
    c, A_ub, b_ub, A_eq, b_eq, maximize = problem
    res = simplex(c, A_ub, b_ub, A_eq, b_eq, maximize=maximize, rule=rule)
    status, fun, x_ref = reference(c, A_ub, b_ub, A_eq, b_eq, maximize)
    assert isinstance(res, LPResult)
    assert res.status == status, (res.status, status)
    if status != "optimal":
        assert res.fun is None
        return status, False
    assert abs(res.fun - fun) <= FUN_TOL * max(1.0, abs(fun)), (res.fun, fun)
    assert abs(res.fun - float(np.dot(c, res.x))) <= 1e-9 * max(1, abs(fun))
    assert_feasible(res.x, A_ub, b_ub, A_eq, b_eq)
    compared = False
    if compare_x and optimum_is_unique(c, A_ub, b_ub, A_eq, b_eq, maximize,
                                       fun, rng or np.random.default_rng(0)):
        np.testing.assert_allclose(res.x, x_ref, atol=X_TOL * max(1.0, np.abs(x_ref).max()))
        compared = True
    return status, compared


def random_lp(rng, kind):
    """Random LPs of several flavours (independent of the module's generator).

    feasible: b built from a point x0 >= 0 (status optimal or unbounded);
    free: random right-hand sides (often infeasible with equalities);
    contradictory: adds r.x <= beta and r.x >= beta + 1 (infeasible);
    ray: adds a direction of recession along which the objective improves
    (unbounded when feasible).
    """
    n = int(rng.integers(1, 8))
    m_ub, m_eq = int(rng.integers(0, 7)), int(rng.integers(0, 4))
    if rng.random() < 0.5:
        def draw(*shape):
            return rng.normal(size=shape) * rng.choice([0.1, 1.0, 10.0])
    else:  # 小整数：退化与并列
        def draw(*shape):
            return rng.integers(-3, 4, size=shape).astype(float)
    c = draw(n)
    A_ub, A_eq = draw(m_ub, n), draw(m_eq, n)
    x0 = np.where(rng.random(n) < 0.4, 0.0, rng.uniform(0, 3, n).round(1))
    b_ub = A_ub @ x0 + np.where(rng.random(m_ub) < 0.4, 0.0, rng.uniform(0, 2, m_ub))
    b_eq = A_eq @ x0
    if kind == "feasible" and rng.random() < 0.6:  # 多半再加一个有界的约束
        A_ub = np.vstack([A_ub, np.abs(draw(1, n)) + 0.5])
        b_ub = np.concatenate([b_ub, A_ub[-1] @ x0 + rng.uniform(0, 2, 1)])
    if kind == "free":
        b_ub, b_eq = draw(len(b_ub)), draw(m_eq)
    elif kind == "contradictory":
        r = draw(1, n)
        beta = float((r @ x0)[0])
        A_ub = np.vstack([A_ub, r, -r])
        b_ub = np.concatenate([b_ub, [beta, -beta - 1.0]])
    elif kind == "ray":
        d = rng.uniform(0.5, 2.0, n)
        # 让 d 成为回收方向：A_ub d <= 0, A_eq d = 0, c.d < 0
        A_ub = A_ub - np.maximum(A_ub @ d, 0)[:, None] * d / (d @ d)
        A_eq = A_eq - (A_eq @ d)[:, None] * d / (d @ d)
        b_ub = A_ub @ x0 + 0.5
        b_eq = A_eq @ x0
        c = c - (max(c @ d, 0) + 1.0) * d / (d @ d)
    maximize = bool(rng.random() < 0.3)
    if maximize:
        c = -c  # 保持构造的含义：最大化 -c 等价于最小化 c
    return c, A_ub, b_ub, A_eq, b_eq, maximize


# ---------------------------------------------------------------------------
# Random problems against HiGHS
# ---------------------------------------------------------------------------

KINDS = ("feasible", "free", "contradictory", "ray")


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


# ---------------------------------------------------------------------------
# Degenerate problems
# ---------------------------------------------------------------------------

def degenerate_lp(rng):
    """Many constraints tight at the same vertex x0 (b = A x0 exactly)."""
    n = int(rng.integers(2, 6))
    m = int(rng.integers(n + 1, 3 * n + 2))
    A = rng.integers(-3, 4, size=(m, n)).astype(float)
    x0 = rng.integers(0, 3, n).astype(float) * (rng.random(n) < 0.6)
    b = A @ x0
    b[rng.random(m) < 0.2] += 1.0
    c = rng.integers(-3, 4, n).astype(float)
    return c, A, b


@pytest.mark.parametrize("rule", sx.RULES)
def test_degenerate_problems(rule):
    rng = np.random.default_rng(11)
    n_degenerate_pivots = 0
    for _ in range(150):
        c, A, b = degenerate_lp(rng)
        res = simplex(c, A, b, rule=rule, max_iter=2000)
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


# ---------------------------------------------------------------------------
# Beale's cycling example
# ---------------------------------------------------------------------------

def test_beale_largest_coefficient_rule_cycles():
    c, A, b = sx.beale_problem()
    res = simplex(c, A, b, rule="dantzig", max_iter=500)
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
    c, A, b = sx.beale_problem()
    res = simplex(c, A, b, rule="bland")
    status, fun, x = reference(c, A, b, None, None, False)
    assert res.status == status == "optimal"
    assert res.fun == pytest.approx(fun, abs=1e-12)
    # Beale 的例子的最优解（手算）：x = (1/25, 0, 1, 0)，最小值 -1/20
    np.testing.assert_allclose(res.x, [1 / 25, 0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(res.x, x, atol=1e-9)
    assert sx.find_cycle(res.tableaus) is None


def test_max_iter_limits_pivots():
    c, A, b = sx.example_problem()
    res = simplex(c, A, b, maximize=True, max_iter=0)
    assert res.status == "iteration_limit" and res.nit == 0 and res.fun is None
    res = simplex(c, A, b, maximize=True, max_iter=1)
    assert res.status == "iteration_limit" and res.nit == 1
    res = simplex(c, A, b, maximize=True, max_iter=2)
    assert res.status == "optimal" and res.nit == 2
    # 第一阶段中用完
    c, A_ub, b_ub, A_eq, b_eq = sx.two_phase_problem()
    res = simplex(c, A_ub, b_ub, A_eq, b_eq, max_iter=1)
    assert res.status == "iteration_limit" and res.x is None


# ---------------------------------------------------------------------------
# The article's examples and the tableau bookkeeping
# ---------------------------------------------------------------------------

def test_running_example():
    c, A, b = sx.example_problem()
    for rule in sx.RULES:
        res = simplex(c, A, b, maximize=True, rule=rule)
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
        res = simplex(c, A_ub, b_ub, A_eq, b_eq, maximize=maximize)
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
    res = simplex([1.0, 1.0], A_ub=[[1.0, 1.0], [-1.0, -1.0]], b_ub=[2.0, -3.0])
    assert res.status == "infeasible" and res.x is None and res.fun is None
    assert res.tableaus[-1].phase == 1
    assert -res.tableaus[-1].table[-1, -1] == pytest.approx(1.0)  # w = 1


# ---------------------------------------------------------------------------
# Bad inputs
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Demo functions
# ---------------------------------------------------------------------------

def test_demos_run():
    import matplotlib.figure
    import matplotlib.pyplot as plt

    for f in (sx.show_example_tableau_0, sx.show_example_tableau_1,
              sx.show_example_tableau_2):
        out = f()
        assert hasattr(out, "_repr_markdown_") and "| 目标行 |" in out
    for f in (sx.show_example_result,
              sx.show_beale_dantzig, sx.show_beale_bland, sx.show_beale_summary,
              sx.show_infeasible_unbounded):
        assert isinstance(f(), pd.DataFrame)
    text = sx.show_two_phase()
    assert "basis" in text and "optimal" in text
    fig = sx.plot_example()
    assert isinstance(fig, matplotlib.figure.Figure)
    plt.close(fig)


def test_comparison_table_agrees():
    df = sx.compare_with_linprog(n_problems=60, seed=1)
    assert (df["status"] == df["ref_status"]).all()
    assert df["dfun"].max() < FUN_TOL
    assert isinstance(sx.show_comparison(), pd.DataFrame)


def test_fmt_number():
    from fractions import Fraction

    assert sx.fmt_number(1.5) == "3/2"
    assert sx.fmt_number(-1 / 25) == "-1/25"
    assert sx.fmt_number(0.0) == "0" and sx.fmt_number(-1e-15) == "0"
    assert sx.fmt_number(np.pi) == "3.1416"
    assert Fraction(sx.fmt_number(7.0)) == 7


@pytest.mark.parametrize("alias, rule", [("largest", "dantzig"), ("largest_coefficient", "dantzig"),
                                          ("smallest_index", "bland")])
def test_rule_aliases_behave_like_their_rule(alias, rule):
    c, A_ub, b_ub = sx.beale_problem()
    a = simplex(c, A_ub, b_ub, rule=alias, max_iter=50)
    b = simplex(c, A_ub, b_ub, rule=rule, max_iter=50)
    assert (a.status, a.nit) == (b.status, b.nit)
