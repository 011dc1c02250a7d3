"""手动计算简单的反向传播算法
文章：docs/blog/posts/2026-11-22-backprop-by-hand.md

``backprop`` runs the forward pass of a fully connected network (weights in
``torch.nn.Linear`` layout, ``(out, in)``) and computes the loss and every
gradient by the delta recursion, with NumPy only. ``hand_gradients`` does the
same for the article's 2-3-2 example one scalar at a time. The ``show_*`` and
``plot_*`` demos compare the results with PyTorch autograd, with central finite
differences and with ``torch.optim.SGD`` (torch is imported only inside them).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from snippets._precision import bound
from snippets._checks import integer

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


# ---------------------------------------------------------------------------
# The article's 2-3-2 example, by hand
# ---------------------------------------------------------------------------

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


def _sig(t):
    if t < -700.0:  # exp(-t) 会上溢；此时 1 + e^t 就是 1
        return math.exp(t)
    return 1.0 / (1.0 + math.exp(-t))


def _check_real(value, name, positive=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not math.isfinite(value) or (positive and value <= 0):
        raise ValueError(f"{name} must be a finite"
                         f"{' positive' if positive else ''} number, "
                         f"got {value!r}")
    return float(value)


# --8<-- [start:hand_gradients]
def hand_gradients(x, y, W1, b1, W2, b2):
    """One sample, sigmoid everywhere, MSE: every partial derivative
    from the scalar chain rule, with plain Python loops."""
    n_in, n_hid, n_out = len(x), len(b1), len(b2)
    # 前向
    z1 = [sum(W1[j][i] * x[i] for i in range(n_in)) + b1[j]
          for j in range(n_hid)]
    h = [_sig(t) for t in z1]
    z2 = [sum(W2[k][j] * h[j] for j in range(n_hid)) + b2[k]
          for k in range(n_out)]
    o = [_sig(t) for t in z2]
    loss = sum((o[k] - y[k]) ** 2 for k in range(n_out)) / n_out
    # 输出层：∂L/∂z2_k = ∂L/∂o_k · ∂o_k/∂z2_k
    d2 = [2 * (o[k] - y[k]) / n_out * o[k] * (1 - o[k])
          for k in range(n_out)]
    gW2 = [[d2[k] * h[j] for j in range(n_hid)] for k in range(n_out)]
    gb2 = d2[:]
    # 隐藏层：h_j 通过每个输出 k 影响损失，把这些路径加起来
    d1 = [sum(d2[k] * W2[k][j] for k in range(n_out)) * h[j] * (1 - h[j])
          for j in range(n_hid)]
    gW1 = [[d1[j] * x[i] for i in range(n_in)] for j in range(n_hid)]
    gb1 = d1[:]
    return loss, gW1, gb1, gW2, gb2
# --8<-- [end:hand_gradients]


def _fmt(v, digits=6):
    return f"{v:.{digits}f}"


def _example_hand():
    x, y, (W1, b1, W2, b2) = example_network()
    return hand_gradients(x[0].tolist(), y[0].tolist(), W1.tolist(),
                          b1.tolist(), W2.tolist(), b2.tolist())


def show_parameters():
    """The example's parameters as a table."""
    _, _, (W1, b1, W2, b2) = example_network()
    rows = []
    for j in range(3):
        rows.append({"单元": f"h{j + 1}（隐藏层）",
                     "权重（来自上一层各单元）":
                         ", ".join(f"{v:+.2f}" for v in W1[j]),
                     "偏置": f"{b1[j]:+.2f}"})
    for k in range(2):
        rows.append({"单元": f"o{k + 1}（输出层）",
                     "权重（来自上一层各单元）":
                         ", ".join(f"{v:+.2f}" for v in W2[k]),
                     "偏置": f"{b2[k]:+.2f}"})
    return pd.DataFrame(rows).set_index("单元")


