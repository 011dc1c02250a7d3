"""snippets/gru/page.py: what its outputs show is compared with the approved snapshots by
the page tests; here only the demo that fails on purpose, which has no output to compare."""

from __future__ import annotations

import pytest

from snippets.gru import page


def test_fail_bad_shape_raises_the_error_the_post_shows():
    with pytest.raises(ValueError, match=r"expected h0 of shape \(2, 2, 4\) .* got \(1, 2, 4\)"):
        page.fail_bad_shape()
