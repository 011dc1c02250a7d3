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
otherwise memory stays that of one tableau.

Modules: ``core`` (the solver ``simplex``, phase 1 and the final check),
``pivoting`` (pivot, pricing rules, ratio test, one phase, cycle guard),
``scaling`` (power-of-two equilibration), ``tableau`` (tolerances and the
records), ``data`` (the article's problems), ``page`` (the demos).
"""

from snippets.simplex.core import drive_out_artificials, simplex
from snippets.simplex.pivoting import (RULE_ALIASES, RULES, CycleGuard,
                                       choose_entering, choose_leaving, pivot,
                                       run_phase)
from snippets.simplex.scaling import column_sizes, scale_factors
from snippets.simplex.tableau import (CHECK_TOL, FEAS_TOL, PIVOT_TOL, ROUNDING,
                                      SCALE_PASSES, SMALL_ENTRY, STATUSES,
                                      TIE_PIVOT, ZERO_TOL, LPResult, Tableau,
                                      find_cycle)

__all__ = [
    "simplex", "drive_out_artificials", "LPResult", "Tableau", "find_cycle",
    "pivot", "choose_entering", "choose_leaving", "run_phase", "CycleGuard",
    "scale_factors", "column_sizes", "RULES", "RULE_ALIASES", "STATUSES",
    "SMALL_ENTRY", "ZERO_TOL", "PIVOT_TOL", "FEAS_TOL", "TIE_PIVOT",
    "CHECK_TOL", "ROUNDING", "SCALE_PASSES",
]
