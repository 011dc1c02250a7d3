"""The post's demos (snippets/penalized_regression/page.py). Their tables and
texts are compared with the approved snapshots by the page tests; here: the
block that must fail, and why."""

from __future__ import annotations

import pytest

from snippets.penalized_regression import page


def test_fail_bad_a_refuses_a_at_most_2():
    with pytest.raises(ValueError, match="a must be greater than 2, got 2.0"):
        page.fail_bad_a()

