"""The records: Tableau.basic_solution and find_cycle against re-derivations
written here, and the list of statuses."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import simplex as sx
from snippets.simplex import Tableau, find_cycle


def tableau(phase, basis, n_columns=5):
    m = len(basis)
    table = np.arange((m + 1) * (n_columns + 1), dtype=float).reshape(
        m + 1, n_columns + 1)
    names = tuple(f"x{k + 1}" for k in range(n_columns))
    return Tableau(phase, table, tuple(basis), names)


def first_repeat_by_hand(runs, phase):
    kept = [(p, set(b)) for p, b in runs if phase is None or p == phase]
    for j in range(len(kept)):
        for i in range(j):
            if kept[i] == kept[j]:
                return i, j - i
    return None


@settings(max_examples=200, deadline=None)
@given(runs=st.lists(st.tuples(st.sampled_from([1, 2]),
                               st.permutations(range(5)).map(lambda p: p[:2])),
                     max_size=12),
       phase=st.sampled_from([None, 1, 2]))
def test_find_cycle_finds_the_first_repeated_basis(runs, phase):
    tableaus = [tableau(p, b) for p, b in runs]
    assert find_cycle(tableaus, phase) == first_repeat_by_hand(runs, phase)


def test_basic_solution_puts_the_right_hand_side_on_the_basis():
    tab = tableau(2, [3, 0])
    x = tab.basic_solution()
    expected = np.zeros(5)
    expected[3], expected[0] = tab.table[0, -1], tab.table[1, -1]
    assert np.array_equal(x, expected)
    assert tab.basis_names == ("x4", "x1")


@pytest.mark.parametrize("phase, err", [("1", TypeError), (True, TypeError),
                                        (3, ValueError), (0, ValueError)])
def test_find_cycle_rejects_bad_phases(phase, err):
    with pytest.raises(err, match="phase must be"):
        find_cycle([], phase=phase)


def test_statuses():
    assert sx.STATUSES == ("optimal", "infeasible", "unbounded",
                           "iteration_limit", "numerical_difficulties")
