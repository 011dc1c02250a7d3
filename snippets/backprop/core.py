"""Backpropagation with NumPy: the forward pass of a fully connected network
(weights in ``torch.nn.Linear`` layout, ``(out, in)``), the loss and every
gradient by the delta recursion."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

LOSSES = ("mse", "cross_entropy")


def _sigmoid(z):
    # 分正负两支计算，避免 exp(-z) 在 z 很负时上溢
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


# --8<-- [start:activations]
# 名称 -> (f(z), f'(z))；导数写成 z 与 a = f(z) 的函数，直接复用前向结果
# relu 在 0 处不可导，与 PyTorch 一样取 f'(0) = 0
ACTIVATIONS = {
    "sigmoid": (_sigmoid, lambda z, a: a * (1.0 - a)),
    "tanh": (np.tanh, lambda z, a: 1.0 - a * a),
    "relu": (lambda z: np.maximum(z, 0.0),
             lambda z, a: (z > 0).astype(z.dtype)),
    "identity": (lambda z: z.copy(), lambda z, a: np.ones_like(z)),
}
# --8<-- [end:activations]


@dataclass
class BackpropResult:
    """Loss and gradients of one forward/backward pass.

    ``grad_W[l]``/``grad_b[l]`` match ``weights[l]``/``biases[l]``;
    ``delta[l]`` is dL/dz of layer l, shape ``(batch, out_l)``;
    ``z[l]`` are the pre-activations and ``a[l + 1] = f(z[l])`` with
    ``a[0] = x``.
    """

    loss: float
    grad_W: list
    grad_b: list
    delta: list
    z: list
    a: list


def _as_float_array(value, name):
    try:
        raw = np.asarray(value)
        # 字符串数组会被解析成数、复数会丢掉虚部：都不当作数值数组
        ok = raw.dtype.kind in "biufO"
        arr = np.asarray(raw, dtype=np.float64) if ok else None
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric array, got "
                        f"{type(value).__name__}") from exc
    if not ok:
        raise TypeError(f"{name} must be a real numeric array, got dtype "
                        f"{raw.dtype}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def _validate(x, y, weights, biases, activation, output_activation, loss):
    for label, name in (("activation", activation),
                        ("output_activation", output_activation)):
        if name not in ACTIVATIONS:
            raise ValueError(f"{label} must be one of {tuple(ACTIVATIONS)}, "
                             f"got {name!r}")
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    if loss == "cross_entropy" and output_activation != "identity":
        raise ValueError(
            "loss='cross_entropy' applies softmax to the output "
            "pre-activations (logits) itself, so output_activation must be "
            f"'identity', got {output_activation!r}")
    if not isinstance(weights, (list, tuple)) or not isinstance(
            biases, (list, tuple)):
        raise TypeError("weights and biases must be lists of arrays "
                        "(one per layer)")
    if len(weights) == 0:
        raise ValueError("the network needs at least one layer")
    if len(weights) != len(biases):
        raise ValueError(f"got {len(weights)} weight matrices but "
                         f"{len(biases)} bias vectors")
    Ws = [_as_float_array(w, f"weights[{i}]") for i, w in enumerate(weights)]
    bs = [_as_float_array(b, f"biases[{i}]") for i, b in enumerate(biases)]
    for i, (W, b) in enumerate(zip(Ws, bs)):
        if W.ndim != 2 or 0 in W.shape:
            raise ValueError(f"weights[{i}] must be a non-empty matrix of "
                             f"shape (out, in), got shape {W.shape}")
        if b.shape != (W.shape[0],):
            raise ValueError(f"biases[{i}] must have shape ({W.shape[0]},) "
                             f"to match weights[{i}] {W.shape}, got {b.shape}")
        if i > 0 and W.shape[1] != Ws[i - 1].shape[0]:
            raise ValueError(
                f"weights[{i}] has shape {W.shape}: layer {i - 1} has "
                f"{Ws[i - 1].shape[0]} outputs, so it must be "
                f"({W.shape[0]}, {Ws[i - 1].shape[0]})")
    x = _as_float_array(x, "x")
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError("x must have shape (batch, in) with batch >= 1, "
                         f"got {x.shape}")
    if x.shape[1] != Ws[0].shape[1]:
        raise ValueError(f"x has {x.shape[1]} features but weights[0] "
                         f"{Ws[0].shape} expects {Ws[0].shape[1]}")
    batch, n_out = x.shape[0], Ws[-1].shape[0]
    if loss == "mse":
        y = _as_float_array(y, "y")
        if y.shape != (batch, n_out):
            raise ValueError(f"for loss='mse' y must have shape "
                             f"{(batch, n_out)} (batch, out), got {y.shape}")
    else:
        y = np.asarray(y)
        if y.shape != (batch,):
            raise ValueError("for loss='cross_entropy' y must hold one class "
                             f"index per sample, shape ({batch},), "
                             f"got {y.shape}")
        if not np.issubdtype(y.dtype, np.integer):
            raise ValueError("cross-entropy targets must be integer class "
                             f"indices, got dtype {y.dtype}")
        if y.min() < 0 or y.max() >= n_out:
            raise ValueError(f"class indices must lie in [0, {n_out}), got "
                             f"values from {y.min()} to {y.max()}")
    return x, y, Ws, bs


# --8<-- [start:backprop]
def backprop(x, y, weights, biases, activation="sigmoid",
             output_activation="sigmoid", loss="mse"):
    """Loss and gradients of an MLP; weights[l] has shape (out, in)."""
    x, y, weights, biases = _validate(x, y, weights, biases, activation,
                                      output_activation, loss)
    n_layers = len(weights)
    names = [activation] * (n_layers - 1) + [output_activation]

    # 前向：每层 Z = A W^T + b，按行存放一个样本，形状 (batch, out)
    a, z = [x], []
    for W, b, name in zip(weights, biases, names):
        z.append(a[-1] @ W.T + b)
        a.append(ACTIVATIONS[name][0](z[-1]))

    # 输出层的 δ = ∂L/∂Z
    batch = x.shape[0]
    if loss == "mse":
        diff = a[-1] - y
        value = np.mean(diff ** 2)
        dL_da = 2.0 * diff / diff.size  # MSELoss 对全部元素取平均
        delta = dL_da * ACTIVATIONS[output_activation][1](z[-1], a[-1])
    else:  # softmax + 交叉熵，直接作用在 logits 上
        logits = z[-1] - z[-1].max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        rows = np.arange(batch)
        value = -log_p[rows, y].mean()
        delta = np.exp(log_p)
        delta[rows, y] -= 1.0  # softmax − one-hot
        delta /= batch

    # 反向：由后往前，每层先算梯度，再把 δ 传给前一层
    grad_W, grad_b, deltas = [None] * n_layers, [None] * n_layers, \
        [None] * n_layers
    for l in range(n_layers - 1, -1, -1):
        deltas[l] = delta
        grad_W[l] = delta.T @ a[l]  # (out, batch) @ (batch, in)
        grad_b[l] = delta.sum(axis=0)
        if l > 0:
            f_prime = ACTIVATIONS[names[l - 1]][1](z[l - 1], a[l])
            delta = (delta @ weights[l]) * f_prime
    return BackpropResult(float(value), grad_W, grad_b, deltas, z, a)
# --8<-- [end:backprop]


def _check_real(value, name, positive=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not math.isfinite(value) or (positive and value <= 0):
        raise ValueError(f"{name} must be a finite"
                         f"{' positive' if positive else ''} number, "
                         f"got {value!r}")
    return float(value)
