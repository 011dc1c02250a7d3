"""Rotary position embedding (RoPE, Su et al. 2021): rotate queries and keys instead of
adding a table, so that an attention score depends on the offset q - p only."""

from __future__ import annotations

import torch

from snippets.positional_encoding.core import _check_base


# --8<-- [start:rope_rotate]
def rope_rotate(x, positions, base=10000.0):
    """Rotate each pair (x[:, 2i], x[:, 2i+1]) of the rows of ``x`` by the
    angle pos * base^(-2i/d); x is (n, d) with d even, positions (n,)."""
    x = torch.as_tensor(x)
    positions = torch.as_tensor(positions, dtype=x.dtype)
    if not x.is_floating_point():
        raise TypeError(f"x must be a floating-point tensor, got {x.dtype}")
    if x.ndim != 2 or x.shape[1] % 2:
        raise ValueError(
            f"x must be (n, d) with d even, got {tuple(x.shape)}")
    if positions.shape != (x.shape[0],):
        raise ValueError(f"positions must have shape ({x.shape[0]},), "
                         f"got {tuple(positions.shape)}")
    base = _check_base(base)
    d = x.shape[1]
    omega = base ** (-torch.arange(0, d, 2, dtype=x.dtype) / d)  # (d/2,)
    angle = positions[:, None] * omega  # (n, d/2)
    cos, sin = torch.cos(angle), torch.sin(angle)
    even, odd = x[:, 0::2], x[:, 1::2]
    out = torch.empty_like(x)
    out[:, 0::2] = even * cos - odd * sin
    out[:, 1::2] = even * sin + odd * cos
    return out
# --8<-- [end:rope_rotate]
