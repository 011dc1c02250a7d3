"""多资产滚动回归
文章：docs/blog/posts/2026-11-25-rolling-regression.md

``rolling_ols`` estimates a rolling-window OLS regression for every asset of a
long (asset, date) panel at once, with the semantics of statsmodels
``RollingOLS(missing="drop")`` applied to each asset separately; with
``expanding=True`` or ``weights=`` it follows ``RollingOLS(expanding=True)``
and ``RollingWLS(weights=...)``.

- ``core``: the vectorised estimator (``rolling_ols``, ``RANK_TOL``);
- ``baseline``: the slow and the fragile ways (``rolling_ols_naive``,
  ``window_sums_cumsum``) and the block sums (``window_sums_blocks``);
- ``validation``: the argument checks of ``rolling_ols``;
- ``data``: the synthetic panel with known betas (``make_panel``);
- ``page``: the tables and figures of the post.
"""

from snippets.rolling_regression.baseline import (rolling_ols_naive,
                                                  window_sums_blocks,
                                                  window_sums_cumsum)
from snippets.rolling_regression.core import RANK_TOL, rolling_ols

__all__ = ["RANK_TOL", "rolling_ols", "rolling_ols_naive",
           "window_sums_blocks", "window_sums_cumsum"]
