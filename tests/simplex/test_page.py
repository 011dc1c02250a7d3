"""The page's helpers: number formatting, the tableau table (against the
first tableau of the worked example, derived by hand) and the comparison
with HiGHS (every row against HiGHS solved here).  What the demos print is
compared with the approved snapshots by the page tests."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from simplex.reference import FUN_TOL, reference

from snippets.simplex import simplex
from snippets.simplex.data import example_problem, random_problems
from snippets.simplex.page import (compare_with_linprog, fmt_number,
                                   tableau_frame, tableau_text)


def test_fmt_number():
    assert fmt_number(1.5) == "3/2"
    assert fmt_number(-1 / 25) == "-1/25"
    assert fmt_number(0.0) == "0" and fmt_number(-1e-15) == "0"
    assert fmt_number(np.pi) == "3.1416"
    assert Fraction(fmt_number(7.0)) == 7


def test_first_tableau_of_the_worked_example():
    """max x1 + x2, 2x1 + x2 <= 12, x1 + 2x2 <= 9: the slacks are basic,
    the objective row is -c, x1 enters (tie broken by index) and the ratio
    test picks s1 (12/2 = 6 < 9/1 = 9)."""
    c, A, b = example_problem()
    first = simplex(c, A, b, maximize=True, record=True).tableaus[0]
    df = tableau_frame(first)
    assert list(df.index) == ["s1", "s2", "目标行"]
    assert list(df.columns) == ["x1", "x2", "s1", "s2", "右端", "比值"]
    assert df.values.tolist() == [["[2]", "1", "1", "0", "12", "6"],
                                  ["1", "2", "0", "1", "9", "9"],
                                  ["-1", "-1", "0", "0", "0", ""]]
    assert [line.split() for line in tableau_text(first).splitlines()] == [
        ["basis", "x1", "x2", "s1", "s2", "rhs"],
        ["s1", "[2]", "1", "1", "0", "12"],
        ["s2", "1", "2", "0", "1", "9"],
        ["z", "-1", "-1", "0", "0", "0"]]
    with pytest.raises(TypeError, match="ratios must be True or False"):
        tableau_frame(first, ratios="no")


def test_comparison_rows_agree_with_highs_solved_here():
    """Audit: the table's reference column came from the module itself.
    Each row is now checked against HiGHS called by the test."""
    n = 60
    df = compare_with_linprog(n_problems=n, seed=1)
    assert len(df) == n
    statuses = set()
    for problem, row in zip(random_problems(n, seed=1), df.to_dict("records")):
        kind, c, A_ub, b_ub, A_eq, b_eq = problem
        status, fun, _ = reference(c, A_ub, b_ub, A_eq, b_eq, False)
        ours = simplex(c, A_ub, b_ub, A_eq, b_eq)
        assert (row["kind"], row["ref_status"]) == (kind, status)
        assert row["status"] == ours.status == status
        assert row["nit"] == ours.nit
        if status == "optimal":
            assert abs(ours.fun - fun) <= FUN_TOL * max(1.0, abs(fun))
            assert row["dfun"] == abs(ours.fun - fun)  # the same HiGHS call
        else:
            assert np.isnan(row["dfun"])
        statuses.add(status)
    assert statuses == {"optimal", "infeasible", "unbounded"}
