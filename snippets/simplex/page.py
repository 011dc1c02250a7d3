"""The demos the simplex post executes: the worked example's tableaus and
figure, Beale's cycle, the two-phase example, infeasible and unbounded
problems, the badly scaled problem and the comparison with HiGHS.

They use the public API only (``snippets.simplex`` and its ``data``).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from snippets._checks import flag
from snippets._precision import bound
from snippets.simplex import (RULES, STATUSES, ZERO_TOL, Tableau, find_cycle,
                              simplex)
from snippets.simplex.data import (FEASIBLE_SHARE, MAX_SIZES, beale_problem,
                                   example_problem, random_problems,
                                   scaled_transport_problem, two_phase_problem)

_HIGHS_STATUS = {0: "optimal", 1: "iteration_limit", 2: "infeasible",
                 3: "unbounded", 4: "numerical_difficulties"}


def fmt_number(v):
    """Exact-looking fractions (3/2) when the value is one, else 4 decimals."""
    if abs(v) < 1e-12:
        return "0"
    q = Fraction(v).limit_denominator(1000)
    if abs(float(q) - v) < 1e-9:
        return str(q)
    return f"{v:.4f}"


def tableau_frame(tab: Tableau, ratios=True):
    """A tableau as a table: basic variables as rows, the pivot in [ ]."""
    ratios = flag(ratios, "ratios")
    T = tab.table
    obj = "w 行" if tab.phase == 1 else "目标行"
    rows = list(tab.basis_names) + [obj]
    cells = [[fmt_number(v) for v in row] for row in T]
    if tab.entering is not None and tab.leaving is not None:
        r, j = tab.leaving, tab.entering
        cells[r][j] = f"[{cells[r][j]}]"
    df = pd.DataFrame(cells, columns=list(tab.names) + ["右端"])
    if ratios and tab.entering is not None:
        col = T[:-1, tab.entering]
        df["比值"] = [fmt_number(T[i, -1] / a) if a > ZERO_TOL else "—"
                    for i, a in enumerate(col)] + [""]
    df.insert(0, "基变量", rows)
    return df.set_index("基变量")


def _describe_pivot(tab: Tableau):
    j, r = tab.entering, tab.leaving
    d = tab.table[-1, j]
    ratio = tab.table[r, -1] / tab.table[r, j]
    return (f"进基：{tab.names[j]}（检验数 {fmt_number(d)}）；"
            f"出基：{tab.names[tab.basis[r]]}（最小比值 {fmt_number(ratio)}）；"
            f"主元 {fmt_number(tab.table[r, j])}")


def _describe_state(tab: Tableau, n, maximize):
    x = tab.basic_solution()[:n]
    value = -tab.table[-1, -1]
    value = -value if maximize else value
    point = ", ".join(fmt_number(v) for v in x)
    return f"当前基本可行解 x = ({point})，目标值 {fmt_number(value)}"


def _example_tableau(i):
    from docexec import Markdown

    c, A_ub, b_ub = example_problem()
    res = simplex(c, A_ub, b_ub, maximize=True, record=True)
    tab = res.tableaus[i]
    lines = [_describe_state(tab, 2, True)]
    if tab.entering is not None:
        lines.append(_describe_pivot(tab))
    else:
        lines.append("目标行没有负的检验数：已是最优表")
    return Markdown("；<br>".join(lines) + "\n\n"
                    + _frame_to_markdown(tableau_frame(tab)))


def show_example_tableau_0():
    return _example_tableau(0)


def show_example_tableau_1():
    return _example_tableau(1)


def show_example_tableau_2():
    return _example_tableau(2)


def show_example_result():
    from scipy.optimize import linprog

    c, A_ub, b_ub = example_problem()
    rows = []
    for rule in RULES:
        res = simplex(c, A_ub, b_ub, maximize=True, rule=rule)
        rows.append({"方法": f"simplex, {rule}", "状态": res.status,
                     "nit": res.nit, "x1": f"{res.x[0]:.8f}",
                     "x2": f"{res.x[1]:.8f}", "最大值 z": f"{res.fun:.8f}"})
    ref = linprog(-c, A_ub=A_ub, b_ub=b_ub, method="highs")
    rows.append({"方法": "linprog, highs", "状态": _HIGHS_STATUS[ref.status],
                 "nit": ref.nit, "x1": f"{ref.x[0]:.8f}",
                 "x2": f"{ref.x[1]:.8f}", "最大值 z": f"{-ref.fun:.8f}"})
    return pd.DataFrame(rows).set_index("方法")


def plot_example():
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon

    c, A_ub, b_ub = example_problem()
    res = simplex(c, A_ub, b_ub, maximize=True, record=True)
    path = np.array([t.basic_solution()[:2] for t in res.tableaus])
    vertices = np.array([[0, 0], [6, 0], [5, 2], [0, 4.5]])

    fig, ax = plt.subplots(figsize=(6.4, 5.0))
    ax.add_patch(Polygon(vertices, closed=True, facecolor="C0", alpha=0.18,
                         edgecolor="C0", linewidth=1.5, label="可行域"))
    t = np.linspace(-0.5, 9.5, 2)
    ax.plot(t, 12 - 2 * t, color="C1", linewidth=1,
            label="2x₁ + x₂ = 12")
    ax.plot(t, (9 - t) / 2, color="C2", linewidth=1,
            label="x₁ + 2x₂ = 9")
    for z in (2, 4, 6, 7, 8):
        ax.plot(t, z - t, linestyle=":", color="C7", linewidth=1)
        # 等值线的标注放在横轴下方，避开顶点的标注
        ax.annotate(f"z={z}", (z + 0.42, -0.42), fontsize=8, color="C7",
                    ha="left", va="bottom")
    for v in vertices:
        ax.plot(*v, "o", color="C0", markersize=5)
        ax.annotate(f"({fmt_number(v[0])}, {fmt_number(v[1])})\n"
                    f"z = {fmt_number(v.sum())}", v,
                    textcoords="offset points", xytext=(6, 6), fontsize=8)
    for p, q in zip(path[:-1], path[1:]):
        ax.annotate("", q, p, arrowprops=dict(arrowstyle="->", color="C3",
                                              linewidth=2.2))
    ax.plot(*path[-1], "*", color="C3", markersize=16, label="最优点")
    ax.annotate("", (2.0, 6.0), (1.2, 5.2),
                arrowprops=dict(arrowstyle="->", color="C7"))
    ax.annotate("z 增大的方向", (2.1, 5.95), fontsize=8, color="C7")
    ax.plot([], [], color="C3", linewidth=2.2, label="单纯形法的路径")
    ax.set_xlim(-0.5, 9.0)
    ax.set_ylim(-0.5, 6.5)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_aspect("equal")
    ax.set_title("max z = x₁ + x₂ 的可行域与单纯形法路径")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig


def _pivot_log(tableaus, phase=None, objective_sign=1.0, limit=None):
    rows = []
    for k, tab in enumerate(t for t in tableaus
                            if phase is None or t.phase == phase):
        if limit is not None and k >= limit:
            break
        j, r = tab.entering, tab.leaving
        rows.append({
            "表": k,
            "基": ", ".join(sorted(tab.basis_names, key=_name_key)),
            "进基": "" if j is None else tab.names[j],
            "出基": "" if r is None else tab.names[tab.basis[r]],
            "目标值": f"{-objective_sign * tab.table[-1, -1] + 0.0:.4f}",
        })
    return pd.DataFrame(rows).set_index("表")


def _name_key(name):
    return ("xsa".index(name[0]), int(name[1:]))


def show_beale_dantzig():
    c, A_ub, b_ub = beale_problem()
    res = simplex(c, A_ub, b_ub, rule="dantzig", max_iter=60, record=True)
    start, period = find_cycle(res.tableaus)
    print(f"表 {start} 与表 {start + period} 的基相同：周期为 {period} 的循环；"
          f"max_iter=60 用完，status = {res.status!r}")
    return _pivot_log(res.tableaus, limit=start + period + 1)


def show_beale_bland():
    c, A_ub, b_ub = beale_problem()
    res = simplex(c, A_ub, b_ub, rule="bland", record=True)
    print(f"status = {res.status!r}，nit = {res.nit}，"
          f"x = {[fmt_number(v) for v in res.x]}，最小值 = {fmt_number(res.fun)}")
    return _pivot_log(res.tableaus)


def show_beale_summary():
    from scipy.optimize import linprog

    c, A_ub, b_ub = beale_problem()
    rows = []
    for rule in RULES:
        # 默认 max_iter=10_000
        res = simplex(c, A_ub, b_ub, rule=rule, record=True)
        cyc = find_cycle(res.tableaus)
        rows.append({
            "方法": f"simplex(rule={rule!r})", "status": res.status,
            "nit": res.nit,
            "最小值": "—" if res.fun is None else f"{res.fun:.10f}",
            "基的重复": "无" if cyc is None else
            f"表 {cyc[0]} = 表 {cyc[0] + cyc[1]}（周期 {cyc[1]}）"})
    ref = linprog(c, A_ub=A_ub, b_ub=b_ub, method="highs")
    rows.append({"方法": "linprog(method='highs')", "status": _HIGHS_STATUS[ref.status],
                 "nit": ref.nit, "最小值": f"{ref.fun:.10f}", "基的重复": "—"})
    return pd.DataFrame(rows).set_index("方法")


def tableau_text(tab: Tableau):
    """A tableau as aligned plain text (ASCII labels, pivot in [ ])."""
    df = tableau_frame(tab, ratios=False)
    labels = list(df.index[:-1]) + ["w" if tab.phase == 1 else "z"]
    header = ["basis"] + list(df.columns[:-1]) + ["rhs"]
    rows = [header] + [[lab] + list(r) for lab, r in zip(labels, df.values)]
    widths = [max(len(r[k]) for r in rows) for k in range(len(header))]
    return "\n".join("  ".join(cell.rjust(w) if k else cell.ljust(w)
                               for k, (cell, w) in enumerate(zip(r, widths)))
                     for r in rows)


def show_two_phase():
    c, A_ub, b_ub, A_eq, b_eq = two_phase_problem()
    res = simplex(c, A_ub, b_ub, A_eq, b_eq, record=True)
    parts, k = [], {1: 0, 2: 0}
    for tab in res.tableaus:
        k[tab.phase] += 1
        title = f"第{'一二'[tab.phase - 1]}阶段 · 表 {k[tab.phase]}"
        if tab.entering is not None:
            title += f"：{_describe_pivot(tab)}"
        parts.append(title + "\n" + tableau_text(tab))
    x = ", ".join(fmt_number(v) for v in res.x)
    parts.append(f"结果：status = {res.status!r}，x = ({x})，"
                 f"最小值 {fmt_number(res.fun)}，nit = {res.nit}")
    return "\n\n".join(parts)


def _frame_to_markdown(df):
    header = [df.index.name] + list(df.columns)
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] + ["---:"] * len(df.columns)) + "|"]
    for idx, row in df.iterrows():
        cells = [f"**{v}**" if v.startswith("[") else v for v in row]
        lines.append("| " + " | ".join([str(idx)] + cells) + " |")
    return "\n".join(lines)


def show_infeasible_unbounded():
    from scipy.optimize import linprog

    cases = {
        "x1 + x2 ≤ 2 且 x1 + x2 ≥ 3": dict(
            c=[1.0, 1.0], A_ub=[[1.0, 1.0], [-1.0, -1.0]], b_ub=[2.0, -3.0]),
        "max x1 + x2，x1 − x2 ≤ 1": dict(
            c=[1.0, 1.0], A_ub=[[1.0, -1.0]], b_ub=[1.0], maximize=True),
    }
    rows = []
    for label, kw in cases.items():
        res = simplex(**kw, record=True)
        last = res.tableaus[-1]
        if res.status == "infeasible":
            why = f"第一阶段最优值 w = {fmt_number(-last.table[-1, -1])} > 0"
        else:
            col = last.table[:-1, last.entering]
            why = (f"{last.names[last.entering]} 的检验数 "
                   f"{fmt_number(last.table[-1, last.entering])} < 0，"
                   f"该列 ({', '.join(fmt_number(v) for v in col)}) 无正元素")
        sign = -1.0 if kw.get("maximize") else 1.0
        ref = linprog(sign * np.asarray(kw["c"]), A_ub=kw["A_ub"],
                      b_ub=kw["b_ub"], method="highs")
        rows.append({"问题": label, "simplex": res.status, "判据": why,
                     "linprog": _HIGHS_STATUS[ref.status]})
    return pd.DataFrame(rows).set_index("问题")



def show_scaled_transport():
    from scipy.optimize import linprog

    (c, A, b), (c0, A0, b0) = scaled_transport_problem()
    ref = linprog(c0, A_eq=A0, b_eq=b0, method="highs")  # 原来单位下的问题
    nz = np.abs(A[A != 0])
    print(f"{len(b)} 个等式、{len(c)} 个变量；系数的绝对值从 {nz.min():.0e} "
          f"到 {nz.max():.0e}，费用从 {np.abs(c).min():.0e} "
          f"到 {np.abs(c).max():.0e}；原问题的最小值为 {ref.fun:g}")
    rows = []
    for rule in RULES:
        res = simplex(c, A_eq=A, b_eq=b, rule=rule)
        rows.append({"方法": f"simplex(rule={rule!r})", "status": res.status,
                     "nit": res.nit, "最小值": f"{res.fun:.6f}",
                     "与原问题最小值之差（相对）":
                         bound(abs(res.fun - ref.fun) / abs(ref.fun), 1e-12)})
    res = linprog(c, A_eq=A, b_eq=b, method="highs")
    rows.append({"方法": "linprog(method='highs')",
                 "status": _HIGHS_STATUS[res.status], "nit": res.nit,
                 "最小值": f"{res.fun:.6f}", "与原问题最小值之差（相对）":
                     bound(abs(res.fun - ref.fun) / abs(ref.fun), 1e-9)})
    return pd.DataFrame(rows).set_index("方法")



def compare_with_linprog(n_problems=300, seed=0):
    """Solve random LPs with both solvers; one row per problem."""
    from scipy.optimize import linprog

    rows = []
    for kind, c, A_ub, b_ub, A_eq, b_eq in random_problems(n_problems, seed):
        ours = simplex(c, A_ub, b_ub, A_eq, b_eq)
        ref = linprog(c, A_ub=A_ub if len(b_ub) else None,
                      b_ub=b_ub if len(b_ub) else None,
                      A_eq=A_eq if len(b_eq) else None,
                      b_eq=b_eq if len(b_eq) else None, method="highs")
        both = ours.status == "optimal" and ref.status == 0
        rows.append({"kind": kind, "status": ours.status,
                     "ref_status": _HIGHS_STATUS[ref.status],
                     "dfun": abs(ours.fun - ref.fun) if both else np.nan,
                     "nit": ours.nit})
    return pd.DataFrame(rows)


def show_comparison():
    df = compare_with_linprog()
    n, m_ub, m_eq = MAX_SIZES
    print(f"{len(df)} 个随机问题：变量 2–{n} 个，不等式 0–{m_ub} 个，"
          f"等式 0–{m_eq} 个；约 {FEASIBLE_SHARE:.0%} 的问题按构造可行")
    kinds = {"normal": "正态系数", "integer": "小整数系数"}
    out = []
    for kind, g in df.groupby("kind", sort=False):
        for status in STATUSES[:3]:
            s = g[g["ref_status"] == status]
            agree = int((s["status"] == status).sum())
            out.append({
                "系数": kinds[kind], "HiGHS 的结论": status,
                "问题数": len(s), "simplex 结论一致": agree,
                "最大 |Δ目标值|": bound(s["dfun"].max(), 1e-9)
                if status == "optimal" else "—",
                "平均 nit": f"{s['nit'].mean():.1f}",
            })
    return pd.DataFrame(out).set_index(["系数", "HiGHS 的结论"])