def show_forward():
    """Net inputs and activations of the example, layer by layer."""
    x, y, (W1, b1, W2, b2) = example_network()
    res = backprop(x, y, [W1, W2], [b1, b2])
    rows = []
    for i in range(2):
        rows.append({"单元": f"x{i + 1}（输入）", "净输入 z": "",
                     "激活 a": _fmt(x[0, i], 4), "目标 y": ""})
    for j in range(3):
        rows.append({"单元": f"h{j + 1}", "净输入 z": _fmt(res.z[0][0, j]),
                     "激活 a": _fmt(res.a[1][0, j]), "目标 y": ""})
    for k in range(2):
        rows.append({"单元": f"o{k + 1}", "净输入 z": _fmt(res.z[1][0, k]),
                     "激活 a": _fmt(res.a[2][0, k]),
                     "目标 y": _fmt(y[0, k], 4)})
    return pd.DataFrame(rows).set_index("单元")


def show_loss():
    x, y, (W1, b1, W2, b2) = example_network()
    res = backprop(x, y, [W1, W2], [b1, b2])
    o = res.a[2][0]
    return "\n".join([
        "L = ((o1 − y1)² + (o2 − y2)²) / 2",
        f"  = (({o[0]:.6f} − {y[0, 0]:.1f})² + ({o[1]:.6f} − "
        f"{y[0, 1]:.1f})²) / 2",
        f"  = {res.loss:.6f}",
    ])


def _chain_lines(steps):
    width = max(len(lhs) for lhs, _, _ in steps)
    wf = max(len(f) for _, f, _ in steps)
    return [f"  {lhs.ljust(width)} = {f.ljust(wf)} = {v:+.6f}"
            for lhs, f, v in steps]


def show_output_chain():
    """The chain rule for w2[1,1] (h1 -> o1) and w1[1,1] (x1 -> h1)."""
    x, y, (W1, b1, W2, b2) = example_network()
    res = backprop(x, y, [W1, W2], [b1, b2])
    h, o = res.a[1][0], res.a[2][0]
    d2 = [(o[k] - y[0, k]) * o[k] * (1 - o[k]) for k in range(2)]
    back = d2[0] * W2[0, 0] + d2[1] * W2[1, 0]
    d1 = back * h[0] * (1 - h[0])
    out = _chain_lines([
        ("∂L/∂o1", "o1 − y1", o[0] - y[0, 0]),
        ("∂o1/∂z2_1", "o1 (1 − o1)", o[0] * (1 - o[0])),
        ("δ2_1", "∂L/∂o1 · ∂o1/∂z2_1", d2[0]),
        ("∂L/∂w2[1,1]", "δ2_1 · h1", d2[0] * h[0]),
    ])
    hidden = _chain_lines([
        ("δ2_2", "(o2 − y2) o2 (1 − o2)", d2[1]),
        ("∂L/∂h1", "δ2_1 w2[1,1] + δ2_2 w2[2,1]", back),
        ("∂h1/∂z1_1", "h1 (1 − h1)", h[0] * (1 - h[0])),
        ("δ1_1", "∂L/∂h1 · ∂h1/∂z1_1", d1),
        ("∂L/∂w1[1,1]", "δ1_1 · x1", d1 * x[0, 0]),
    ])
    return "\n".join(["输出层权重 w2[1,1]（h1 → o1）："] + out + [
        "", "隐藏层权重 w1[1,1]（x1 → h1）："] + hidden)


def _torch_grads(x, y, weights, biases, activation, output_activation,
                 loss):
    """Reference: the same network in PyTorch (float64), via autograd."""
    import torch

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
        value = torch.nn.CrossEntropyLoss()(zs[-1], torch.tensor(y))
    value.backward()
    return (value.item(), [W.grad.numpy() for W in Ws],
            [b.grad.numpy() for b in bs], [z.grad.numpy() for z in zs])


