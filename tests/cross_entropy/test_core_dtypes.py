"""snippets/cross_entropy/core.py in every floating dtype: as accurate as torch, same dtype.

Error is measured against torch in float64 on the same (already rounded) inputs, for ours
and for torch in the input dtype; ours may be at most 1.25x torch's error plus a slack of
half an ulp of the result (the final rounding, which torch can get right by luck) and a few
ulps of the working precision (float32 for float16/bfloat16).
"""

import math

import pytest
import torch
import torch.nn.functional as F
from cross_entropy.problems import DTYPES, LOW, problems
from hypothesis import given, settings

from snippets.cross_entropy import cross_entropy


def _ulp(ref, dtype):
    info = torch.finfo(dtype)
    _, exponent = torch.frexp(ref.abs())
    return torch.clamp(info.eps * torch.exp2((exponent - 1).double()), min=info.tiny * info.eps)


def _float64(x):
    return x.double() if isinstance(x, torch.Tensor) and x.is_floating_point() else x


def _reference(logits, target, kwargs):
    kw64 = {k: _float64(v) for k, v in kwargs.items()}
    return F.cross_entropy(logits.double(), _float64(target), **kw64)


def _accuracy_slack(ref, logits, kwargs, dtype):
    work = torch.finfo(torch.promote_types(dtype, torch.float32)).eps
    weight = kwargs.get("weight")
    spread = 1.0 if weight is None else (weight.max() / weight.min()).item()
    if kwargs.get("reduction", "mean") != "none":  # errors of the per-sample terms add up
        class_dim = 0 if logits.dim() == 1 else 1
        spread *= max(1, logits.numel() // max(1, logits.shape[class_dim]))
    return 0.5 * _ulp(ref, dtype) + 8 * work * (ref.abs() + spread)


def _assert_as_accurate_as_torch(ours, theirs, ref, slack):
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    ours, theirs = ours.double(), theirs.double()
    # where even the float64 loss is inf or nan, or ours overflows the result dtype, ours
    # must say the same as torch
    same = ~torch.isfinite(ref) | ~torch.isfinite(ours)
    torch.testing.assert_close(ours[same], theirs[same], equal_nan=True, rtol=0, atol=0)
    err_ours = (ours - ref).abs()[~same]
    # inf where only torch overflows or returns nan (its float16 label smoothing can)
    err_torch = (theirs - ref).abs()[~same].nan_to_num(nan=math.inf)
    excess = err_ours - (1.25 * err_torch + slack[~same])
    assert (excess <= 0).all(), (err_ours.max().item(), err_torch.max().item())


@settings(max_examples=600, deadline=None)
@given(problems(dtypes=DTYPES))
def test_as_accurate_as_torch_in_every_dtype(problem):
    logits, target, kwargs = problem
    ours = cross_entropy(logits, target, **kwargs)
    theirs = F.cross_entropy(logits, target, **kwargs)
    ref = _reference(logits, target, kwargs)
    _assert_as_accurate_as_torch(ours, theirs, ref,
                                 _accuracy_slack(ref, logits, kwargs, theirs.dtype))


@settings(max_examples=200, deadline=None)
@given(problems(dtypes=LOW))
def test_low_precision_gradients_as_accurate_as_torch(problem):
    logits, target, kwargs = problem
    if logits.numel() == 0:
        return
    grads = []
    for fn, x, t, kw in ((F.cross_entropy, logits.double(), _float64(target),
                          {k: _float64(v) for k, v in kwargs.items()}),
                         (F.cross_entropy, logits, target, kwargs),
                         (cross_entropy, logits, target, kwargs)):
        x = x.clone().requires_grad_(True)
        out = fn(x, t, **kw)
        upstream = torch.linspace(0.5, 1.5, out.numel(), dtype=torch.float64)
        (out * upstream.reshape(out.shape).to(out.dtype)).sum().backward()
        assert x.grad.dtype == x.dtype
        grads.append(x.grad.double())
    ref, theirs, ours = grads
    finite = torch.isfinite(ref)
    if not finite.any():
        return
    err_ours = (ours - ref).abs()[finite]
    err_torch = (theirs - ref).abs()[finite]
    slack = 2 * torch.finfo(logits.dtype).eps * ref.abs()[finite].max()
    assert (err_ours <= 1.25 * err_torch + slack).all()


def _low_precision_cases(dtype, kind, count=100, seed=0):
    gen = torch.Generator().manual_seed(seed)
    for _ in range(count):
        n = int(torch.randint(1, 9, (), generator=gen))
        c = int(torch.randint(2, 30, (), generator=gen))
        scale = [0.1, 1.0, 3.0, 10.0][int(torch.randint(0, 4, (), generator=gen))]
        shape = (n, c, 3) if kind == "k-dim" else (n, c)
        logits = (torch.randn(shape, generator=gen, dtype=torch.float64) * scale).to(dtype)
        kwargs = {}
        if kind == "probabilities":
            raw = torch.rand(shape, generator=gen, dtype=torch.float64)
            target = (raw / raw.sum(1, keepdim=True)).to(dtype)
        else:
            target = torch.randint(0, c, (n, 3) if kind == "k-dim" else (n,), generator=gen)
        if kind == "weight":
            kwargs["weight"] = (torch.rand(c, generator=gen, dtype=torch.float64) + 0.5).to(dtype)
        if kind == "label_smoothing":
            kwargs["label_smoothing"] = 0.1
        yield logits, target, kwargs


@pytest.mark.parametrize("kind", ["indices", "weight", "label_smoothing", "probabilities",
                                  "k-dim"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("dtype", LOW)
def test_low_precision_mean_error_is_not_above_torchs(dtype, reduction, kind):
    """The issue's statistic: mean absolute error over 100 fixed random problems.

    Computing log-softmax in float16/bfloat16 made it up to 1.37x torch's; upcast to
    float32, as torch does, it is at most torch's.
    """
    err_ours = err_torch = 0.0
    for logits, target, kwargs in _low_precision_cases(dtype, kind):
        ref = _reference(logits, target, dict(kwargs, reduction=reduction))
        ours = cross_entropy(logits, target, reduction=reduction, **kwargs)
        theirs = F.cross_entropy(logits, target, reduction=reduction, **kwargs)
        err_ours += (ours.double() - ref).abs().mean().item()
        err_torch += (theirs.double() - ref).abs().mean().item()
    assert err_ours <= 1.05 * err_torch


@pytest.mark.parametrize("logits_dtype", DTYPES)
@pytest.mark.parametrize("target_dtype", DTYPES)
def test_result_dtype_is_torchs_for_mixed_probability_targets(logits_dtype, target_dtype):
    gen = torch.Generator().manual_seed(5)
    logits = torch.randn(4, 6, generator=gen, dtype=torch.float64).to(logits_dtype)
    raw = torch.rand(4, 6, generator=gen, dtype=torch.float64)
    target = (raw / raw.sum(1, keepdim=True)).to(target_dtype)
    for kwargs in ({}, {"label_smoothing": 0.2}, {"weight": torch.ones(6, dtype=logits_dtype)}):
        for reduction in ("none", "mean", "sum"):
            kw = dict(kwargs, reduction=reduction)
            ours = cross_entropy(logits, target, **kw)
            theirs = F.cross_entropy(logits, target, **kw)
            ref = _reference(logits, target, kw)
            _assert_as_accurate_as_torch(ours, theirs, ref,
                                         _accuracy_slack(ref, logits, kw, theirs.dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [1e-30, 1.0, 1e4, -1e4])
def test_extreme_scales_in_every_dtype(dtype, scale):
    gen = torch.Generator().manual_seed(6)
    logits = (torch.randn(8, 5, generator=gen, dtype=torch.float64) * scale).to(dtype)
    target = torch.randint(0, 5, (8,), generator=gen)
    for reduction in ("none", "mean", "sum"):
        for eps in (0.0, 0.1):
            kw = dict(reduction=reduction, label_smoothing=eps)
            ours = cross_entropy(logits, target, **kw)
            theirs = F.cross_entropy(logits, target, **kw)
            ref = _reference(logits, target, kw)
            _assert_as_accurate_as_torch(ours, theirs, ref,
                                         _accuracy_slack(ref, logits, kw, theirs.dtype))
    if scale == 1e-30:  # all logits equal up to rounding: the loss is log C
        assert cross_entropy(logits, target).double().item() == pytest.approx(
            math.log(5), rel=torch.finfo(dtype).eps)
