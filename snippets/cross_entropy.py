"""理解 PyTorch 中的 CrossEntropyLoss
文章：docs/blog/posts/2026-11-20-cross-entropy-loss.md

``cross_entropy`` reimplements ``torch.nn.functional.cross_entropy`` from
elementary tensor operations (max, exp, sum, log, gather): no ``softmax``,
``log_softmax``, ``logsumexp``, ``nll_loss`` or ``cross_entropy`` from torch.
The ``show_*``/``plot_*`` functions build the article's tables and figures.
"""

from __future__ import annotations

import numbers
import operator

import numpy as np
import pandas as pd
import torch

from snippets._precision import bound

REDUCTIONS = ("none", "mean", "sum")


# --8<-- [start:log_softmax]
def stable_log_softmax(logits: torch.Tensor, dim: int) -> torch.Tensor:
    """log softmax along ``dim`` via the max-subtraction trick."""
    m = logits.amax(dim=dim, keepdim=True).detach()
    # 整行都是 -inf 时 m 也是 -inf，减去它会得到 nan：此时改用 0
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
    shifted = logits - m  # 最大值变成 0，exp 不会上溢
    return shifted - torch.log(torch.exp(shifted).sum(dim=dim, keepdim=True))
# --8<-- [end:log_softmax]


def _name(value) -> str:
    return type(value).__name__


def _real(name, value) -> float:
    """A real number, not a bool (0-dim tensors are accepted, as by torch)."""
    if isinstance(value, torch.Tensor) and value.dim() == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_name(value)}")
    return float(value)


