"""The article's linear programs: the worked example, Beale's cycling
example, the two-phase example, a badly scaled transportation problem and
the random problems of the comparison with HiGHS (all seeded, deterministic).
"""

from __future__ import annotations

import numpy as np

from snippets._checks import integer


def example_problem():
    """max x1 + x2  s.t.  2x1 + x2 <= 12,  x1 + 2x2 <= 9,  x >= 0."""
    c = np.array([1.0, 1.0])
    A_ub = np.array([[2.0, 1.0], [1.0, 2.0]])
    b_ub = np.array([12.0, 9.0])
    return c, A_ub, b_ub


def beale_problem():
    """Beale (1955): minimise; the largest-coefficient rule cycles."""
    c = np.array([-0.75, 150.0, -0.02, 6.0])
    A_ub = np.array([[0.25, -60.0, -0.04, 9.0],
                     [0.50, -90.0, -0.02, 3.0],
                     [0.00, 0.0, 1.0, 0.0]])
    b_ub = np.array([0.0, 0.0, 1.0])
    return c, A_ub, b_ub


def two_phase_problem():
    """min x1 - 2x2  s.t.  x1 + x2 >= 4,  x1 + 3x2 >= 6,  x1 <= 5,
    x1 - x2 = 1, with the >= rows written as <= rows with negative b."""
    c = np.array([1.0, -2.0])
    A_ub = np.array([[-1.0, -1.0], [-1.0, -3.0], [1.0, 0.0]])
    b_ub = np.array([-4.0, -6.0, 5.0])
    A_eq = np.array([[1.0, -1.0]])
    b_eq = np.array([1.0])
    return c, A_ub, b_ub, A_eq, b_eq


def scaled_transport_problem(seed=65, supplies=6, demands=5, spread=4):
    """A balanced transportation problem with small integer data, written
    in badly chosen units: every constraint and every variable multiplied by
    10**k, k a random integer in [-spread, spread].

    Returns (scaled, plain): both (c, A_eq, b_eq).  The units change
    neither the status nor the optimal value, so ``plain`` gives the answer.
    """
    rng = np.random.default_rng(integer(seed, "seed", 0))
    ns = integer(supplies, "supplies", 1)
    nd = integer(demands, "demands", 1)
    spread = integer(spread, "spread", 0)
    supply = rng.integers(1, 6, ns).astype(float)
    demand = np.bincount(rng.integers(0, nd, int(supply.sum())),
                         minlength=nd).astype(float)
    A = np.zeros((ns + nd, ns * nd))
    for i in range(ns):
        A[i, i * nd:(i + 1) * nd] = 1.0  # 产地 i 运出的总量
    for j in range(nd):
        A[ns + j, j::nd] = 1.0  # 运到销地 j 的总量
    b = np.concatenate([supply, demand])
    c = rng.integers(1, 10, ns * nd).astype(float)
    # 10 的整数次幂用 Python 的 float 计算：与 NumPy 的 SIMD 实现无关
    powers = {k: 10.0 ** k for k in range(-spread, spread + 1)}
    r = np.array([powers[k] for k in rng.integers(-spread, spread + 1, len(b))])
    s = np.array([powers[k] for k in rng.integers(-spread, spread + 1, len(c))])
    return (c * s, A * r[:, None] * s, b * r), (c, A, b)


FEASIBLE_SHARE = 0.7
MAX_SIZES = (8, 7, 3)  # 随机问题的最大变量数、不等式数、等式数


def random_problem(rng, kind, n, m_ub, m_eq):
    """Random LP used for the article's comparison table.
    kind: "integer" (small integer coefficients) or "normal"."""
    if not isinstance(kind, str):
        raise TypeError(f"kind must be 'integer' or 'normal', got {kind!r}")
    if kind not in ("integer", "normal"):
        raise ValueError(f"kind must be 'integer' or 'normal', got {kind!r}")
    n, m_ub, m_eq = (integer(v, name, 0) for v, name in
                     ((n, "n"), (m_ub, "m_ub"), (m_eq, "m_eq")))
    if kind == "integer":  # 小整数系数：退化与并列很常见
        def draw(*shape):
            return rng.integers(-4, 5, size=shape).astype(float)
    else:
        def draw(*shape):
            return rng.normal(size=shape)
    c = draw(n)
    A_ub, A_eq = draw(m_ub, n), draw(m_eq, n)
    if rng.random() < FEASIBLE_SHARE:  # 多数问题从非负点出发构造，保证可行
        x0 = np.where(rng.random(n) < 0.5, 0.0, rng.integers(0, 4, n))
        b_ub = A_ub @ x0 + rng.integers(0, 3, m_ub)
        b_eq = A_eq @ x0
    else:
        b_ub, b_eq = draw(m_ub), draw(m_eq)
    return c, A_ub, b_ub, A_eq, b_eq


def random_problems(n_problems=300, seed=0):
    """The comparison's random LPs: a list of (kind, c, A_ub, b_ub, A_eq,
    b_eq), kinds alternating "normal" and "integer"; sizes up to MAX_SIZES."""
    n_problems = integer(n_problems, "n_problems", 0)
    rng = np.random.default_rng(integer(seed, "seed", 0))
    problems = []
    for i in range(n_problems):
        kind = "integer" if i % 2 else "normal"
        n = int(rng.integers(2, MAX_SIZES[0] + 1))
        m_ub = int(rng.integers(0, MAX_SIZES[1] + 1))
        m_eq = int(rng.integers(0, MAX_SIZES[2] + 1))
        problems.append((kind, *random_problem(rng, kind, n, m_ub, m_eq)))
    return problems


def degenerate_problem():
    """max x1 + x2  s.t.  x1 <= 2,  x2 <= 2,  x1 + x2 <= 4: three constraints
    meet at the vertex (2, 2)."""
    c = np.array([1.0, 1.0])
    A_ub = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    b_ub = np.array([2.0, 2.0, 4.0])
    return c, A_ub, b_ub
