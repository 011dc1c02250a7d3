"""snippets._checks: the one wording of bad-flag and bad-integer errors for every article."""

from __future__ import annotations

import numpy as np
import pytest

from snippets._checks import flag, integer


@pytest.mark.parametrize("value", [True, False, np.True_, np.False_])
def test_flags_are_bools(value):
    assert flag(value, "f") is bool(value)


@pytest.mark.parametrize("value", ["False", "True", 0, 1, None, 1.0])
def test_anything_else_is_not_a_flag(value):
    with pytest.raises(TypeError, match="f must be True or False"):
        flag(value, "f")


@pytest.mark.parametrize("value", [0, 7, np.int64(3), np.uint8(2)])
def test_integers_of_any_integer_type(value):
    out = integer(value, "n", 0)
    assert out == int(value) and type(out) is int


@pytest.mark.parametrize("value", [True, np.True_, 3.0, "3", None, 2.5])
def test_bools_floats_and_strings_are_not_integers(value):
    with pytest.raises(TypeError, match="n must be an integer"):
        integer(value, "n")


def test_minimum_and_optional():
    with pytest.raises(ValueError, match="n must be >= 1, got 0"):
        integer(0, "n", 1)
    assert integer(-5, "n") == -5  # no minimum unless asked
    assert integer(None, "n", 1, optional=True) is None
    with pytest.raises(TypeError, match="n must be an integer or None"):
        integer(1.5, "n", optional=True)
