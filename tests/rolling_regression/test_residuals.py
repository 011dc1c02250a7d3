"""Out-of-sample residuals against a loop over assets with NumPy least squares."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rolling_regression.references import random_panel
from snippets.rolling_regression import rolling_ols
from snippets.rolling_regression.residuals import out_of_sample_residuals


def loop_reference(panel, xs, window, add_constant):
    """For every row t of an asset: fit the window ending at the row before (complete
    rows only, at least as many as coefficients, full rank), predict row t."""
    out = {}
    for name, g in panel.sort_values(["asset", "date"]).groupby("asset", sort=False):
        y = g["y"].to_numpy()
        X = g[xs].to_numpy()
        D = np.column_stack([np.ones(len(g)), X]) if add_constant else X
        for t, date in enumerate(g["date"]):
            value = np.nan
            if t >= window:  # the window ending at row t-1 is full
                rows = slice(t - window, t)
                ok = ~np.isnan(D[rows]).any(axis=1) & ~np.isnan(y[rows])
                Dw, yw = D[rows][ok], y[rows][ok]
                if ok.sum() >= D.shape[1] and np.linalg.matrix_rank(Dw) == D.shape[1]:
                    beta = np.linalg.lstsq(Dw, yw, rcond=None)[0]
                    value = y[t] - D[t] @ beta
            out[(name, date)] = value
    return pd.Series(out)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), k=st.integers(1, 3), window=st.integers(4, 12),
       add_constant=st.booleans())
def test_matches_a_loop_with_lstsq_on_gapped_panels(seed, k, window, add_constant):
    rng = np.random.default_rng(seed)
    panel = random_panel(rng, n_assets=4, k=k, max_len=40, nan_rate=0.1)
    xs = [f"x{j}" for j in range(k)]
    est = rolling_ols(panel, "y", xs, window=window, add_constant=add_constant)
    ours = out_of_sample_residuals(panel, est, "y", xs)
    ref = loop_reference(panel, xs, window, add_constant).reindex(ours.index)
    both = ~np.isnan(ours.to_numpy()) & ~np.isnan(ref.to_numpy())
    np.testing.assert_array_equal(np.isnan(ours.to_numpy()), np.isnan(ref.to_numpy()))
    np.testing.assert_allclose(ours.to_numpy()[both], ref.to_numpy()[both],
                               rtol=1e-8, atol=1e-8)


def test_the_first_row_of_every_asset_has_no_earlier_estimate():
    rng = np.random.default_rng(0)
    panel = random_panel(rng, n_assets=3, k=1, max_len=30, nan_rate=0.0)
    est = rolling_ols(panel, "y", ["x0"], window=3, expanding=True)
    oos = out_of_sample_residuals(panel, est, "y", ["x0"])
    firsts = oos.groupby(level=0).head(1)
    assert firsts.isna().all()


def test_estimates_of_other_regressors_are_refused():
    rng = np.random.default_rng(1)
    panel = random_panel(rng, n_assets=2, k=2, max_len=20, nan_rate=0.0)
    est = rolling_ols(panel, "y", ["x0", "x1"], window=5)
    with pytest.raises(ValueError, match="expected"):
        out_of_sample_residuals(panel, est, "y", ["x1"])
