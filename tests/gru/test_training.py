"""snippets/gru/training.py: the sine model trains like nn.GRU and is trained once."""

from __future__ import annotations

import numpy as np
import pytest
from torch import nn

from snippets.gru import training


def test_training_with_manual_gru_follows_nn_gru():
    _, a, test_a, _ = training.train_sine(steps=10)
    _, b, test_b, _ = training.train_sine(gru_class=nn.GRU, steps=10)
    assert a[-1] < a[0]
    np.testing.assert_allclose(a, b, rtol=1e-4)
    np.testing.assert_allclose(test_a, test_b, rtol=1e-4)
    assert test_a.shape == (2, 2) and test_a[:, 0].tolist() == [5, 10]


def test_trained_sine_is_built_once_per_process_and_read_only(monkeypatch):
    quick, calls = training.train_sine, []

    def train_a_little(gru_class):
        calls.append(gru_class)
        return quick(gru_class, steps=5)

    monkeypatch.setattr(training, "train_sine", train_a_little)
    training.trained_sine.cache_clear()
    try:
        first = training.trained_sine(nn.GRU)
        assert training.trained_sine(nn.GRU) is first and calls == [nn.GRU]
        _, train, test, _ = first
        np.testing.assert_array_equal(train, quick(nn.GRU, steps=5)[1])
        for history in (train, test):
            assert not history.flags.writeable
            with pytest.raises(ValueError):
                history[0] = 0
    finally:
        training.trained_sine.cache_clear()