def show_hand_gradients():
    """Every gradient of the example: scalar chain rule vs autograd."""
    x, y, (W1, b1, W2, b2) = example_network()
    _, gW1, gb1, gW2, gb2 = _example_hand()
    _, tW, tb, _ = _torch_grads(x, y, [W1, W2], [b1, b2], "sigmoid",
                                "sigmoid", "mse")
    rows, errs = [], []

    def add(name, hand, ref):
        rows.append({"参数": name, "手算（链式法则）": f"{hand:+.8f}",
                     "autograd": f"{ref:+.8f}"})
        errs.append(abs(hand - ref))

    for j in range(3):
        for i in range(2):
            add(f"w1[{j + 1},{i + 1}]", gW1[j][i], tW[0][j, i])
    for j in range(3):
        add(f"b1[{j + 1}]", gb1[j], tb[0][j])
    for k in range(2):
        for j in range(3):
            add(f"w2[{k + 1},{j + 1}]", gW2[k][j], tW[1][k, j])
    for k in range(2):
        add(f"b2[{k + 1}]", gb2[k], tb[1][k])
    # 两边只差在运算顺序上：差是双精度舍入，量级约 1e-17
    print(f"全部 {len(rows)} 个参数，手算与 autograd 的最大差 "
          f"{bound(max(errs), 1e-15)}")
    return pd.DataFrame(rows).set_index("参数")


def show_matrix_form():
    """The matrix form on the example equals the scalar loops."""
    x, y, (W1, b1, W2, b2) = example_network()
    res = backprop(x, y, [W1, W2], [b1, b2])
    _, gW1, gb1, gW2, gb2 = _example_hand()
    diff = max(np.abs(res.grad_W[0] - np.array(gW1)).max(),
               np.abs(res.grad_W[1] - np.array(gW2)).max(),
               np.abs(res.grad_b[0] - np.array(gb1)).max(),
               np.abs(res.grad_b[1] - np.array(gb2)).max())
    return "\n".join([
        f"δ(2) = {np.array2string(res.delta[1][0], precision=6)}",
        f"δ(1) = {np.array2string(res.delta[0][0], precision=6)}",
        "∂L/∂W(2) = δ(2) a(1)ᵀ =",
        np.array2string(res.grad_W[1], precision=6),
        "∂L/∂W(1) = δ(1) xᵀ =",
        np.array2string(res.grad_W[0], precision=6),
        f"与逐个标量手算的最大差：{bound(diff, 1e-15)}",
    ])


# ---------------------------------------------------------------------------
# A batch, a deeper network and the references
# ---------------------------------------------------------------------------

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


def _batch_problem():
    rng = np.random.default_rng(0)
    sizes = [4, 5, 3, 3]
    weights, biases = random_network(sizes, rng)
    x = rng.normal(size=(6, sizes[0]))
    y = rng.integers(0, sizes[-1], size=6)
    return x, y, weights, biases


def show_shapes():
    """Every array's shape in a batch through a 4-5-3-3 network."""
    x, y, weights, biases = _batch_problem()
    res = backprop(x, y, weights, biases, activation="tanh",
                   output_activation="identity", loss="cross_entropy")
    rows = []
    for l in range(len(weights)):
        rows.append({
            "层 l": l + 1,
            "W(l)": str(weights[l].shape), "b(l)": str(biases[l].shape),
            "A(l−1)": str(res.a[l].shape), "Z(l), A(l), Δ(l)":
                str(res.z[l].shape),
            "∂L/∂W(l) = Δᵀ A(l−1)": str(res.grad_W[l].shape),
            "∂L/∂b(l)": str(res.grad_b[l].shape),
        })
    return pd.DataFrame(rows).set_index("层 l")


