"""Two independent checks of the gradients: central finite differences and
PyTorch autograd (torch is imported only inside ``autograd_gradients``)."""

from __future__ import annotations

import numpy as np

from snippets.backprop.core import _check_real, _validate, backprop

def _check_float_weights(weights):
    if not isinstance(weights, (list, tuple)):
        raise TypeError("weights must be a list of arrays (one per layer)")
    for i, W in enumerate(weights):
        if not (isinstance(W, np.ndarray) and W.dtype.kind == "f"):
            raise TypeError(
                f"weights[{i}] must be a floating-point NumPy array, since "
                "it is changed in place by ±h; got "
                f"{getattr(W, 'dtype', type(W).__name__)}")


# --8<-- [start:finite_difference]
def finite_difference(x, y, weights, biases, h=1e-6, **kw):
    """Central differences (L(θ+h) − L(θ−h)) / 2h for every weight."""
    h = _check_real(h, "h", positive=True)
    _check_float_weights(weights)  # 原地加减 h：整数数组会把 h 截掉
    grads = []
    for W in weights:
        g = np.zeros_like(W)
        for idx in np.ndindex(W.shape):
            old = W[idx]
            W[idx] = old + h
            up = backprop(x, y, weights, biases, **kw).loss
            W[idx] = old - h
            down = backprop(x, y, weights, biases, **kw).loss
            W[idx] = old  # 恢复原值
            g[idx] = (up - down) / (2 * h)
        grads.append(g)
    return grads
# --8<-- [end:finite_difference]


def autograd_gradients(x, y, weights, biases, activation="sigmoid",
                       output_activation="sigmoid", loss="mse"):
    """Reference: the same network in PyTorch (float64), via autograd.

    Arguments as for ``backprop``. Returns (loss, dL/dW per layer, dL/db per
    layer, dL/dz per layer), NumPy arrays shaped like backprop's.
    """
    import torch

    x, y, weights, biases = _validate(x, y, weights, biases, activation,
                                      output_activation, loss)
    fns = {"sigmoid": torch.sigmoid, "tanh": torch.tanh,
           "relu": torch.relu, "identity": lambda t: t}
    Ws = [torch.tensor(W, requires_grad=True) for W in weights]
    bs = [torch.tensor(b, requires_grad=True) for b in biases]
    a, zs = torch.tensor(x), []
    for l, (W, b) in enumerate(zip(Ws, bs)):
        z = torch.nn.functional.linear(a, W, b)
        z.retain_grad()  # 让 autograd 也保留 ∂L/∂z，与 δ 对照
        zs.append(z)
        last = l == len(Ws) - 1
        a = fns[output_activation if last else activation](z)
    if loss == "mse":
        value = torch.nn.MSELoss()(a, torch.tensor(y))
    else:
        value = torch.nn.CrossEntropyLoss()(zs[-1], torch.tensor(y).long())
    value.backward()
    return (value.item(), [W.grad.numpy() for W in Ws],
            [b.grad.numpy() for b in bs], [z.grad.numpy() for z in zs])
