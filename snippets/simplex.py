"""单纯形法求解线性规划问题
文章：docs/blog/posts/2026-11-19-simplex-method.md

A dense-tableau simplex method for linear programs in the variables x >= 0:
minimise (or maximise) c.x subject to A_ub x <= b_ub and A_eq x = b_eq.
Rows with a negative right-hand side are flipped; >= and = rows get
artificial variables and are handled by the two-phase method.  Entering
variables are chosen by Bland's rule or by Dantzig's largest-coefficient
rule; the leaving variable by the ratio test.

Numerics.  The tableau is kept in the units of the problem as stated (the
article shows it), but every "is this zero?" decision is made in the units
of an equilibrated problem: rows and columns scaled by powers of two
(:func:`scale_factors`), so that the scaled tableau is the stated one with
row i divided by size[basis[i]] and column k multiplied by size[k], exactly.
Pivots must not be tiny against their (scaled) column; a step of positive
length uses Harris's two-pass ratio test (the largest pivot among the rows
that nearly tie), a degenerate step the smallest basic index (Bland), and a
guard perturbs the right-hand side if rounding makes Bland's rule revisit a
basis.  The final basis is checked against the original data before the
answer is reported: an optimum, an unbounded ray or an infeasibility
certificate that does not hold within its tolerance is reported as
"numerical_difficulties", never as a result.

Tableaus are recorded only with ``record=True`` (the article's demos);
otherwise memory stays that of one tableau.  The ``show_*``/``plot_*``
functions build the article's tables and figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from snippets._precision import bound
from snippets._checks import flag, integer

# "dantzig" 即最大系数规则（largest-coefficient rule）
RULES = ("bland", "dantzig")
# other names readers use for the same two pricing rules
RULE_ALIASES = {"largest": "dantzig", "largest_coefficient": "dantzig",
                "largest-coefficient": "dantzig", "smallest_index": "bland",
                "smallest-index": "bland"}
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


def _as_float_array(value, name, ndim):
    try:
        raw = np.asarray(value)
        if raw.dtype.kind in "bUSc":  # True/False、字符串、复数都不是实数
            raise TypeError(f"got an array of dtype {raw.dtype}")
        arr = np.array(raw, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of real numbers: {exc}") from None
    if arr.ndim != ndim:
        kind = "a 1-D vector" if ndim == 1 else "a 2-D matrix"
        raise ValueError(f"{name} must be {kind}, got an array of shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values (nan or inf)")
    return arr


def _constraints(A, b, n, name_a, name_b):
    if (A is None) != (b is None):
        raise ValueError(f"{name_a} and {name_b} must be given together")
    if A is None:
        return np.zeros((0, n)), np.zeros(0)
    A = _as_float_array(A, name_a, 2)
    b = _as_float_array(b, name_b, 1)
    if A.shape[1] != n:
        raise ValueError(f"{name_a} has {A.shape[1]} columns but c has {n} "
                         "entries (one column per variable)")
    if A.shape[0] != b.shape[0]:
        raise ValueError(f"{name_a} has {A.shape[0]} rows but {name_b} has "
                         f"{b.shape[0]} entries (one per constraint)")
    return A, b


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


def _validate(c, A_ub, b_ub, A_eq, b_eq, maximize, rule, max_iter, record):
    c = _as_float_array(c, "c", 1)
    if c.size == 0:
        raise ValueError("c must have at least one entry (one per variable)")
    A_ub, b_ub = _constraints(A_ub, b_ub, c.size, "A_ub", "b_ub")
    A_eq, b_eq = _constraints(A_eq, b_eq, c.size, "A_eq", "b_eq")
    maximize = flag(maximize, "maximize")
    record = flag(record, "record")
    rule = _rule_name(rule)
    max_iter = integer(max_iter, "max_iter", 0)
    return c, A_ub, b_ub, A_eq, b_eq, maximize, rule, max_iter, record


# --8<-- [start:scale]
def scale_factors(A):
    """Powers of two r (rows) and t (columns) that equilibrate A: the
    nonzero entries of r[:, None] * A * t get magnitudes near 1.

    Geometric-mean scaling: each pass divides every row, then every
    column, by a power of two near the geometric mean of its largest and
    smallest nonzero entry.  It works on the binary exponents of the
    entries, in integers, so the factors are the same on every machine, and
    multiplying by powers of two is exact.  A matrix whose nonzero entries
    all lie in [0.1, 10] is left alone (as GLPK does).
    """
    mag = np.abs(A)
    nonzero = mag > 0
    r, t = np.zeros(A.shape[0], int), np.zeros(A.shape[1], int)
    if not nonzero.any() or (mag[nonzero].min() >= 0.1
                             and mag[nonzero].max() <= 10):
        return np.ones(A.shape[0]), np.ones(A.shape[1])
    e = np.frexp(mag)[1] - 1  # 2**e <= |a| < 2**(e + 1)：整数，精确
    for _ in range(SCALE_PASSES):
        for axis, f in ((1, r), (0, t)):
            L = e + r[:, None] + t
            hi = np.where(nonzero, L, np.iinfo(int).min).max(axis=axis)
            lo = np.where(nonzero, L, np.iinfo(int).max).min(axis=axis)
            empty = ~nonzero.any(axis=axis)
            f -= np.where(empty, 0, (hi + lo) // 2)
    return np.ldexp(1.0, r), np.ldexp(1.0, t)
# --8<-- [end:scale]


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


def column_sizes(A, m_ub, art_rows):
    """Scales for the tableau of the standard form [A | slacks] x = b.

    Returns (size, row): row holds the row factors of scale_factors(A) and
    size[k] the scale of tableau column k (structural columns, then slacks,
    then artificials): in the scaled problem, variable k is x[k] / size[k].
    A slack or artificial variable of row i has size 1 / row[i], so that its
    coefficient stays 1 when row i is multiplied by row[i].
    """
    row, col = scale_factors(A)
    return np.concatenate([col, 1 / row[:m_ub], 1 / row[art_rows]]), row


# --8<-- [start:simplex]
@np.errstate(over="ignore", invalid="ignore")  # 溢出由 run_phase 报告
def simplex(c, A_ub=None, b_ub=None, A_eq=None, b_eq=None, maximize=False,
            rule="bland", max_iter=10_000, *, record=False) -> LPResult:
    """Two-phase tableau simplex for min/max c.x, A_ub x <= b_ub,
    A_eq x = b_eq, x >= 0.  rule: "bland" or "dantzig".
    record=True keeps every tableau in the result's ``tableaus``."""
    c, A_ub, b_ub, A_eq, b_eq, maximize, rule, max_iter, record = _validate(
        c, A_ub, b_ub, A_eq, b_eq, maximize, rule, max_iter, record)
    n, m_ub = c.size, len(b_ub)
    m = m_ub + len(b_eq)
    # 标准形：每个不等式加一个松弛变量 s_i，右端为负的行整行乘 -1
    A = np.zeros((m, n + m_ub))
    A[:m_ub, :n], A[m_ub:, :n] = A_ub, A_eq
    A[:m_ub, n:] = np.eye(m_ub)
    A[np.abs(A) <= SMALL_ENTRY] = 0.0  # 与 HiGHS 相同：极小的系数当作 0
    b = np.concatenate([b_ub, b_eq])
    flip = b < 0
    A[flip], b[flip] = -A[flip], -b[flip]
    # 系数为 +1 的松弛变量可以直接当初始基，其余行需要人工变量
    slack_ok = np.zeros(m, bool)
    slack_ok[:m_ub] = ~flip[:m_ub]
    art_rows = np.flatnonzero(~slack_ok)
    k = n + m_ub + len(art_rows)  # 列数（不含右端）
    names = tuple([f"x{i + 1}" for i in range(n)]
                  + [f"s{i + 1}" for i in range(m_ub)]
                  + [f"a{i + 1}" for i in range(len(art_rows))])
    T = np.zeros((m + 1, k + 1))
    T[:m, :n + m_ub], T[:m, -1] = A, b
    basis = [n + i for i in range(m)]
    for a, i in enumerate(art_rows):
        T[i, n + m_ub + a] = 1.0
        basis[i] = n + m_ub + a
    # 各列的尺度（2 的幂）：只用来判断一个数算不算 0，表本身不缩放
    size, row = column_sizes(A[:, :n], m_ub, art_rows)
    check = _Checker(A, b, row, size[:n + m_ub])
    tableaus = [] if record else None
    nit = 0

    if len(art_rows):  # 第一阶段：最小化人工变量之和 w（各行按缩放加权）
        T[-1, n + m_ub:-1] = row[art_rows]
        T[-1] -= (row[art_rows, None] * T[art_rows]).sum(axis=0)
        status, nit = run_phase(T, basis, rule, max_iter, tableaus, 1,
                                names, size)
        w = -T[-1, -1]  # 第一阶段的最优值（缩放后的人工变量之和）
        if status == "unbounded" or (status == "optimal"
                                     and w > FEAS_TOL * check.b_size):
            status = check.infeasible(basis, art_rows, w)  # 用对偶验证
        if status != "optimal":
            return LPResult(None, None, status, nit, tableaus or [])
        T, basis = drive_out_artificials(T, basis, n + m_ub, tableaus,
                                         names, size)
        T = np.delete(T, np.s_[n + m_ub:-1], axis=1)
        names = names[:n + m_ub]

    # 第二阶段：目标行 = 代价 − c_B·(表中各行)，右端是 −(当前目标值)
    cost = np.zeros(n + m_ub + 1)
    cost[:n] = -c if maximize else c  # 求最大值就最小化 −c·x
    T[-1] = cost - cost[basis] @ T[:-1]
    size = size[:n + m_ub]
    status, it = run_phase(T, basis, rule, max_iter - nit, tableaus, 2,
                           names, size, np.abs(cost[:-1] * size).max())
    # 用原始数据检验答案（缩放后的残差）；通不过就不报告这个答案
    status, x = check.phase_two(status, T, basis, cost[:-1])
    x = None if x is None else x[:n]
    fun = float(c @ x) if status == "optimal" else None
    return LPResult(x, fun, status, nit + it, tableaus or [])
