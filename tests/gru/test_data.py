"""snippets/gru/data.py: the sine waves checked by properties of a sine, not by its code."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from snippets.gru import gradient_decay
from snippets.gru.data import decay_curve, sine_data


def _waves(n=40, T=30, seed=0, **kw):
    return sine_data(n, T, torch.Generator().manual_seed(seed), **kw)


def test_targets_are_clean_sines_with_the_documented_frequencies():
    _, y = _waves()
    s = y[..., 0].double()
    assert y.shape == (40, 30, 1)
    # any sine sampled at unit steps obeys s[t+1] + s[t-1] = 2 cos(omega) s[t]
    ok = s[:, 1:-1].abs() > 0.2
    ratio = (s[:, 2:] + s[:, :-2]) / s[:, 1:-1]
    two_cos = torch.stack([r[m].median() for r, m in zip(ratio, ok)])
    assert ((ratio - two_cos[:, None]).abs()[ok] < 1e-4).all()
    omega = torch.arccos(two_cos / 2)
    assert (omega >= 0.15 - 1e-4).all() and (omega <= 0.40 + 1e-4).all()
    assert s.abs().max() <= 1


def test_inputs_are_the_current_value_plus_noise_of_the_given_size():
    x, y = _waves(n=200, T=50)
    residual = (x[:, 1:, 0] - y[:, :-1, 0]).double()  # x_t - s_t, for t >= 1
    assert abs(residual.mean().item()) < 0.01
    assert residual.std().item() == pytest.approx(0.15, rel=0.03)
    x0, y0 = _waves(n=5, T=10, noise=0.0)
    assert torch.equal(x0[:, 1:], y0[:, :-1])


def test_same_generator_seed_same_waves():
    for a, b in zip(_waves(seed=3), _waves(seed=3)):
        assert torch.equal(a, b)
    assert not torch.equal(_waves(seed=3)[0], _waves(seed=4)[0])


def test_decay_curve_is_the_normalised_gradient_norm_built_once_and_read_only():
    curve = decay_curve("gru", 2.0)
    assert decay_curve("gru", 2.0) is curve  # shared: built once per process
    g = gradient_decay("gru", 2.0)
    np.testing.assert_array_equal(curve, g / g[0])
    assert curve[0] == 1.0 and not curve.flags.writeable
    with pytest.raises(ValueError):
        curve[0] = 0.0