def show_autograd_check():
    """backprop vs autograd on the batch problem, for three configurations."""
    x, y, weights, biases = _batch_problem()
    rng = np.random.default_rng(1)
    y_reg = rng.uniform(size=(6, 3))
    configs = [
        ("sigmoid / sigmoid / mse", "sigmoid", "sigmoid", "mse", y_reg),
        ("tanh / identity / mse", "tanh", "identity", "mse", y_reg),
        ("relu / identity / 交叉熵", "relu", "identity", "cross_entropy", y),
    ]
    rows, err = [], 0.0
    for label, act, out_act, loss, target in configs:
        res = backprop(x, target, weights, biases, act, out_act, loss)
        t_loss, tW, tb, tdelta = _torch_grads(x, target, weights, biases,
                                              act, out_act, loss)
        # 损失、每层的 ∂L/∂W、∂L/∂b 和 δ，逐个元素取最大差
        pairs = [(res.loss, t_loss)] + list(zip(
            res.grad_W + res.grad_b + res.delta, tW + tb + tdelta))
        err = max([err] + [np.abs(np.subtract(a, b)).max() for a, b in pairs])
        rows.append({
            "配置（隐藏/输出/损失）": label,
            "损失": _fmt(res.loss),
            "max|∂L/∂W|": f"{max(np.abs(g).max() for g in res.grad_W):.4f}",
            "max|∂L/∂b|": f"{max(np.abs(g).max() for g in res.grad_b):.4f}",
            "max|δ|": f"{max(np.abs(d).max() for d in res.delta):.4f}",
        })
    # 这些量最大约 1.5，双精度的舍入差约 1e-16，上界留出两个数量级的余量
    print("三种配置、三层中，backprop 与 autograd 的损失、∂L/∂W、∂L/∂b 和 δ "
          f"逐元素的最大差 {bound(err, 1e-14)}")
    return pd.DataFrame(rows).set_index("配置（隐藏/输出/损失）")


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


# 步长 h -> 上界。None：截断误差主导，数值由 L 的三阶导数决定，照常打印；
# 其余由舍入误差主导，约 ε·L/h ≈ 3e-16 / h（L ≈ 1.4），末位随 CPU 内核而变，
# 只给出上界，比这个估计高出约 30 倍
_FD_STEPS = {1e-2: None, 1e-3: None, 1e-4: None, 1e-6: 1e-8, 1e-8: 1e-6}


def show_finite_difference():
    """Backprop vs central differences on the batch problem, for several h."""
    x, y, weights, biases = _batch_problem()
    kw = dict(activation="tanh", output_activation="identity",
              loss="cross_entropy")
    res = backprop(x, y, weights, biases, **kw)
    g_max = max(np.abs(g).max() for g in res.grad_W)
    rows = []
    for h, limit in _FD_STEPS.items():
        fd = finite_difference(x, y, [W.copy() for W in weights], biases,
                               h=h, **kw)
        err = max(np.abs(g - n).max() for g, n in zip(res.grad_W, fd))
        if limit is None:  # 截断误差 ≈ h²/6 · L‴
            shown, rel = f"{err:.1e}", f"{err / g_max:.1e}"
        else:  # 舍入误差：只给出上界
            shown, rel = bound(err, limit), bound(err / g_max, limit * 10)
        rows.append({"步长 h": f"{h:.0e}", "max|backprop − 差分|": shown,
                     "相对误差": rel})
    n = sum(W.size for W in weights)
    print(f"全部 {n} 个权重，max|∂L/∂W| = {g_max:.4f}")
    return pd.DataFrame(rows).set_index("步长 h")


def plot_step_size():
    """Error of forward and central differences against the step h."""
    import matplotlib.pyplot as plt

    x, y, weights, biases = _batch_problem()
    kw = dict(activation="tanh", output_activation="identity",
              loss="cross_entropy")
    exact = backprop(x, y, weights, biases, **kw).grad_W[0][0, 0]
    hs = np.logspace(-13, -1, 49)
    fwd, cen = [], []
    base = backprop(x, y, weights, biases, **kw).loss
    for h in hs:
        Ws = [W.copy() for W in weights]
        Ws[0][0, 0] += h
        up = backprop(x, y, Ws, biases, **kw).loss
        Ws[0][0, 0] -= 2 * h
        down = backprop(x, y, Ws, biases, **kw).loss
        fwd.append(abs((up - base) / h - exact))
        cen.append(abs((up - down) / (2 * h) - exact))
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.loglog(hs, np.maximum(fwd, 1e-17), "o-", ms=3, label="前向差分")
    ax.loglog(hs, np.maximum(cen, 1e-17), "s-", ms=3, label="中心差分")
    ax.set_xlabel("步长 h")
    ax.set_ylabel("与 backprop 梯度的绝对误差")
    ax.set_title("差分近似的误差：截断误差与舍入误差的折中")
    ax.legend()
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------
# Gradient descent: hand-computed gradients vs torch.optim.SGD
# ---------------------------------------------------------------------------

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