def _check(logits, target, weight, ignore_index, reduction, label_smoothing):
    """Validate the arguments of ``cross_entropy``.

    Returns (class_dim, n_classes, eps, out_dtype); see ``cross_entropy``
    for which mistake raises which exception.
    """
    for name, t in (("logits", logits), ("target", target)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {_name(t)}")
    if not logits.is_floating_point():
        raise TypeError(f"logits must be a floating-point tensor, got {logits.dtype}")
    if logits.dim() == 0:
        raise ValueError("logits must have a class dimension: shape (C,), (N, C) "
                         "or (N, C, d1, ...), got a 0-dim tensor")
    class_dim = 0 if logits.dim() == 1 else 1
    n_classes = logits.shape[class_dim]
    if n_classes == 0:
        raise ValueError(f"logits of shape {tuple(logits.shape)} have no classes "
                         f"(dimension {class_dim} is empty)")
    if not (isinstance(reduction, str) and reduction in REDUCTIONS):
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    eps = _real("label_smoothing", label_smoothing)
    if not 0.0 <= eps <= 1.0:  # nan fails this test too
        raise ValueError(f"label_smoothing must lie in [0, 1], got {eps}")
    if isinstance(ignore_index, bool):
        raise TypeError("ignore_index must be an int, got bool")
    try:
        ignore_index = operator.index(ignore_index)
    except TypeError:
        raise TypeError(f"ignore_index must be an int, got {_name(ignore_index)}") from None
    if weight is not None:
        if not isinstance(weight, torch.Tensor):
            raise TypeError(f"weight must be a torch.Tensor, got {_name(weight)}")
        if weight.dtype != logits.dtype:
            raise TypeError(f"weight must have the dtype of logits ({logits.dtype}), "
                            f"got {weight.dtype}")
        if tuple(weight.shape) != (n_classes,):
            raise ValueError(f"weight must have shape ({n_classes},) (one per class), "
                             f"got {tuple(weight.shape)}")

    if target.shape == logits.shape:  # class probabilities
        if not target.is_floating_point():
            raise TypeError("a target with the shape of logits holds class probabilities "
                            f"and must be floating point, got {target.dtype} (for "
                            "one-hot rows use .float(), or pass class indices)")
        if ignore_index != -100:  # as torch: probabilities have nothing to ignore
            raise ValueError("ignore_index is not supported for class-probability targets")
        return class_dim, n_classes, eps, torch.promote_types(logits.dtype, target.dtype)

    expected = tuple(logits.shape[:class_dim] + logits.shape[class_dim + 1:])
    if tuple(target.shape) != expected:
        raise ValueError(f"target has shape {tuple(target.shape)}; logits of shape "
                         f"{tuple(logits.shape)} need class indices of shape {expected} "
                         f"or class probabilities of shape {tuple(logits.shape)}")
    if target.is_floating_point() or target.is_complex() or target.dtype == torch.bool:
        raise TypeError(f"class-index targets must have an integer dtype, got {target.dtype}")
    target = target.long()  # so that any ignore_index compares exactly
    ignored = target == ignore_index
    bad = ~ignored & ((target < 0) | (target >= n_classes))
    if bad.any():
        raise IndexError(f"class index {int(target[bad][0])} is out of range "
                         f"[0, {n_classes}) (and is not ignore_index={ignore_index})")
    return class_dim, n_classes, eps, logits.dtype


# --8<-- [start:cross_entropy]
def cross_entropy(logits, target, weight=None, ignore_index=-100,
                  reduction="mean", label_smoothing=0.0):
    """Cross-entropy loss, as ``torch.nn.functional.cross_entropy``.

    logits: (C,), (N, C) or (N, C, d1, ...); target: class indices of
    shape (), (N,) or (N, d1, ...), or class probabilities with the
    shape of logits. float16 and bfloat16 are computed in float32 and
    rounded once at the end, as torch does.

    Errors follow Python's convention, which names the kind of mistake,
    not torch's catch-all RuntimeError: TypeError for a wrong type or
    dtype, ValueError for a wrong value or shape, IndexError for a class
    index outside [0, C) (as torch).
    """
    dim, C, eps, out_dtype = _check(logits, target, weight, ignore_index,
                                    reduction, label_smoothing)
    work = torch.promote_types(out_dtype, torch.float32)  # 至少 float32
    logp = stable_log_softmax(logits.to(work), dim)
    # weight 形如 (C,)；w_col 形如 (1, C, 1, ...)，沿类别维广播
    col = [C if d == dim else 1 for d in range(logp.dim())]
    w = None if weight is None else weight.to(work)
    w_col = None if weight is None else w.view(col)

    if target.shape == logits.shape:  # 目标是每个类别的概率
        q = target.to(work)
        if eps > 0:
            q = q * (1 - eps) + eps / C
        terms = -logp * q if w is None else -logp * q * w_col
        loss = terms.sum(dim=dim)  # 每个样本的损失
        denom = loss.numel()  # 'mean' 除以样本数
    else:  # 目标是类别下标
        target = target.long()  # uint8、int32 等一律按 int64 处理
        ignored = target == ignore_index
        safe = torch.where(ignored, 0, target)  # 被忽略处先取类别 0
        picked = logp.gather(dim, safe.unsqueeze(dim)).squeeze(dim)
        keep = (~ignored).to(work)
        w_t = keep if w is None else w[safe] * keep
        zero = torch.zeros_like(picked)
        # 用 where 而不是乘以 0：全部被忽略时 0/0 的梯度才是 0 而不是 nan
        loss = torch.where(ignored, zero, -picked * w_t)
        if eps > 0:  # 标签平滑：再加上对所有类别取平均的那一项
            smooth = -(logp if w is None else logp * w_col).sum(dim=dim)
            smooth = torch.where(ignored, zero, smooth)
            loss = (1 - eps) * loss + eps / C * smooth
        denom = w_t.sum()  # 加权平均：除以目标类别权重之和，不是样本数

    if reduction == "sum":
        loss = loss.sum()
    elif reduction == "mean":
        loss = loss.sum() / denom
    return loss.to(out_dtype)  # 只在最后舍入一次
# --8<-- [end:cross_entropy]


# ---------------------------------------------------------------------------
# Demos shown in the article
# ---------------------------------------------------------------------------

CLASSES = ["猫", "狗", "鸟", "鱼", "马"]

# Two float64 computations of one loss or gradient (values of order 1) differ
# by rounding noise of about 1e-16; the demos state the gap as a bound well
# above that noise (snippets/_precision.py).
LIMIT_F64 = 1e-13


def example_batch():
    """The article's running example: 3 samples, 5 classes, float64."""
    logits = torch.tensor([[2.0, 1.0, 0.1, -1.0, 0.5],
                           [0.3, 2.5, -0.4, 1.2, 0.0],
                           [-0.5, 0.2, 0.1, 3.0, 1.5]], dtype=torch.float64)
    target = torch.tensor([0, 3, 3])
    return logits, target


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
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.4))
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

    # 两个 logit 的损失曲面（第三个类别的 logit 固定为 0，目标是类别 0）
    z = np.linspace(-4, 4, 161)
    z0, z1 = np.meshgrid(z, z)
    logits = torch.tensor(np.stack([z0, z1, np.zeros_like(z0)], axis=-1).reshape(-1, 3))
    loss = cross_entropy(logits, torch.zeros(len(logits), dtype=torch.long),
                         reduction="none").reshape(z0.shape).numpy()
    cs = right.contourf(z0, z1, loss, levels=12, cmap="viridis")
    right.contour(z0, z1, loss, levels=12, colors="white", linewidths=0.4, alpha=0.6)
    fig.colorbar(cs, ax=right, label="损失")
    right.set_xlabel("z₀（目标类别的 logit）")
    right.set_ylabel("z₁")
    right.set_title("三分类、z₂ = 0 时的损失曲面")
    right.grid(False)
    fig.tight_layout()
    return fig
