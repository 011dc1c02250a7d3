"""使用不同惩罚项的线性回归进行变量选择
文章：docs/blog/posts/2026-11-18-penalized-regression.md

Penalized least squares for variable selection: ridge, LASSO, SCAD (Fan & Li
2001) and Breiman's non-negative garrote, all minimising

    (1/(2n)) ||y - X beta||^2 + P(beta)

with no intercept and no internal standardisation.

- ``penalties``: penalty functions and the orthonormal thresholding rules;
- ``core``: the solvers (ridge closed form, batched coordinate descent), ``fit``;
- ``gcv``: generalised cross-validation, the lambda grid, coefficient paths;
- ``simulation``: Fan & Li's Example 4.1; ``stepwise``: forward BIC selection;
- ``data``: the example's seeded data; ``page``: the post's tables and figures.
"""

from snippets.penalized_regression.core import (CD_RULES, PENALTIES,
                                                coordinate_descent, fit,
                                                ols_solve, ridge_solve)
from snippets.penalized_regression.data import (BETA_TRUE, RHO, fan_li_data,
                                                fan_li_sigma, path_problem)
from snippets.penalized_regression.gcv import (GRID_DECADES, N_GRID,
                                               coefficient_paths,
                                               effective_df_gram, gcv,
                                               gcv_gram, gcv_path,
                                               lambda_grid, select_by_gcv)
from snippets.penalized_regression.penalties import (RULES, penalty_function,
                                                     scad_derivative,
                                                     scad_penalty,
                                                     scad_threshold,
                                                     soft_threshold,
                                                     threshold)
from snippets.penalized_regression.simulation import simulate
from snippets.penalized_regression.stepwise import (forward_stepwise_bic,
                                                   forward_stepwise_path)

__all__ = [
    "BETA_TRUE", "CD_RULES", "GRID_DECADES", "N_GRID", "PENALTIES", "RHO",
    "RULES", "coefficient_paths", "coordinate_descent", "effective_df_gram",
    "fan_li_data", "fan_li_sigma", "fit", "forward_stepwise_bic",
    "forward_stepwise_path", "gcv", "gcv_gram", "gcv_path", "lambda_grid",
    "ols_solve", "path_problem", "penalty_function", "ridge_solve",
    "scad_derivative", "scad_penalty", "scad_threshold", "select_by_gcv",
    "simulate", "soft_threshold", "threshold",
]
