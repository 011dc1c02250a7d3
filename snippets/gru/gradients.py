"""How gradients flow back through GRU steps: the Jacobian of one step and
the decay of ||dL/dh_t|| over many, against a plain tanh RNN.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch
from torch import nn

from snippets._checks import integer
from snippets.gru.core import gru_cell, gru_gates


def _check_jacobian(x, h, b_ih, b_hh):
    """One unbatched step with both biases: anything else would be misread.

    Types and dtypes are checked by gru_gates; here only what it allows
    but the chain rule below does not: a batch, a missing bias.
    """
    for name, t in (("x", x), ("h", h)):
        if isinstance(t, torch.Tensor) and t.dim() != 1:
            raise ValueError(f"{name} must have 1 dimensions, "
                             f"got shape {tuple(t.shape)}")
    for name, b in (("b_ih", b_ih), ("b_hh", b_hh)):
        if not isinstance(b, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor (gru_jacobian "
                            f"needs both biases), got {type(b).__name__}")


# --8<-- [start:gru_jacobian]
def gru_jacobian(x, h, w_ih, w_hh, b_ih, b_hh):
    """dh_t/dh_{t-1} of one unbatched step, by the chain rule (H, H)."""
    _check_jacobian(x, h, b_ih, b_hh)  # x: (I,)，h: (H,)
    H = h.shape[0]
    r, z, n = gru_gates(x, h, w_ih, w_hh, b_ih, b_hh)
    w_hr, w_hz, w_hn = w_hh.split(H)
    a_n = h @ w_hn.T + b_hh[2 * H:]  # W_hn h + b_hn
    dr = (r * (1 - r))[:, None] * w_hr  # ∂r/∂h
    dz = (z * (1 - z))[:, None] * w_hz  # ∂z/∂h
    dn = (1 - n**2)[:, None] * (a_n[:, None] * dr + r[:, None] * w_hn)
    return (torch.diag(z) + (h - n)[:, None] * dz
            + (1 - z)[:, None] * dn)
# --8<-- [end:gru_jacobian]


def _rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return torch.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)


def _check_decay(kind, z_bias, T, H):
    if kind not in ("gru", "rnn"):  # 拼错的 kind 不能悄悄变成 RNN
        raise ValueError(f"kind must be 'gru' or 'rnn', got {kind!r}")
    if isinstance(z_bias, bool) or not isinstance(z_bias, numbers.Real):
        raise TypeError(f"z_bias must be a number, got {type(z_bias).__name__}")
    integer(T, "T", 1)
    integer(H, "H", 1)


# --8<-- [start:gradient_decay]
def gradient_decay(kind="gru", z_bias=0.0, T=60, H=32, seed=0):
    """||dL/dh_t|| for L = v·h_T, t = T..1, with torch's default init."""
    _check_decay(kind, z_bias, T, H)
    torch.manual_seed(seed)
    cls = nn.GRU if kind == "gru" else nn.RNN
    m = cls(1, H, dtype=torch.float64)
    w = [p.detach() for p in (m.weight_ih_l0, m.weight_hh_l0,
                              m.bias_ih_l0, m.bias_hh_l0)]
    if kind == "gru":
        w[2] = w[2].clone()
        w[2][H:2 * H] += z_bias  # 把更新门整体推向 1
    cell = gru_cell if kind == "gru" else _rnn_cell
    x = torch.randn(T, 1, dtype=torch.float64)
    h = torch.zeros(H, dtype=torch.float64)
    states = []
    for t in range(T):
        h = h.detach().requires_grad_(True)  # 记下每个 h_{t-1}
        states.append(h)
        h = cell(x[t], h, *w)
    v = torch.randn(H, dtype=torch.float64)
    # 沿链把梯度一步步往回传
    grads, g = [], torch.autograd.grad(h, states[-1], v)[0]
    grads.append(g.norm().item())
    for t in range(T - 1, 0, -1):
        step = cell(x[t - 1], states[t - 1], *w)
        g = torch.autograd.grad(step, states[t - 1], g)[0]
        grads.append(g.norm().item())
    return np.array(grads)  # grads[k] = ||dL/dh_{T-1-k}||
# --8<-- [end:gradient_decay]
