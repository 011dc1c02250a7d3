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
    c, A, b = sx.beale_problem()
    res = simplex(c, A, b, rule="bland", record=True)
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
              sx.show_infeasible_unbounded, sx.show_scaled_transport):
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


# ---------------------------------------------------------------------------
# Hard cases: scaling, degeneracy, cycling in floating point
# ---------------------------------------------------------------------------

def scaled_transport(seed, ns, nd, row_exp, col_exp):
    """A balanced transportation problem (ns supplies, nd demands, integer
    data: highly degenerate), then rows multiplied by 10**U(-row_exp,
    row_exp) and columns (variables) by 10**U(-col_exp, col_exp).

    Returns (scaled, plain, s): both problems as (c, A_eq, b_eq) and the
    variables' factors s (x_plain = s * x_scaled).  Scaling a row or a
    variable changes neither the status nor the optimal value, so HiGHS on
    the plain (well-scaled) problem is the reference for the scaled one.
    """
    rng = np.random.default_rng(seed)
    supply = rng.integers(1, 6, ns).astype(float)
    demand = np.bincount(rng.integers(0, nd, int(supply.sum())),
                         minlength=nd).astype(float)
    n = ns * nd
    A = np.zeros((ns + nd, n))
    for i in range(ns):
        A[i, i * nd:(i + 1) * nd] = 1.0
    for j in range(nd):
        A[ns + j, j::nd] = 1.0
    b = np.concatenate([supply, demand])
    c = rng.integers(1, 10, n).astype(float)
    r = 10.0 ** rng.uniform(-row_exp, row_exp, len(b))
    s = 10.0 ** rng.uniform(-col_exp, col_exp, n)
    return (c * s, A * r[:, None] * s, b * r), (c, A, b), s


def assignment(k, seed):
    """k x k assignment problem as an LP: every vertex is very degenerate."""
    rng = np.random.default_rng(seed)
    A = np.zeros((2 * k, k * k))
    for i in range(k):
        A[i, i * k:(i + 1) * k] = 1.0
        A[k + i, i::k] = 1.0
    return rng.integers(1, 20, k * k).astype(float), A, np.ones(2 * k)


def assert_matches_reference(res, plain, rule=None):
    c, A_eq, b_eq = plain
    status, fun, _ = reference(c, None, None, A_eq, b_eq, False)
    assert res.status == status, (rule, res.status, status)
    if status == "optimal":
        assert abs(res.fun - fun) <= FUN_TOL * max(1.0, abs(fun)), (rule, res.fun, fun)


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


def klee_minty(n):
    c = 2.0 ** np.arange(n - 1, -1, -1)
    A = np.array([[2.0 ** (i - j + 1) if j < i else float(i == j)
                   for j in range(n)] for i in range(n)])
    return c, A, 5.0 ** np.arange(1, n + 1)


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


def mixed_magnitude_lp(rng):
    """Small-integer LP whose entries are multiplied, one by one, by random
    powers of ten in 1e-6..1e6: no row or column scaling can repair it."""
    n = int(rng.integers(3, 10))
    m_ub, m_eq = int(rng.integers(n, 3 * n)), int(rng.integers(0, 3))
    A = rng.integers(-3, 4, size=(m_ub + m_eq, n)).astype(float)
    mask = rng.random(A.shape) < 0.3
    A = np.where(mask, A * 10.0 ** rng.integers(-6, 7, A.shape), A)
    x0 = rng.integers(0, 3, n).astype(float) * (rng.random(n) < 0.6)
    b = A @ x0
    c = rng.integers(-3, 4, n).astype(float)
    return c, A[:m_ub], b[:m_ub], A[m_ub:], b[m_ub:]


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


