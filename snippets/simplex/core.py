"""The two-phase tableau simplex method: ``simplex`` (input checks, the
standard form, phase 1, phase 2), ``drive_out_artificials`` and the check of
the final basis against the original data.
"""

from __future__ import annotations

import numpy as np

from snippets._checks import flag, integer
from snippets.simplex.pivoting import _rule_name, pivot, run_phase
from snippets.simplex.scaling import column_sizes
from snippets.simplex.tableau import (CHECK_TOL, FEAS_TOL, ROUNDING,
                                      SMALL_ENTRY, ZERO_TOL, LPResult, Tableau)


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
