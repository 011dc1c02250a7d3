"""Reverse and forward mode on the example network, against autograd's own backward."""

import numpy as np
import torch

from snippets.backprop import example_network
from snippets.backprop.page_vjp import both_modes


def test_both_modes_give_the_gradient_torch_autograd_gives():
    x, y, (W1, b1, W2, b2) = example_network()
    params = [torch.tensor(p, requires_grad=True) for p in (W1, b1, W2, b2)]
    h = torch.sigmoid(torch.tensor(x) @ params[0].T + params[1])
    o = torch.sigmoid(h @ params[2].T + params[3])
    torch.nn.MSELoss()(o, torch.tensor(y)).backward()
    expected = np.concatenate([p.grad.numpy().reshape(-1) for p in params])
    reverse, forward, hand = both_modes()
    for got in (reverse, forward, hand):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert len(forward) == 17 and np.abs(expected).max() > 0.01