def wide_mixed_lp(seed):
    """Like mixed_magnitude_lp, larger (5..24 variables, up to ~70 rows)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 25))
    m_ub, m_eq = int(rng.integers(n, 3 * n)), int(rng.integers(0, 4))
    A = rng.integers(-3, 4, size=(m_ub + m_eq, n)).astype(float)
    mask = rng.random(A.shape) < rng.uniform(0, 0.4)
    A = np.where(mask, A * 10.0 ** rng.integers(-6, 7, A.shape), A)
    x0 = rng.integers(0, 3, n).astype(float) * (rng.random(n) < 0.6)
    b = A @ x0
    c = rng.integers(-3, 4, n).astype(float)
    return c, A[:m_ub], b[:m_ub], A[m_ub:], b[m_ub:]


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


# ---------------------------------------------------------------------------
# The final check: a tableau that lies is not believed
# ---------------------------------------------------------------------------

def _lying_pivot(monkeypatch, corrupt):
    """Make sx.pivot call ``corrupt(T)`` after the first real pivot."""
    real, calls = sx.pivot, []

    def pivot(T, r, j):
        real(T, r, j)
        calls.append(1)
        if len(calls) == 1:
            corrupt(T)

    monkeypatch.setattr(sx, "pivot", pivot)


def test_a_false_optimality_certificate_is_caught(monkeypatch):
    # 第一次换基之后把目标行的检验数改成非负：表“声称”已经最优
    def corrupt(T):
        T[-1, :-1] = np.abs(T[-1, :-1])

    _lying_pivot(monkeypatch, corrupt)
    c, A, b = sx.example_problem()
    res = simplex(c, A, b, maximize=True)
    assert res.status == "numerical_difficulties"
    assert res.x is None and res.fun is None


def test_a_false_unbounded_ray_is_caught(monkeypatch):
    # 第一次换基之后把 x2 列改成非正：表“声称”沿 x2 无界
    def corrupt(T):
        T[:-1, 1] = -np.abs(T[:-1, 1])

    _lying_pivot(monkeypatch, corrupt)
    c, A, b = sx.example_problem()
    res = simplex(c, A, b, maximize=True)
    assert res.status == "numerical_difficulties" and res.x is None


def test_a_false_infeasibility_is_caught(monkeypatch):
    # 第一阶段第一次换基之后，让 w 的检验数全部非负、w 的值为正
    def corrupt(T):
        T[-1, :-1] = np.abs(T[-1, :-1])
        T[-1, -1] = -1.0

    _lying_pivot(monkeypatch, corrupt)
    c, A_ub, b_ub, A_eq, b_eq = sx.two_phase_problem()
    res = simplex(c, A_ub, b_ub, A_eq, b_eq)
    assert res.status == "numerical_difficulties"


def test_statuses():
    assert sx.STATUSES == ("optimal", "infeasible", "unbounded",
                           "iteration_limit", "numerical_difficulties")


# ---------------------------------------------------------------------------
# Memory and time: tableaus are kept only when asked for
# ---------------------------------------------------------------------------

def _peak_memory(f):
    import tracemalloc

    tracemalloc.start()
    try:
        result = f()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_tableaus_are_recorded_only_when_asked():
    c, A, b = sx.example_problem()
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
        res, peak = _peak_memory(
            lambda: simplex(c, A_eq=A_eq, b_eq=b_eq, rule=rule))
        assert res.status == "optimal" and res.nit >= 100
        assert peak < 12 * tableau_bytes, (rule, peak / tableau_bytes)
    # 要求记录时，内存随换基次数增长（说明上面的测量测得出增长）
    res, peak = _peak_memory(
        lambda: simplex(c, A_eq=A_eq, b_eq=b_eq, record=True))
    assert peak > 0.5 * res.nit * tableau_bytes


def beale_in_a_midsize_lp(m_extra=150, n_extra=300):
    """Beale's cycling example next to an independent block of 150 rows and
    300 columns: a tableau of 154 x 458 (564 kB).  Dantzig's rule cycles on
    the Beale block forever; keeping every tableau of 10_000 pivots took
    5.6 GB."""
    rng = np.random.default_rng(0)
    c0, A0, b0 = sx.beale_problem()
    A = np.zeros((3 + m_extra, 4 + n_extra))
    A[:3, :4] = A0
    A[3:, 4:] = rng.uniform(0.5, 2.0, (m_extra, n_extra))
    b = np.concatenate([b0, rng.uniform(1.0, 2.0, m_extra)])
    c = np.concatenate([c0, rng.uniform(1.0, 2.0, n_extra)])
    return c, A, b


def test_an_lp_that_cannot_finish_returns_iteration_limit_quickly():
    import time

    c, A, b = beale_in_a_midsize_lp()
    tableau_bytes = (len(b) + 1) * (len(c) + len(b) + 1) * 8
    start = time.perf_counter()
    res, peak = _peak_memory(lambda: simplex(c, A, b, rule="dantzig"))
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


# ---------------------------------------------------------------------------
# Type checks of the public functions
# ---------------------------------------------------------------------------

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
    (lambda: sx.choose_entering(np.array([-1.0]), 1), "rule must be a string"),
    (lambda: sx.tableau_frame(simplex([1.0], A_ub=[[1.0]], b_ub=[1.0],
                                      record=True).tableaus[0], ratios="no"),
     "ratios must be True or False"),
    (lambda: sx.find_cycle([], phase="1"), "phase must be"),
    (lambda: sx.find_cycle([], phase=True), "phase must be"),
    (lambda: sx.random_problem(np.random.default_rng(0), 1, 2, 2, 1), "kind must be"),
    (lambda: sx.random_problem(np.random.default_rng(0), "normal", 2.0, 2, 1),
     "n must be an integer"),
    (lambda: sx.compare_with_linprog(n_problems=2.0), "n_problems must be an integer"),
    (lambda: sx.compare_with_linprog(seed="0"), "seed must be an integer"),
    (lambda: sx.scaled_transport_problem(seed=1.5), "seed must be an integer"),
    (lambda: sx.scaled_transport_problem(spread=True), "spread must be an integer"),
])
def test_type_errors_name_the_argument(call, match):
    with pytest.raises(TypeError, match=match):
        call()


@pytest.mark.parametrize("call, match", [
    (lambda: sx.choose_entering(np.array([-1.0]), "steepest"), "rule must be"),
    (lambda: sx.choose_leaving(np.eye(2), [0], 0, rule="largest_pivot"), "rule must be"),
    (lambda: sx.run_phase(np.zeros((1, 2)), [], "Bland", 10, None, 2, ("x1",)),
     "rule must be"),
    (lambda: sx.find_cycle([], phase=3), "phase must be"),
    (lambda: sx.random_problem(np.random.default_rng(0), "Integer", 2, 2, 1),
     "kind must be"),
    (lambda: sx.compare_with_linprog(n_problems=-1), "n_problems must be >= 0"),
])
def test_bad_values_raise_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_public_signatures_still_work():
    c, A_ub, b_ub, A_eq, b_eq = sx.two_phase_problem()
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
