"""The tables, texts and figures of the backprop post (public API only).

They compare ``backprop`` and ``hand_gradients`` with PyTorch autograd,
with central finite differences and with ``torch.optim.SGD``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from docexec import Responsive
from snippets._precision import bound
from snippets.backprop import (SGD_LR, SGD_SIZES, SGD_STEPS, TANH_CE,
                               autograd_gradients, backprop, batch_problem,
                               example_network, finite_difference,
                               hand_gradients, sgd_runs)


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


def show_hand_gradients():
    """Every gradient of the example: scalar chain rule vs autograd."""
    x, y, (W1, b1, W2, b2) = example_network()
    _, gW1, gb1, gW2, gb2 = _example_hand()
    _, tW, tb, _ = autograd_gradients(x, y, [W1, W2], [b1, b2], "sigmoid",
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


def show_shapes():
    """Every array's shape in a batch through a 4-5-3-3 network."""
    x, y, weights, biases = batch_problem()
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
    x, y, weights, biases = batch_problem()
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
        t_loss, tW, tb, tdelta = autograd_gradients(
            x, target, weights, biases, act, out_act, loss)
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


# 步长 h -> 上界。None：截断误差主导，数值由 L 的三阶导数决定，照常打印；
# 其余由舍入误差主导，约 ε·L/h ≈ 3e-16 / h（L ≈ 1.4），末位随 CPU 内核而变，
# 只给出上界，比这个估计高出约 30 倍
_FD_STEPS = {1e-2: None, 1e-3: None, 1e-4: None, 1e-6: 1e-8, 1e-8: 1e-6}


def show_finite_difference():
    """Backprop vs central differences on the batch problem, for several h."""
    x, y, weights, biases = batch_problem()
    kw = TANH_CE
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

    x, y, weights, biases = batch_problem()
    kw = TANH_CE
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


def show_sgd_agreement():
    import torch

    x, y, manual, reference, Ws, bs, model = sgd_runs()
    kw = TANH_CE

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

    x, y, manual, reference, Ws, bs, _ = sgd_runs()
    kw = TANH_CE

    def draw(narrow):  # 手机上两图上下排列
        fig, (left, right) = plt.subplots(
            *((2, 1) if narrow else (1, 2)),
            figsize=(4.0, 7.4) if narrow else (9.0, 3.8))
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

    return Responsive(draw(False), narrow=lambda: draw(True))


def plot_network():
    """The 2-3-2 example with its weights on the edges and biases by the units."""
    import matplotlib.pyplot as plt

    _, _, (W1, b1, W2, b2) = example_network()
    layers = [("x", [0.5, -0.5], None), ("h", [1.0, 0.0, -1.0], b1),
              ("o", [0.5, -0.5], b2)]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for l, W in enumerate((W1, W2)):
        (_, ys_in, _), (_, ys_out, _) = layers[l], layers[l + 1]
        for j, y_out in enumerate(ys_out):
            for k, y_in in enumerate(ys_in):
                w = W[j, k]
                ax.plot([l, l + 1], [y_in, y_out], color="C0" if w > 0 else "C3",
                        linewidth=0.8 + 4 * abs(w), alpha=0.7, zorder=1)
                # the label sits a third of the way from the target unit
                tx, ty = l + 2 / 3, y_in + (y_out - y_in) * 2 / 3
                ax.text(tx, ty, f"{w:+.1f}", fontsize=8, ha="center", va="center",
                        bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none",
                                  alpha=0.85), zorder=3)
    for l, (name, ys, bias) in enumerate(layers):
        for j, y in enumerate(ys):
            ax.scatter([l], [y], s=900, color="white", edgecolors="C7",
                       linewidths=1.5, zorder=2)
            ax.text(l, y, f"{name}{j + 1}", ha="center", va="center", fontsize=10,
                    zorder=4)
            if bias is not None:
                ax.text(l, y - 0.27, f"b = {bias[j]:+.2f}", ha="center", va="top",
                        fontsize=8, color="C7", zorder=4)
    ax.plot([], [], color="C0", linewidth=2, label="正权重")
    ax.plot([], [], color="C3", linewidth=2, label="负权重")
    ax.legend(loc="upper center", ncol=2, fontsize=8, bbox_to_anchor=(0.5, 1.08))
    ax.set_xlim(-0.4, 2.4)
    ax.set_ylim(-1.55, 1.35)
    ax.set_xticks([0, 1, 2], ["输入层", "隐藏层（sigmoid）", "输出层（sigmoid）"])
    ax.set_yticks([])
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig
