"""Full-batch gradient descent: gradients from ``backprop`` against the same
network trained by ``torch.optim.SGD`` (torch imported inside)."""

from __future__ import annotations

import numpy as np

from snippets._checks import integer
from snippets.backprop.core import _check_real, backprop


# --8<-- [start:train_manual]
def train_manual(x, y, weights, biases, lr, steps, **kw):
    """Full-batch gradient descent with the gradients from backprop."""
    lr, steps = _check_real(lr, "lr"), integer(steps, "steps", 0)
    weights = [np.array(W, dtype=np.float64) for W in weights]  # 副本
    biases = [np.array(b, dtype=np.float64) for b in biases]
    losses = []
    for _ in range(steps):
        res = backprop(x, y, weights, biases, **kw)
        losses.append(res.loss)
        for l in range(len(weights)):
            weights[l] -= lr * res.grad_W[l]
            biases[l] -= lr * res.grad_b[l]
    return np.array(losses), weights, biases
# --8<-- [end:train_manual]


# --8<-- [start:train_torch]
def train_torch(x, y, weights, biases, lr, steps):
    """The same network and start, trained by torch.optim.SGD."""
    import torch

    lr, steps = _check_real(lr, "lr"), integer(steps, "steps", 0)
    layers = []
    for W, b in zip(weights, biases):
        lin = torch.nn.Linear(*W.shape[::-1], dtype=torch.float64)
        with torch.no_grad():  # 从同一组初始参数出发
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        layers += [lin, torch.nn.Tanh()]
    model = torch.nn.Sequential(*layers[:-1])  # 输出层不加激活
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses), model
# --8<-- [end:train_torch]