SGD_LR, SGD_STEPS, SGD_SIZES = 1.0, 400, [2, 16, 16, 3]


def _sgd_runs():
    x, y = spiral_data()
    weights, biases = random_network(SGD_SIZES, np.random.default_rng(0))
    kw = dict(activation="tanh", output_activation="identity",
              loss="cross_entropy")
    manual, Ws, bs = train_manual(x, y, weights, biases, SGD_LR, SGD_STEPS,
                                  **kw)
    reference, model = train_torch(x, y, weights, biases, SGD_LR, SGD_STEPS)
    return x, y, manual, reference, Ws, bs, model, kw


def show_sgd_agreement():
    x, y, manual, reference, Ws, bs, model, kw = _sgd_runs()
    import torch

    final = backprop(x, y, Ws, bs, **kw)
    acc = (final.z[-1].argmax(axis=1) == y).mean()
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    param_diff = max(
        max(np.abs(W - lin.weight.detach().numpy()).max(),
            np.abs(b - lin.bias.detach().numpy()).max())
        for W, b, lin in zip(Ws, bs, linears))
    return "\n".join([
        f"网络 {'-'.join(map(str, SGD_SIZES))}，tanh 隐藏层，学习率 {SGD_LR}，"
        f"全批量 {len(y)} 个样本，{SGD_STEPS} 步",
        f"第 1 步损失：手算 {manual[0]:.6f}，SGD {reference[0]:.6f}",
        f"最后一步损失：手算 {manual[-1]:.6f}，SGD {reference[-1]:.6f}",
        # 起初只差 1e-16，损失跳高的那几步把差放大到 1e-10 左右
        f"各步损失的最大差：{bound(np.abs(manual - reference).max(), 1e-8)}",
        f"训练后参数的最大差：{bound(param_diff, 1e-9)}",
        f"训练集准确率：{acc:.1%}",
    ])


def plot_sgd():
    """Loss curves of both trainings, and the learned decision regions."""
    import matplotlib.pyplot as plt

    x, y, manual, reference, Ws, bs, _, kw = _sgd_runs()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 3.8))
    steps = np.arange(1, len(manual) + 1)
    left.plot(steps, manual, lw=2.2, label="手算梯度 + 梯度下降")
    left.plot(steps[::12], reference[::12], "o", ms=4, mfc="none",
              label="torch.optim.SGD")
    left.set_yscale("log")
    left.set_xlabel("迭代步数")
    left.set_ylabel("交叉熵损失")
    left.set_title("两条损失曲线重合")
    left.legend()

    g = np.linspace(-1.2, 1.2, 241)
    gx, gy = np.meshgrid(g, g)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    dummy = np.zeros(len(grid), dtype=int)
    logits = backprop(grid, dummy, Ws, bs, **kw).z[-1]
    pred = logits.argmax(axis=1).reshape(gx.shape)
    right.contourf(gx, gy, pred, levels=[-0.5, 0.5, 1.5, 2.5],
                   colors=["C0", "C1", "C2"], alpha=0.18)
    for c, marker in zip(range(3), ("o", "s", "^")):
        pts = x[y == c]
        right.scatter(pts[:, 0], pts[:, 1], color=f"C{c}", marker=marker,
                      s=14, label=f"类别 {c}")
    right.set_title("手算梯度训练出的决策区域")
    right.set_aspect("equal")
    right.grid(False)
    right.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig
