"""The backprop post's demo of reverse and forward mode (public API only)."""

from __future__ import annotations

import numpy as np

from snippets._precision import bound
from snippets.backprop import backprop, example_network

SHAPES = ((3, 2), (3,), (2, 3), (2,))  # W1, b1, W2, b2 of the example network


def _loss_of(x, y):
    """The example's MSE loss as a function of all 17 parameters in one vector."""
    import torch

    def loss(theta):
        parts, start = [], 0
        for shape in SHAPES:
            size = int(np.prod(shape))
            parts.append(theta[start:start + size].reshape(shape))
            start += size
        W1, b1, W2, b2 = parts
        h = torch.sigmoid(x @ W1.T + b1)
        o = torch.sigmoid(h @ W2.T + b2)
        return ((o - y) ** 2).mean()

    return loss


def both_modes():
    """The gradient by one vector-Jacobian product (reverse mode), by one
    Jacobian-vector product per parameter (forward mode), and by backprop."""
    import torch
    from torch.autograd.functional import jvp, vjp

    x, y, params = example_network()
    theta = torch.cat([torch.tensor(p).reshape(-1) for p in params])
    loss = _loss_of(torch.tensor(x), torch.tensor(y))
    _, reverse = vjp(loss, theta, torch.ones((), dtype=theta.dtype))
    forward = torch.stack([jvp(loss, theta, e)[1]
                           for e in torch.eye(len(theta), dtype=theta.dtype)])
    ours = backprop(x, y, params[0::2], params[1::2])
    hand = np.concatenate([g.reshape(-1) for pair in zip(ours.grad_W, ours.grad_b)
                           for g in pair])
    return reverse.numpy(), forward.numpy(), hand


def show_modes():
    reverse, forward, hand = both_modes()
    limit = 1e-15  # gradients below 0.2: float64 rounding is ~1e-17
    return "\n".join([
        f"参数个数                         {len(hand)}",
        "反向模式：一次 VJP（v = 1）       得到全部 "
        f"{len(reverse)} 个偏导",
        f"前向模式：每个参数一次 JVP       共 {len(forward)} 次",
        f"|VJP − 本文 backprop|            {bound(np.abs(reverse - hand).max(), limit)}",
        f"|JVP − 本文 backprop|            {bound(np.abs(forward - hand).max(), limit)}",
    ])
