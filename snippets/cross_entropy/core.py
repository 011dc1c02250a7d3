"""CrossEntropyLoss by hand: the loss function a reader studies.

``cross_entropy`` reimplements ``torch.nn.functional.cross_entropy`` from
elementary tensor operations (max, exp, sum, log, gather): no ``softmax``,
``log_softmax``, ``logsumexp``, ``nll_loss`` or ``cross_entropy`` from torch.
"""

from __future__ import annotations

import numbers
import operator

import torch

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
