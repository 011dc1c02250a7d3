"""Random cross-entropy problems shared by the tests of snippets/cross_entropy/core.py."""

import torch
from hypothesis import strategies as st

TOL = {torch.float64: dict(rtol=1e-10, atol=1e-10), torch.float32: dict(rtol=1e-5, atol=1e-5)}
# every floating dtype F.cross_entropy accepts on the CPU
DTYPES = [torch.float16, torch.bfloat16, torch.float32, torch.float64]
LOW = [torch.float16, torch.bfloat16]


@st.composite
def problems(draw, dtypes=(torch.float64, torch.float32)):
    """Random logits, targets and options, including K-dimensional and probability targets."""
    dtype = draw(st.sampled_from(list(dtypes)))
    n_classes = draw(st.integers(1, 7))
    batch = draw(st.integers(0, 6))
    extra = draw(st.lists(st.integers(1, 3), min_size=0, max_size=2))
    unbatched = draw(st.booleans()) and not extra
    seed = draw(st.integers(0, 2**31 - 1))
    gen = torch.Generator().manual_seed(seed)
    scale = draw(st.sampled_from([1e-30, 0.1, 1.0, 10.0, 100.0, 1e4]))
    shape = (n_classes,) if unbatched else (batch, n_classes, *extra)
    logits = (torch.randn(shape, generator=gen, dtype=torch.float64) * scale).to(dtype)
    probs_target = draw(st.booleans())
    ignore_index = draw(st.sampled_from([-100, 0, 1, 255]))
    if probs_target:
        ignore_index = -100  # torch rejects any other value for probability targets
        raw = torch.rand(shape, generator=gen, dtype=torch.float64)
        class_dim = 0 if unbatched else 1
        target = (raw / raw.sum(dim=class_dim, keepdim=True)).to(dtype)
    else:
        t_shape = () if unbatched else (batch, *extra)
        target = torch.randint(0, n_classes, t_shape, generator=gen)
        if draw(st.booleans()) and target.numel():
            mask = torch.rand(t_shape, generator=gen) < 0.3
            target = torch.where(mask, torch.full_like(target, ignore_index), target)
    weight = None
    if draw(st.booleans()):
        weight = (torch.rand(n_classes, generator=gen, dtype=torch.float64) * 2 + 0.1).to(dtype)
    kwargs = dict(
        weight=weight,
        ignore_index=ignore_index,
        reduction=draw(st.sampled_from(["mean", "sum", "none"])),
        label_smoothing=draw(st.sampled_from([0.0, 0.0, 0.05, 0.3, 1.0])),
    )
    return logits, target, kwargs


def assert_close_to_torch(ours, ref, dtype):
    assert ours.shape == ref.shape
    torch.testing.assert_close(ours, ref, equal_nan=True, **TOL[dtype])
