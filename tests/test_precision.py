"""snippets._precision.bound: a rounding-level gap stated as a bound that holds anywhere."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from snippets._precision import BoundExceeded, bound


@pytest.mark.parametrize("limit, text", [
    (1e-6, "< 1e-6"), (1e-12, "< 1e-12"), (1.0, "< 1"), (10.0, "< 1e1"), (1e3, "< 1e3"),
    (5e-7, "< 5e-7"), (3e-4, "< 3e-4"), (2e10, "< 2e10"),
])
def test_the_text_names_the_limit(limit, text):
    assert bound(0.0, limit) == text


@given(st.integers(min_value=-30, max_value=5), st.floats(0, 1, exclude_max=True))
def test_below_the_limit_the_text_depends_only_on_the_limit(exponent, fraction):
    limit = 10.0 ** exponent
    err = fraction * limit
    text = bound(err, limit)
    assert text == bound(0.0, limit)
    # the stated bound is true: the printed limit parses back to the limit
    assert err < float(text.removeprefix("< ")) == pytest.approx(limit)


@given(st.floats(min_value=1e-20, max_value=1e3))
def test_at_or_above_the_limit_it_raises_with_both_numbers(limit):
    for err in (limit, limit * 2, math.inf):
        with pytest.raises(BoundExceeded, match="is not below"):
            bound(err, limit)


def test_numpy_and_torch_scalars_are_accepted():
    import torch

    assert bound(np.float32(1e-8), 1e-6) == "< 1e-6"
    assert bound(torch.tensor(1e-9, dtype=torch.float64).item(), 1e-6) == "< 1e-6"
    assert bound(np.float64(0), 1e-6) == "< 1e-6"


@pytest.mark.parametrize("err", [math.nan, -1e-9])
def test_a_gap_that_is_not_a_distance_is_an_error(err):
    with pytest.raises(ValueError, match="err must be a number >= 0"):
        bound(err, 1e-6)


@pytest.mark.parametrize("limit, error", [
    (0, ValueError), (-1e-6, ValueError), (math.inf, ValueError), (math.nan, ValueError),
    ("1e-6", TypeError), (True, TypeError), (None, TypeError),
])
def test_bad_limits_are_rejected(limit, error):
    with pytest.raises(error, match="limit must be"):
        bound(0.0, limit)


def test_bound_exceeded_is_an_assertion_error():
    # a false claim on a page is a failed check, not bad input
    assert issubclass(BoundExceeded, AssertionError)
