"""Independent references shared by the backprop tests: the same networks
in PyTorch (float64), losses for finite differences, random problems."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

ACTS = ["sigmoid", "tanh", "relu", "identity"]
TORCH_ACTS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh,
              "relu": torch.relu, "identity": lambda t: t}


def torch_reference(x, y, weights, biases, activation, output_activation,
                    loss):
    """Loss, dL/dW, dL/db and dL/dz computed by autograd."""
    Ws = [torch.tensor(W, dtype=torch.float64, requires_grad=True)
          for W in weights]
    bs = [torch.tensor(b, dtype=torch.float64, requires_grad=True)
          for b in biases]
    h = torch.tensor(x, dtype=torch.float64)
    zs = []
    for i, (W, b) in enumerate(zip(Ws, bs)):
        z = h @ W.T + b
        z.retain_grad()
        zs.append(z)
        f = output_activation if i == len(Ws) - 1 else activation
        h = TORCH_ACTS[f](z)
    if loss == "mse":
        value = torch.nn.MSELoss()(h, torch.tensor(y, dtype=torch.float64))
    else:
        value = torch.nn.CrossEntropyLoss()(zs[-1], torch.tensor(y))
    value.backward()
    return (value.item(), [W.grad.numpy() for W in Ws],
            [b.grad.numpy() for b in bs], [z.grad.numpy() for z in zs])


def torch_loss(x, y, weights, biases, activation, output_activation, loss):
    with torch.no_grad():
        h = torch.tensor(x, dtype=torch.float64)
        for i, (W, b) in enumerate(zip(weights, biases)):
            z = h @ torch.tensor(W).T + torch.tensor(b)
            f = output_activation if i == len(weights) - 1 else activation
            h = TORCH_ACTS[f](z)
        if loss == "mse":
            return torch.nn.MSELoss()(h, torch.tensor(y)).item()
        return torch.nn.CrossEntropyLoss()(z, torch.tensor(y)).item()


def make_problem(rng, sizes, batch, loss):
    weights = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=o) for o in sizes[1:]]
    x = rng.normal(size=(batch, sizes[0]))
    if loss == "mse":
        y = rng.normal(size=(batch, sizes[-1]))
    else:
        y = rng.integers(0, sizes[-1], size=batch)
    return x, y, weights, biases


problem = st.fixed_dictionaries({
    "sizes": st.lists(st.integers(1, 6), min_size=2, max_size=6),
    "batch": st.integers(1, 7),
    "activation": st.sampled_from(ACTS),
    "output_activation": st.sampled_from(ACTS),
    "loss": st.sampled_from(["mse", "cross_entropy"]),
    "seed": st.integers(0, 2**32 - 1),
})


def drawn_arguments(p):
    """(x, y, weights, biases, activation, output_activation, loss) of a
    ``problem`` draw; cross-entropy takes logits (identity output)."""
    loss = p["loss"]
    out_act = "identity" if loss == "cross_entropy" else \
        p["output_activation"]
    rng = np.random.default_rng(p["seed"])
    x, y, weights, biases = make_problem(rng, p["sizes"], p["batch"], loss)
    return x, y, weights, biases, p["activation"], out_act, loss


def assert_close(a, b, tol=1e-10):
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def good():
    rng = np.random.default_rng(0)
    return make_problem(rng, [2, 3, 2], 4, "mse")
