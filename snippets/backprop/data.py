"""The article's networks and data (seeded, deterministic)."""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from snippets._checks import integer
from snippets._shared import shared
from snippets.backprop.training import train_manual, train_torch


def example_network():
    """2 inputs, 3 sigmoid hidden units, 2 sigmoid outputs; one sample."""
    x = np.array([[0.6, -0.4]])
    y = np.array([[0.9, 0.1]])
    W1 = np.array([[0.2, -0.3],
                   [0.4, 0.1],
                   [-0.5, 0.2]])
    b1 = np.array([0.1, -0.1, 0.05])
    W2 = np.array([[0.3, -0.2, 0.5],
                   [-0.4, 0.6, 0.1]])
    b2 = np.array([0.0, 0.1])
    return x, y, [W1, b1, W2, b2]


def random_network(sizes, rng):
    """Weights (out, in) and biases drawn like nn.Linear's default init."""
    if isinstance(sizes, (str, bytes)) or len(sizes) < 2:
        raise ValueError("sizes must list at least two layer widths, got "
                         f"{sizes!r}")
    sizes = [integer(v, f"sizes[{i}]", 1) for i, v in enumerate(sizes)]
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / math.sqrt(n_in)
        weights.append(rng.uniform(-bound, bound, size=(n_out, n_in)))
        biases.append(rng.uniform(-bound, bound, size=n_out))
    return weights, biases


def batch_problem():
    """A batch of 6 samples, 3 classes, through a seeded 4-5-3-3 network."""
    rng = np.random.default_rng(0)
    sizes = [4, 5, 3, 3]
    weights, biases = random_network(sizes, rng)
    x = rng.normal(size=(6, sizes[0]))
    y = rng.integers(0, sizes[-1], size=6)
    return x, y, weights, biases


def spiral_data(n_per_class=60, n_classes=3, seed=0):
    """A small 2-D, 3-class spiral data set."""
    n_per_class = integer(n_per_class, "n_per_class", 1)
    n_classes = integer(n_classes, "n_classes", 1)
    seed = integer(seed, "seed", 0)
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for c in range(n_classes):
        r = np.linspace(0.1, 1.0, n_per_class)
        t = (np.linspace(0, 3.5, n_per_class) + c * 2 * np.pi / n_classes
             + rng.normal(scale=0.15, size=n_per_class))
        xs.append(np.column_stack([r * np.cos(t), r * np.sin(t)]))
        ys.append(np.full(n_per_class, c))
    return np.concatenate(xs), np.concatenate(ys)


SGD_LR, SGD_STEPS, SGD_SIZES = 1.0, 400, (2, 16, 16, 3)
# tanh 隐藏层、logits 上的交叉熵：批量问题与 SGD 训练共用的配置
TANH_CE = MappingProxyType(dict(activation="tanh",
                                output_activation="identity",
                                loss="cross_entropy"))


class SgdRuns(NamedTuple):
    """Both trainings on the spiral data, from the same start."""

    x: np.ndarray          # (n, 2) inputs
    y: np.ndarray          # (n,) class indices
    manual: np.ndarray     # loss per step, gradients from backprop
    reference: np.ndarray  # loss per step, torch.optim.SGD
    weights: tuple         # trained by hand
    biases: tuple
    model: object          # the torch.nn.Sequential trained by SGD


@shared
def sgd_runs():
    """The trainings the agreement text and the SGD figure share (read-only)."""
    x, y = spiral_data()
    weights, biases = random_network(SGD_SIZES, np.random.default_rng(0))
    manual, Ws, bs = train_manual(x, y, weights, biases, SGD_LR, SGD_STEPS,
                                  **TANH_CE)
    reference, model = train_torch(x, y, weights, biases, SGD_LR, SGD_STEPS)
    arrays = [x, y, manual, reference, *Ws, *bs]
    for arr in arrays:
        arr.flags.writeable = False
    return SgdRuns(x, y, manual, reference, tuple(Ws), tuple(bs), model)
