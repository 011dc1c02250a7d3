"""Data of the GRU post: noisy sine waves, and the gradient-decay curves
that two demos share (built once per process).
"""

from __future__ import annotations

import math

import torch

from snippets._shared import shared
from snippets.gru.gradients import gradient_decay


# --8<-- [start:sine_data]
def sine_data(n, T, generator, noise=0.15):
    """Noisy sine waves x_t and the clean next value s_{t+1} as target."""
    omega = 0.15 + 0.25 * torch.rand(n, 1, generator=generator)
    phase = 2 * math.pi * torch.rand(n, 1, generator=generator)
    s = torch.sin(omega * torch.arange(T + 1) + phase)  # (n, T+1)
    x = s[:, :-1] + noise * torch.randn(n, T, generator=generator)
    return x.unsqueeze(-1), s[:, 1:].unsqueeze(-1)  # (n, T, 1) 两个
# --8<-- [end:sine_data]


@shared
def decay_curve(kind, z_bias):
    """gradient_decay(kind, z_bias) divided by its first entry (read-only)."""
    g = gradient_decay(kind, z_bias)
    rel = g / g[0]
    rel.flags.writeable = False  # shared by plot_gradient_decay and a table
    return rel


# --8<-- [start:recall_data]
def recall_data(n, T, generator, noise=2.0):
    """Sequences whose first input a ~ U(-1, 1) is the target; the other
    T - 1 inputs are Gaussian noise that the model must not let in."""
    a = 2 * torch.rand(n, generator=generator, dtype=torch.float64) - 1
    x = noise * torch.randn(n, T, 1, generator=generator,
                            dtype=torch.float64)
    x[:, 0, 0] = a
    return x, a  # (n, T, 1), (n,)
# --8<-- [end:recall_data]