# --8<-- [end:simplex]


# --8<-- [start:drive_out]
def drive_out_artificials(T, basis, n_real, record, names, size=None):
    """After a feasible phase 1, pivot artificial variables (all at zero)
    out of the basis; a row with no usable pivot is redundant: drop it."""
    size = np.ones(T.shape[1] - 1) if size is None else size
    r = 0
    while r < len(basis):
        if basis[r] < n_real:
            r += 1
            continue
        # 缩放后的这一行（右端为 0）
        row = T[r, :n_real] * size[:n_real] / size[basis[r]]
        j = int(np.argmax(np.abs(row)))
        if abs(row[j]) <= ZERO_TOL:  # 这个等式是其他等式的线性组合
            T = np.delete(T, r, axis=0)
            del basis[r]
            continue
        if record is not None:
            record.append(Tableau(1, T.copy(), tuple(basis), names, j, r))
        pivot(T, r, j)  # 右端为 0，主元为负也不破坏可行性
        basis[r] = j
        r += 1
    if record and (len(basis) < len(record[-1].basis)
                   or record[-1].entering is not None):
        record.append(Tableau(1, T.copy(), tuple(basis), names))
    return T, basis
# --8<-- [end:drive_out]


class _Checker:
    """Checks the final basis against the original data, in scaled units.

    ``A``, ``b``: the standard form (rows flipped so that b >= 0, slack
    columns included); ``row``, ``size`` from column_sizes.  The scaled
    problem is S xs = bs, S = row A size, bs = row b, xs = x / size.  The
    basic solution, the duals and the direction of an unbounded ray are
    computed afresh from S and the final basis (not read off the tableau,
    whose entries carry the rounding errors of every pivot), then checked
    with tolerances that add, to the solver's own, a bound on the rounding
    error of this last computation.
    """

    def __init__(self, A, b, row, size):
        self.S = row[:, None] * A * size
        self.bs = row * b
        self.size = size
        self.b_size = max(1.0, np.abs(self.bs).max(initial=0.0))

    @staticmethod
    def _solve(M, rhs):
        """M z = rhs: LU with one step of iterative refinement (least
        squares when rows were dropped as redundant)."""
        if M.shape[1] == 0:
            return np.zeros(0)

        def solve(v):
            if M.shape[0] == M.shape[1]:
                try:
                    return np.linalg.solve(M, v)
                except np.linalg.LinAlgError:
                    pass
            return np.linalg.lstsq(M, v, rcond=None)[0]

        z = solve(rhs)
        return z + solve(rhs - M @ z)

    def infeasible(self, basis, art_rows, w):
        """"infeasible" when the phase-1 duals y prove it (Farkas: S^T y <= 0
        and bs.y > 0), else "numerical_difficulties"."""
        S = self.S
        m, k = S.shape
        art = np.zeros((m, len(art_rows)))
        art[art_rows, np.arange(len(art_rows))] = 1.0
        M = np.hstack([S, art])
        cost = np.concatenate([np.zeros(k), np.ones(len(art_rows))])
        y = self._solve(M[:, basis].T, cost[basis])
        norm = np.abs(y).max(initial=0.0)
        if not (w > FEAS_TOL * self.b_size and norm > 0):
            return "numerical_difficulties"
        y = y / norm
        proof = (np.all(S.T @ y <= CHECK_TOL * (1.0 + np.abs(S).T @ np.abs(y)))
                 and self.bs @ y > FEAS_TOL * self.b_size)
        return "infeasible" if proof else "numerical_difficulties"

    def phase_two(self, status, T, basis, cost):
        """(status, x) after phase 2; x in the problem's units, or None."""
        if status == "numerical_difficulties":
            return status, None
        if status == "iteration_limit":
            values = np.zeros(T.shape[1] - 1)
            values[basis] = T[:-1, -1]
            return status, values
        S, bs, absS = self.S, self.bs, np.abs(self.S)
        B = S[:, basis]
        Binv = np.abs(np.linalg.pinv(B)) if len(basis) else B.T
        # 基本解：B x_B = b；误差界 ROUNDING |B^-1| (|B| |x_B| + |b|)
        xs = np.zeros(S.shape[1])
        xs[basis] = self._solve(B, bs)
        x_err = ROUNDING * Binv @ (np.abs(B) @ xs[basis] + np.abs(bs))
        if (np.any(xs[basis] < -(10 * FEAS_TOL + x_err))
                or np.any(np.abs(S @ xs - bs)  # 删去的“冗余”等式要成立
                          > CHECK_TOL * (1.0 + absS @ np.abs(xs) + np.abs(bs)))):
            return "numerical_difficulties", None
        # 对偶：B^T y = c_B，检验数 d = c - S^T y
        cs = cost * self.size
        cs = cs / max(np.abs(cs).max(), np.finfo(float).tiny)
        y = self._solve(B.T, cs[basis])
        d = cs - S.T @ y
        y_err = ROUNDING * Binv.T @ (np.abs(B).T @ np.abs(y) + np.abs(cs[basis]))
        d_tol = (10 * ZERO_TOL + ROUNDING * absS.T @ np.abs(y)
                 + absS.T @ y_err)
        if status == "unbounded":
            # 检验数为负的列 j，若 B^-1 a_j 没有正分量，x + t (e_j - B^-1 a_j)
            # 对所有 t >= 0 都可行，目标值无限下降
            for j in np.flatnonzero(d < -d_tol):
                w = self._solve(B, S[:, j])
                w_err = ROUNDING * Binv @ (np.abs(B) @ np.abs(w)
                                           + np.abs(S[:, j]))
                if np.all(w <= ZERO_TOL + w_err):  # 正分量只能是舍入误差
                    return status, xs * self.size
            return "numerical_difficulties", None
        gap = cs @ xs - bs @ y  # 对偶间隙
        if np.all(d >= -d_tol) and abs(gap) <= CHECK_TOL * (
                1.0 + np.abs(cs) @ np.abs(xs) + np.abs(bs) @ np.abs(y)):
            return status, xs * self.size
        return "numerical_difficulties", None


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


# ---------------------------------------------------------------------------
# Demos shown in the article
# ---------------------------------------------------------------------------

_HIGHS_STATUS = {0: "optimal", 1: "iteration_limit", 2: "infeasible",
                 3: "unbounded", 4: "numerical_difficulties"}


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


def compare_with_linprog(n_problems=300, seed=0):
    """Solve random LPs with both solvers; one row per problem."""
    from scipy.optimize import linprog

    n_problems = integer(n_problems, "n_problems", 0)
    seed = integer(seed, "seed", 0)
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_problems):
        kind = "integer" if i % 2 else "normal"
        n = int(rng.integers(2, MAX_SIZES[0] + 1))
        m_ub = int(rng.integers(0, MAX_SIZES[1] + 1))
        m_eq = int(rng.integers(0, MAX_SIZES[2] + 1))
        c, A_ub, b_ub, A_eq, b_eq = random_problem(rng, kind, n, m_ub, m_eq)
        ours = simplex(c, A_ub, b_ub, A_eq, b_eq)
        ref = linprog(c, A_ub=A_ub if m_ub else None,
                      b_ub=b_ub if m_ub else None,
                      A_eq=A_eq if m_eq else None,
                      b_eq=b_eq if m_eq else None, method="highs")
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
