"""The article's example data (fixed, deterministic)."""

from __future__ import annotations

import torch


def example_batch():
    """The article's running example: 3 samples, 5 classes, float64."""
    logits = torch.tensor([[2.0, 1.0, 0.1, -1.0, 0.5],
                           [0.3, 2.5, -0.4, 1.2, 0.0],
                           [-0.5, 0.2, 0.1, 3.0, 1.5]], dtype=torch.float64)
    target = torch.tensor([0, 3, 3])
    return logits, target
