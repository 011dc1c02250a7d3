"""手动计算简单的反向传播算法
文章：docs/blog/posts/2026-11-22-backprop-by-hand.md

``backprop`` runs the forward pass of a fully connected network (weights in
``torch.nn.Linear`` layout, ``(out, in)``) and computes the loss and every
gradient by the delta recursion, with NumPy only. ``hand_gradients`` does the
same for the article's 2-3-2 example one scalar at a time.

- ``core``: activations, ``backprop`` and its input checks;
- ``hand``: the scalar chain rule for the 2-3-2 example;
- ``gradcheck``: central finite differences and the PyTorch autograd reference;
- ``training``: gradient descent by hand and by ``torch.optim.SGD``;
- ``data``: the example network, random networks, the spiral data, the runs;
- ``page``: the post's tables, texts and figures (torch imported inside).
"""

from snippets.backprop.core import (ACTIVATIONS, LOSSES, BackpropResult,
                                    backprop)
from snippets.backprop.data import (SGD_LR, SGD_SIZES, SGD_STEPS, TANH_CE,
                                    SgdRuns, batch_problem, example_network,
                                    random_network, sgd_runs, spiral_data)
from snippets.backprop.gradcheck import autograd_gradients, finite_difference
from snippets.backprop.hand import hand_gradients
from snippets.backprop.training import train_manual, train_torch

__all__ = [
    "ACTIVATIONS", "LOSSES", "SGD_LR", "SGD_SIZES", "SGD_STEPS", "TANH_CE",
    "BackpropResult", "SgdRuns", "autograd_gradients", "backprop",
    "batch_problem", "example_network", "finite_difference",
    "hand_gradients", "random_network", "sgd_runs", "spiral_data",
    "train_manual", "train_torch",
]
