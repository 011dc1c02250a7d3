"""The tables, texts and figure that the post executes.

Demos use the public API of ``core`` and ``data`` only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from docexec import Responsive
from snippets._precision import bound
from snippets.cross_entropy.core import (REDUCTIONS, cross_entropy,
                                         stable_log_softmax)
from snippets.cross_entropy.data import example_batch

CLASSES = ["猫", "狗", "鸟", "鱼", "马"]

# Two float64 computations of one loss or gradient (values of order 1) differ
# by rounding noise of about 1e-16; the demos state the gap as a bound well
# above that noise (snippets/_precision.py).
LIMIT_F64 = 1e-13


def _fmt(x, digits=4):
    return f"{x:.{digits}f}"


def show_logits():
    logits, target = example_batch()
    df = pd.DataFrame(logits.numpy(), columns=CLASSES)
    df.insert(0, "样本", [f"x{i + 1}" for i in range(len(df))])
    df["真实类别"] = [CLASSES[t] for t in target]
    return df.set_index("样本")


# --8<-- [start:manual_steps]
def manual_steps(logits, target):
    """softmax -> log -> pick the target -> negate -> mean, step by step."""
    exp = torch.exp(logits - logits.amax(dim=1, keepdim=True))
    probs = exp / exp.sum(dim=1, keepdim=True)
    log_probs = torch.log(probs)
    picked = log_probs[torch.arange(len(target)), target]
    losses = -picked
    return probs, log_probs, losses, losses.mean()
# --8<-- [end:manual_steps]


def show_probabilities():
    logits, target = example_batch()
    probs, _, _, _ = manual_steps(logits, target)
    df = pd.DataFrame([[_fmt(v) for v in row] for row in probs.tolist()], columns=CLASSES)
    df.insert(0, "样本", [f"x{i + 1}" for i in range(len(df))])
    df["行和"] = [_fmt(v) for v in probs.sum(dim=1).tolist()]
    return df.set_index("样本")


def show_manual_steps():
    logits, target = example_batch()
    probs, log_probs, losses, mean = manual_steps(logits, target)
    rows = []
    for i, t in enumerate(target.tolist()):
        rows.append({
            "样本": f"x{i + 1}", "真实类别": CLASSES[t],
            "p(真实类别)": _fmt(probs[i, t].item()),
            "log p": _fmt(log_probs[i, t].item()),
            "损失 −log p": _fmt(losses[i].item()),
        })
    rows.append({"样本": "平均", "真实类别": "", "p(真实类别)": "", "log p": "",
                 "损失 −log p": _fmt(mean.item())})
    return pd.DataFrame(rows).set_index("样本")


def show_torch_agreement():
    logits, target = example_batch()
    _, _, _, manual = manual_steps(logits, target)
    ours = cross_entropy(logits, target)
    reference = torch.nn.CrossEntropyLoss()(logits, target)
    values = [manual.item(), ours.item(), reference.item()]
    gap = max(values) - min(values)  # 三者两两之差的最大值
    return "\n".join([
        f"手算（逐步）            : {values[0]:.12f}",
        f"cross_entropy（本文实现）: {values[1]:.12f}",
        f"nn.CrossEntropyLoss     : {values[2]:.12f}",
        f"最大绝对误差            : {bound(gap, LIMIT_F64)}",
    ])


def show_overflow():
    # 双精度同样放不下 e^1000（上限约 1.8e308）；末位在任何 CPU 上都相同
    logits = torch.tensor([[1000.0, 1001.0, 1002.0]], dtype=torch.float64)
    naive = torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True)
    stable = torch.exp(stable_log_softmax(logits, dim=1))
    lines = [
        f"exp(logits)            = {torch.exp(logits).tolist()}",
        f"朴素 softmax            = {naive.tolist()}",
        f"减去最大值后的 softmax  = {[round(v, 6) for v in stable[0].tolist()]}",
        f"本文实现的损失 (目标=2) = {cross_entropy(logits, torch.tensor([2])).item():.6f}",
        f"PyTorch 的损失 (目标=2) = "
        f"{torch.nn.functional.cross_entropy(logits, torch.tensor([2])).item():.6f}",
    ]
    return "\n".join(lines)


def show_reductions():
    logits, target = example_batch()
    rows = []
    for reduction in REDUCTIONS:
        ours = cross_entropy(logits, target, reduction=reduction)
        ref = torch.nn.CrossEntropyLoss(reduction=reduction)(logits, target)
        rows.append({"reduction": reduction,
                     "本文实现": ", ".join(_fmt(v) for v in ours.reshape(-1).tolist()),
                     "PyTorch": ", ".join(_fmt(v) for v in ref.reshape(-1).tolist())})
    return pd.DataFrame(rows).set_index("reduction")


def show_weighted_mean():
    logits, target = example_batch()
    weight = torch.tensor([1.0, 1.0, 1.0, 3.0, 1.0], dtype=torch.float64)
    per_sample = cross_entropy(logits, target, weight=weight, reduction="none")
    w_t = weight[target]
    ref = torch.nn.CrossEntropyLoss(weight=weight)(logits, target)
    return "\n".join([
        f"目标类别的权重 w[y]      = {w_t.tolist()}",
        f"加权后的逐样本损失       = {[round(v, 4) for v in per_sample.tolist()]}",
        f"除以样本数（错误的理解） = {(per_sample.sum() / len(target)).item():.6f}",
        f"除以权重之和 Σw[y]       = {(per_sample.sum() / w_t.sum()).item():.6f}",
        f"nn.CrossEntropyLoss      = {ref.item():.6f}",
    ])


def show_ignore_index():
    logits, _ = example_batch()
    target = torch.tensor([0, -100, 3])
    ours = cross_entropy(logits, target, reduction="none")
    mean = cross_entropy(logits, target)
    ref = torch.nn.functional.cross_entropy(logits, target)
    all_ignored = torch.full((3,), -100)
    return "\n".join([
        f"目标                     = {target.tolist()}",
        f"逐样本损失               = {[round(v, 4) for v in ours.tolist()]}",
        f"平均（只除以 2 个样本）  = {mean.item():.6f}",
        f"PyTorch                  = {ref.item():.6f}",
        f"全部被忽略时的平均损失   = {cross_entropy(logits, all_ignored).item()}"
        f"（PyTorch：{torch.nn.functional.cross_entropy(logits, all_ignored).item()}）",
    ])


def show_label_smoothing():
    logits, target = example_batch()
    rows = []
    for eps in (0.0, 0.1, 0.3):
        ours = cross_entropy(logits, target, label_smoothing=eps)
        ref = torch.nn.CrossEntropyLoss(label_smoothing=eps)(logits, target)
        # 按定义：把 one-hot 换成 (1-ε)·onehot + ε/C 的概率目标
        onehot = torch.nn.functional.one_hot(target, 5).to(torch.float64)
        soft = (1 - eps) * onehot + eps / 5
        by_definition = cross_entropy(logits, soft)
        rows.append({"ε": eps, "本文实现": _fmt(ours.item(), 6),
                     "软目标（按定义）": _fmt(by_definition.item(), 6),
                     "PyTorch": _fmt(ref.item(), 6)})
    return pd.DataFrame(rows).set_index("ε")


def show_probability_targets():
    logits, _ = example_batch()
    probs = torch.tensor([[0.7, 0.2, 0.1, 0.0, 0.0],
                          [0.0, 0.5, 0.0, 0.5, 0.0],
                          [0.1, 0.0, 0.0, 0.8, 0.1]], dtype=torch.float64)
    ours = cross_entropy(logits, probs, reduction="none")
    ref = torch.nn.functional.cross_entropy(logits, probs, reduction="none")
    return "\n".join([
        f"逐样本损失（本文实现） = {[round(v, 6) for v in ours.tolist()]}",
        f"逐样本损失（PyTorch）  = {[round(v, 6) for v in ref.tolist()]}",
        f"平均                   = {cross_entropy(logits, probs).item():.6f}",
    ])


def show_k_dimensional():
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 4, 3, 3, generator=gen, dtype=torch.float64)  # (N, C, H, W)
    target = torch.randint(0, 4, (2, 3, 3), generator=gen)  # (N, H, W)
    ours = cross_entropy(logits, target, reduction="none")
    ref = torch.nn.functional.cross_entropy(logits, target, reduction="none")
    err = (ours - ref).abs().max().item()
    return "\n".join([
        f"logits 形状 {tuple(logits.shape)}，target 形状 {tuple(target.shape)}",
        f"reduction='none' 的结果形状 {tuple(ours.shape)}",
        f"第 1 张图每个像素的损失：\n{np.array2string(ours[0].numpy(), precision=4)}",
        f"与 PyTorch 的最大绝对误差 {bound(err, LIMIT_F64)}",
    ])


# --8<-- [start:gradient_check]
def gradient_check():
    logits, target = example_batch()
    logits = logits.clone().requires_grad_(True)
    cross_entropy(logits, target).backward()
    with torch.no_grad():
        probs = torch.exp(stable_log_softmax(logits, dim=1))
        onehot = torch.nn.functional.one_hot(target, logits.shape[1])
        by_formula = (probs - onehot) / len(target)  # mean 归约带来 1/N
    return logits.grad, by_formula
# --8<-- [end:gradient_check]


def show_gradient_check():
    autograd, formula = gradient_check()
    rows = []
    for i in range(autograd.shape[0]):
        rows.append({"样本": f"x{i + 1}", "来源": "autograd",
                     **{c: _fmt(v, 5) for c, v in zip(CLASSES, autograd[i].tolist())}})
        rows.append({"样本": f"x{i + 1}", "来源": "(p − y)/N",
                     **{c: _fmt(v, 5) for c, v in zip(CLASSES, formula[i].tolist())}})
    df = pd.DataFrame(rows).set_index(["样本", "来源"])
    return df


def show_gradient_error():
    autograd, formula = gradient_check()
    err = (autograd - formula).abs().max().item()
    return f"autograd 与公式的最大绝对误差：{bound(err, LIMIT_F64)}"


def plot_negative_log():
    import matplotlib.pyplot as plt

    p = np.linspace(0.005, 1.0, 400)
    # 两个 logit 的损失曲面（第三个类别的 logit 固定为 0，目标是类别 0）
    z = np.linspace(-4, 4, 161)
    z0, z1 = np.meshgrid(z, z)
    logits = torch.tensor(np.stack([z0, z1, np.zeros_like(z0)], axis=-1).reshape(-1, 3))
    loss = cross_entropy(logits, torch.zeros(len(logits), dtype=torch.long),
                         reduction="none").reshape(z0.shape).numpy()

    def draw(narrow):  # 手机上两图上下排列
        fig, (left, right) = plt.subplots(
            *((2, 1) if narrow else (1, 2)),
            figsize=(4.0, 6.8) if narrow else (8.4, 3.4))
        left.plot(p, -np.log(p), label="−log p")
        left.set_xlabel("正确类别的预测概率 p")
        left.set_ylabel("损失")
        left.set_ylim(0, 5.5)
        for q in (0.1, 0.5, 0.9):
            left.plot([q], [-np.log(q)], "o", color="C1")
            left.annotate(f"p={q}: {-np.log(q):.2f}", (q, -np.log(q)),
                          textcoords="offset points", xytext=(8, 6))
        left.set_title("−log p：越自信地犯错，惩罚越重")
        left.legend()

        cs = right.contourf(z0, z1, loss, levels=12, cmap="viridis")
        right.contour(z0, z1, loss, levels=12, colors="white", linewidths=0.4,
                      alpha=0.6)
        fig.colorbar(cs, ax=right, label="损失")
        right.set_xlabel("z₀（目标类别的 logit）")
        right.set_ylabel("z₁")
        right.set_title("三分类、z₂ = 0 时的损失曲面")
        right.grid(False)
        fig.tight_layout()
        return fig

    return Responsive(draw(False), narrow=lambda: draw(True))


def show_uniform_loss():
    """Equal logits give every class 1/C: the loss is ln C whatever the target."""
    gen = torch.Generator().manual_seed(0)
    rows = []
    for c in (2, 5, 10, 100, 1000):
        logits = torch.zeros(8, c, dtype=torch.float64)
        target = torch.randint(0, c, (8,), generator=gen)
        rows.append({"类别数 C": c, "ln C": _fmt(float(np.log(c)), 6),
                     "本文实现": _fmt(cross_entropy(logits, target).item(), 6),
                     "PyTorch": _fmt(torch.nn.functional.cross_entropy(
                         logits, target).item(), 6)})
    return pd.DataFrame(rows).set_index("类别数 C")


def initial_losses(n=4096, features=32, classes=10, seed=0):
    """Mean loss of a freshly initialised classifier on random data, as built and with the
    last layer's weights scaled by 10 (over-confident from the first step)."""
    with torch.random.fork_rng(devices=[]):  # the caller's random state stays as it was
        torch.manual_seed(seed)
        net = torch.nn.Sequential(torch.nn.Linear(features, 64), torch.nn.ReLU(),
                                  torch.nn.Linear(64, classes)).double()
        x = torch.randn(n, features, dtype=torch.float64)
        y = torch.randint(0, classes, (n,))
    with torch.no_grad():
        default = cross_entropy(net(x), y).item()
        net[2].weight.mul_(10)
        scaled = cross_entropy(net(x), y).item()
    return default, scaled


