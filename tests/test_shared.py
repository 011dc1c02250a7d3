"""The shared-data seam: one build per process, registered by name."""

import numpy as np
import pytest

from snippets._shared import SHARED, shared


def test_shared_builds_once_per_argument_and_registers():
    calls = []

    @shared
    def table(n):
        calls.append(n)
        return np.arange(n)

    assert table(3) is table(3)
    np.testing.assert_array_equal(table(4), np.arange(4))
    assert calls == [3, 4]
    assert SHARED[f"{__name__}:test_shared_builds_once_per_argument_and_registers.<locals>.table"] is table


def test_shared_rejects_unhashable_arguments():
    @shared
    def first(xs):
        return xs[0]

    with pytest.raises(TypeError):
        first([1, 2])
