"""Independent references for the simplex tests: scipy.optimize.linprog
(HiGHS) with fallbacks when HiGHS gives up, and random, degenerate, badly
scaled and ill-conditioned LPs built here (not by the module's generators)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from snippets.simplex import LPResult, simplex
from snippets.simplex.data import beale_problem

HIGHS = {0: "optimal", 2: "infeasible", 3: "unbounded"}
FUN_TOL = 1e-7
X_TOL = 1e-7


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


KINDS = ("feasible", "free", "contradictory", "ray")


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


def klee_minty(n):
    c = 2.0 ** np.arange(n - 1, -1, -1)
    A = np.array([[2.0 ** (i - j + 1) if j < i else float(i == j)
                   for j in range(n)] for i in range(n)])
    return c, A, 5.0 ** np.arange(1, n + 1)


def mixed_magnitude_lp(rng, sizes=(3, 10), max_eq=3, share=lambda rng: 0.3):
    """Small-integer LP whose entries are multiplied, one by one, by random
    powers of ten in 1e-6..1e6: no row or column scaling can repair it.
    n in range(*sizes) variables, n..3n inequalities, < max_eq equalities;
    share(rng): the share of entries scaled."""
    n = int(rng.integers(*sizes))
    m_ub, m_eq = int(rng.integers(n, 3 * n)), int(rng.integers(0, max_eq))
    A = rng.integers(-3, 4, size=(m_ub + m_eq, n)).astype(float)
    mask = rng.random(A.shape) < share(rng)
    A = np.where(mask, A * 10.0 ** rng.integers(-6, 7, A.shape), A)
    x0 = rng.integers(0, 3, n).astype(float) * (rng.random(n) < 0.6)
    b = A @ x0
    c = rng.integers(-3, 4, n).astype(float)
    return c, A[:m_ub], b[:m_ub], A[m_ub:], b[m_ub:]


def wide_mixed_lp(seed):
    """Like mixed_magnitude_lp, larger (5..24 variables, up to ~70 rows)."""
    return mixed_magnitude_lp(np.random.default_rng(seed), (5, 25), 4,
                              lambda rng: rng.uniform(0, 0.4))


def peak_memory(f):
    import tracemalloc

    tracemalloc.start()
    try:
        result = f()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def beale_in_a_midsize_lp(m_extra=150, n_extra=300):
    """Beale's cycling example next to an independent block of 150 rows and
    300 columns: a tableau of 154 x 458 (564 kB).  Dantzig's rule cycles on
    the Beale block forever; keeping every tableau of 10_000 pivots took
    5.6 GB."""
    rng = np.random.default_rng(0)
    c0, A0, b0 = beale_problem()
    A = np.zeros((3 + m_extra, 4 + n_extra))
    A[:3, :4] = A0
    A[3:, 4:] = rng.uniform(0.5, 2.0, (m_extra, n_extra))
    b = np.concatenate([b0, rng.uniform(1.0, 2.0, m_extra)])
    c = np.concatenate([c0, rng.uniform(1.0, 2.0, n_extra)])
    return c, A, b
