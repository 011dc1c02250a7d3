"""The simplex post's demos on duality and degeneracy (public API only)."""

from __future__ import annotations

import numpy as np

from snippets.simplex import simplex
from snippets.simplex.data import degenerate_problem, example_problem
from snippets.simplex.duality import dual_problem, shadow_prices
from snippets.simplex.page import fmt_number


def _vector(v):
    return "(" + ", ".join(fmt_number(x) for x in v) + ")"


def show_duality():
    from scipy.optimize import linprog

    c, A_ub, b_ub = example_problem()
    primal = simplex(c, A_ub, b_ub, maximize=True, record=True)
    dual = simplex(*dual_problem(c, A_ub, b_ub))
    last = primal.tableaus[-1]
    n, m = len(c), len(b_ub)
    y = shadow_prices(c, A_ub, last.basis)
    highs = linprog(-c, A_ub=A_ub, b_ub=b_ub, method="highs")
    slack = b_ub - A_ub @ primal.x
    reduced = A_ub.T @ y - c
    bumped = simplex(c, A_ub, b_ub + np.array([1.0, 0.0]), maximize=True)
    return "\n".join([
        f"原问题：x* = {_vector(primal.x)}，最大值 z* = {fmt_number(primal.fun)}",
        f"对偶问题（本文 simplex 求解）：y* = {_vector(dual.x)}，"
        f"最小值 {fmt_number(dual.fun)}",
        "最优表目标行中松弛变量的检验数："
        f"{_vector(last.table[-1, n:n + m])}",
        f"由最优基算出的 y = c_B B⁻¹：{_vector(y)}",
        f"HiGHS 给出的对偶值（取反）：{_vector(-highs.ineqlin.marginals)}",
        f"互补松弛：松弛量 {_vector(slack)}，"
        f"对偶约束的剩余 Aᵀy − c = {_vector(reduced)}",
        f"把 b₁ 从 12 加到 13：z* 变为 {fmt_number(bumped.fun)}，"
        f"增加 {fmt_number(bumped.fun - primal.fun)}，正是 y₁",
    ])


def plot_degenerate_vertex():
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon

    c, A_ub, b_ub = degenerate_problem()
    res = simplex(c, A_ub, b_ub, maximize=True, rule="bland", record=True)
    path = np.array([t.basic_solution()[:2] for t in res.tableaus])
    fig, ax = plt.subplots(figsize=(5.6, 4.6))
    ax.add_patch(Polygon([[0, 0], [2, 0], [2, 2], [0, 2]], closed=True,
                         facecolor="C0", alpha=0.18, edgecolor="C0",
                         linewidth=1.5, label="可行域"))
    t = np.linspace(-0.5, 4.5, 2)
    ax.plot(t, 4 - t, color="C1", linewidth=1.2, label="x₁ + x₂ = 4")
    ax.plot([2, 2], [-0.5, 4.5], color="C2", linewidth=1.2, label="x₁ = 2")
    ax.plot([-0.5, 4.5], [2, 2], color="C4", linewidth=1.2, label="x₂ = 2")
    for p, q in zip(path[:-1], path[1:]):
        if np.allclose(p, q):
            continue  # a degenerate pivot: the basis changes, the point stays
        ax.annotate("", q, p, arrowprops=dict(arrowstyle="->", color="C3",
                                              linewidth=2.2))
    ax.plot(2, 2, "o", color="C3", markersize=9, label="退化顶点 (2, 2)")
    ax.annotate("三条约束在此同时取等号", (2, 2), textcoords="offset points",
                xytext=(10, 10), fontsize=8)
    ax.set_xlim(-0.5, 4.5)
    ax.set_ylim(-0.5, 4.5)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title("退化顶点：两个变量，三条约束交于一点")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig


def show_degenerate_bases():
    """Every basis of [A | I] whose basic solution is feasible, and its point:
    three of them name the one vertex (2, 2)."""
    from itertools import combinations

    c, A_ub, b_ub = degenerate_problem()
    m, n = A_ub.shape
    full = np.hstack([A_ub, np.eye(m)])
    names = [f"x{j + 1}" for j in range(n)] + [f"s{i + 1}" for i in range(m)]
    lines = []
    for basis in combinations(range(n + m), m):
        B = full[:, basis]
        if abs(np.linalg.det(B)) < 1e-12:
            continue
        values = np.linalg.solve(B, b_ub)
        if (values < -1e-12).any():
            continue
        point = np.zeros(n + m)
        point[list(basis)] = values
        zero = [names[j] for j, v in zip(basis, values) if abs(v) < 1e-12]
        lines.append(f"基 {{{', '.join(names[j] for j in basis)}}}："
                     f"点 {_vector(point[:n])}"
                     + (f"，取值为 0 的基变量 {', '.join(zero)}" if zero else ""))
    return "\n".join(lines)