def show_initial_loss():
    default, scaled = initial_losses()
    rows = [("均匀预测：ln 10", np.log(10)), ("默认初始化的网络", default),
            ("最后一层权重放大 10 倍", scaled)]
    return pd.DataFrame({"情形": [r[0] for r in rows],
                         "平均损失": [_fmt(r[1], 3) for r in rows]}).set_index("情形")


def show_kl_decomposition(label_smoothing=0.1):
    """With label smoothing the target q is no longer one-hot: H(q, p) = H(q) + KL(q || p)."""
    logits, target = example_batch()
    c, eps = logits.shape[1], label_smoothing
    q = (1 - eps) * torch.nn.functional.one_hot(target, c).to(logits.dtype) + eps / c
    ce = cross_entropy(logits, q, reduction="none")
    entropy = -(q * q.log()).sum(dim=1)
    kl = torch.nn.functional.kl_div(stable_log_softmax(logits, 1), q,
                                    reduction="none").sum(dim=1)
    gap = (ce - entropy - kl).abs().max().item()
    return "\n".join([
        f"交叉熵 H(q, p)（本文实现） = {[round(v, 6) for v in ce.tolist()]}",
        f"熵 H(q)                    = {[round(v, 6) for v in entropy.tolist()]}",
        f"KL(q ‖ p)（PyTorch kl_div）= {[round(v, 6) for v in kl.tolist()]}",
        f"|H(q, p) − H(q) − KL|      : {bound(gap, LIMIT_F64)}",
    ])
