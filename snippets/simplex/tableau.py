"""The records of the simplex method and its numerical tolerances.

``Tableau`` is one recorded tableau, ``LPResult`` what ``simplex`` returns,
``find_cycle`` finds the first basis that repeats in a recorded run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

STATUSES = ("optimal", "infeasible", "unbounded", "iteration_limit",
            "numerical_difficulties")
SMALL_ENTRY = 1e-9  # |系数| 不超过它就当作 0（HiGHS 的 small_matrix_value）
# 下面的容差都以缩放后的问题为单位（见 scale_factors）
ZERO_TOL = 1e-9  # 检验数、主元：绝对值小于它（相对于其尺度）的数按 0 处理
PIVOT_TOL = 1e-7  # 主元至少是所在列（缩放后）最大元素的这么多倍
FEAS_TOL = 1e-9  # 可行性容差：右端允许的负值、第一阶段目标值
TIE_PIVOT = 0.1  # 最大系数规则：退化并列的行中，主元不小于最大者的这么多倍
CHECK_TOL = 1e-7  # 最终检验：缩放后的残差超过它，就不报告最优解
ROUNDING = 1e3 * np.finfo(float).eps  # 重新求解一次的舍入误差界（的倍数）
SCALE_PASSES = 8  # 几何平均缩放的轮数


@dataclass(frozen=True)
class Tableau:
    """One simplex tableau.

    ``table`` has one row per constraint and a last objective row; its last
    column is the right-hand side.  The objective row holds the reduced costs
    of the minimisation being solved (phase 1: a positive combination of the
    artificial variables, their plain sum unless the problem was scaled;
    phase 2: c.x, or -c.x when maximising) and, in its last column, minus
    that objective's current value.  ``entering`` (a column) and ``leaving``
    (a row) describe the pivot made from this tableau; both are None for the
    last tableau of a phase.
    """

    phase: int
    table: np.ndarray
    basis: tuple[int, ...]
    names: tuple[str, ...]
    entering: int | None = None
    leaving: int | None = None

    @property
    def basis_names(self) -> tuple[str, ...]:
        return tuple(self.names[j] for j in self.basis)

    def basic_solution(self) -> np.ndarray:
        """Values of all tableau columns at this basic solution."""
        values = np.zeros(len(self.names))
        values[list(self.basis)] = self.table[:-1, -1]
        return values


@dataclass
class LPResult:
    """Result of :func:`simplex`.

    ``x`` is the solution when ``status == "optimal"``; for "unbounded" and
    for "iteration_limit" in phase 2 it is the last basic feasible solution
    visited, otherwise None.  ``fun`` is c.x at the optimum (the maximum when
    maximising) and None unless optimal.  ``nit`` counts the pivots chosen by
    the pricing rule in both phases (bookkeeping pivots that drive
    artificial variables out of the basis are not counted).  ``tableaus``
    holds every tableau when the solver was called with ``record=True`` and
    is empty otherwise.  "numerical_difficulties" means the method finished
    but its answer failed the check against the original data.
    """

    x: np.ndarray | None
    fun: float | None
    status: str
    nit: int
    tableaus: list[Tableau] = field(default_factory=list, repr=False)


def find_cycle(tableaus, phase=None):
    """First basis that repeats: (first_index, period), or None.

    Indices refer to ``tableaus`` (restricted to ``phase`` when given).
    """
    if phase is not None and (isinstance(phase, (bool, np.bool_))
                              or phase not in (1, 2)):
        kind = ValueError if isinstance(phase, (int, np.integer)) and \
            not isinstance(phase, (bool, np.bool_)) else TypeError
        raise kind(f"phase must be None, 1 or 2, got {phase!r}")
    seen = {}
    for i, tab in enumerate(t for t in tableaus
                            if phase is None or t.phase == phase):
        key = (tab.phase, frozenset(tab.basis))
        if key in seen:
            return seen[key], i - seen[key]
        seen[key] = i
    return None
