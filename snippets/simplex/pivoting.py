"""One phase of the simplex method: the pivot, the pricing rules that pick
the entering column, the ratio test that picks the leaving row, the loop of
one phase, and the guard that keeps Bland's rule from cycling in floating
point.
"""

from __future__ import annotations

import numpy as np

from snippets.simplex.tableau import (FEAS_TOL, PIVOT_TOL, TIE_PIVOT,
                                      ZERO_TOL, Tableau)

# "dantzig" 即最大系数规则（largest-coefficient rule）
RULES = ("bland", "dantzig")
# other names readers use for the same two pricing rules
RULE_ALIASES = {"largest": "dantzig", "largest_coefficient": "dantzig",
                "largest-coefficient": "dantzig", "smallest_index": "bland",
                "smallest-index": "bland"}


def _rule_name(rule):
    """The canonical name of a pricing rule ("bland" or "dantzig")."""
    if not isinstance(rule, str):
        raise TypeError(f"rule must be a string ('bland' or 'dantzig'), "
                        f"got {rule!r}")
    rule = RULE_ALIASES.get(rule, rule)
    if rule not in RULES:
        raise ValueError("rule must be 'bland' (smallest-index rule) or "
                         f"'dantzig' (largest-coefficient rule), got {rule!r}")
    return rule


# --8<-- [start:pivot]
def pivot(T, r, j):
    """Gauss-Jordan pivot on T[r, j], in place: column j becomes e_r."""
    T[r] /= T[r, j]
    col = T[:, j].copy()
    col[r] = 0.0
    T -= np.outer(col, T[r])
    T[:, j] = 0.0  # 消去舍入误差：基变量的列恰好是单位向量
    T[r, j] = 1.0
# --8<-- [end:pivot]


# --8<-- [start:choose]
def choose_entering(d, rule, tol=ZERO_TOL):
    """Column with a negative reduced cost, or None when optimal.
    tol: what counts as 0 in each column (a number or one per column)."""
    rule = _rule_name(rule)
    candidates = np.flatnonzero(d < -tol)
    if candidates.size == 0:
        return None
    if rule == "bland":
        return int(candidates[0])  # 下标最小的那一个
    # 最大系数规则：检验数最负的列（并列时取下标最小的）
    return int(candidates[np.argmin(d[candidates])])


def choose_leaving(T, basis, j, rule="bland", size=None):
    """Ratio test on column j; None when the column has no usable pivot.
    size[k]: the scale of variable k (None: the problem is not scaled)."""
    rule = _rule_name(rule)
    size = np.ones(T.shape[1] - 1) if size is None else size
    s = size[basis]  # 缩放后的第 j 列与右端：每行按其基变量的尺度度量
    col, rhs = T[:-1, j] * size[j] / s, T[:-1, -1] / s
    rhs = np.where(rhs > FEAS_TOL, rhs, 0.0)  # 近乎为 0 的右端算作退化
    rows = np.flatnonzero(col > ZERO_TOL)
    if rows.size == 0:
        return None  # 沿这一列可以无限前进：无界
    good = rows[col[rows] >= PIVOT_TOL * np.abs(col).max()]
    rows = good if good.size else rows  # 有别的选择时，不用太小的主元
    ratios = rhs[rows] / col[rows]
    if ratios.min() > 0:  # 非退化：Harris 比值检验
        # 允许各行低于 0 至多 FEAS_TOL 时的最大步长；不超过它的行里取最大主元
        theta = np.min((rhs[rows] + FEAS_TOL) / col[rows])
        ties = rows[ratios <= theta]
        return int(ties[np.argmax(col[ties])])
    ties = rows[ratios == 0]  # 退化：步长为 0 的各行并列
    if rule == "dantzig":  # 最大系数规则：不用比最大主元小太多的行
        ties = ties[col[ties] >= TIE_PIVOT * col[ties].max()]
    # 让下标最小的基变量出基（Bland 规则的另一半，保证不循环）
    return int(min(ties, key=lambda i: basis[i]))
# --8<-- [end:choose]


# --8<-- [start:run_phase]
def run_phase(T, basis, rule, budget, record, phase, names, size=None,
              cost_size=1.0):
    """Pivot until optimal or unbounded; returns (status, pivots), status
    "numerical_difficulties" if the tableau overflows.  record: a list that
    receives every tableau, or None.  size[k]: the scale of column k,
    cost_size: that of the costs (see column_sizes)."""
    size = np.ones(T.shape[1] - 1) if size is None else size
    d_tol = ZERO_TOL * cost_size / size  # 每列检验数的容差
    # Bland 规则在精确算术下不会循环；舍入误差若让基重复出现，就扰动右端
    guard = CycleGuard(size) if _rule_name(rule) == "bland" else None
    pivots = 0
    while True:
        if guard is not None:
            guard.check(T, basis)
        j = choose_entering(T[-1, :-1], rule, d_tol)
        r = None if j is None else choose_leaving(T, basis, j, rule, size)
        if record is not None:
            record.append(Tableau(phase, T.copy(), tuple(basis), names, j, r))
        if j is None:
            return "optimal", pivots
        if r is None:
            return "unbounded", pivots
        if pivots >= budget:
            return "iteration_limit", pivots
        if T[r, -1] <= FEAS_TOL * size[basis[r]]:  # 退化的一步：步长恰为 0
            T[r, -1] = 0.0
        pivot(T, r, j)
        basis[r] = j
        pivots += 1
        if not np.isfinite(T[[r, -1]]).all():  # 溢出：这张表已不可信
            return "numerical_difficulties", pivots
# --8<-- [end:run_phase]


class CycleGuard:
    """Keeps Bland's rule from cycling in floating point.

    In exact arithmetic Bland's rule never returns to a basis.  With
    rounding, the signs of entries that should be 0 can disagree from one
    tableau to the next, and on nearly singular bases the rule can cycle
    through degenerate pivots.  The guard remembers the bases seen since the
    objective value last changed; when one comes back, it perturbs the
    degenerate rows (a right-hand side that is 0, to within FEAS_TOL, becomes
    a small positive number, different in each row), so that the following
    pivots make progress (the perturbation method of Charnes and Wolfe).
    Memory: one hash per degenerate pivot of the current stalled stretch.
    """

    def __init__(self, size):
        self.size = size
        self.value = None
        self.seen = set()
        self.perturbations = 0

    def check(self, T, basis):
        if T[-1, -1] != self.value:  # 目标值变了：不可能回到以前的基
            self.value = T[-1, -1]
            self.seen.clear()
        key = hash(tuple(sorted(basis)))
        if key not in self.seen:
            self.seen.add(key)
            return
        scale = FEAS_TOL * self.size[basis]
        rows = np.flatnonzero(T[:-1, -1] <= scale)
        T[rows, -1] = scale[rows] * (2.0 + rows / len(basis))
        self.perturbations += 1
        self.seen.clear()
