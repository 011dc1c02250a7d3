"""Out-of-sample residuals: what a trader could have known at the time."""

from __future__ import annotations

import pandas as pd


# --8<-- [start:out_of_sample]
def out_of_sample_residuals(panel, estimates, y, x, asset="asset",
                            time="date"):
    """y_t - x_t . beta_(t-1): each row's residual under the coefficients
    estimated up to the asset's previous row (``estimates`` as returned by
    rolling_ols on ``panel``); NaN where no earlier estimate exists."""
    xs = [x] if isinstance(x, str) else list(x)
    names = [c for c in estimates.columns if c not in ("residual", "nobs")]
    if names[1:] != xs and names != xs:
        raise ValueError(f"estimates have coefficients {names}, expected "
                         f"{xs} (with or without 'const')")
    # 上一行的系数：同一资产按时间排序后整体下移一行
    beta = estimates[names].groupby(level=0, sort=False).shift(1)
    rows = panel.set_index([asset, time]).reindex(estimates.index)
    fitted = sum(beta[c] * rows[c] for c in xs)
    if "const" in names:
        fitted = fitted + beta["const"]
    return (rows[y] - fitted).rename("oos_residual")
# --8<-- [end:out_of_sample]
