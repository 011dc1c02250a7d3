"""snippets/cross_entropy.py against torch.nn.functional.cross_entropy."""

import inspect

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import cross_entropy as ce
from snippets.cross_entropy import cross_entropy

TOL = {torch.float64: dict(rtol=1e-10, atol=1e-10), torch.float32: dict(rtol=1e-5, atol=1e-5)}


@st.composite
def problems(draw):
    """Random logits, targets and options, including K-dimensional and probability targets."""
    dtype = draw(st.sampled_from([torch.float64, torch.float32]))
    n_classes = draw(st.integers(1, 7))
    batch = draw(st.integers(0, 6))
    extra = draw(st.lists(st.integers(1, 3), min_size=0, max_size=2))
    unbatched = draw(st.booleans()) and not extra
    seed = draw(st.integers(0, 2**31 - 1))
    gen = torch.Generator().manual_seed(seed)
    scale = draw(st.sampled_from([0.1, 1.0, 10.0, 100.0]))
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


def _assert_close(ours, ref, dtype):
    assert ours.shape == ref.shape
    torch.testing.assert_close(ours, ref, equal_nan=True, **TOL[dtype])


@settings(max_examples=400, deadline=None)
@given(problems())
def test_matches_torch_on_random_problems(problem):
    logits, target, kwargs = problem
    ours = cross_entropy(logits, target, **kwargs)
    ref = F.cross_entropy(logits, target, **kwargs)
    _assert_close(ours, ref, logits.dtype)


@settings(max_examples=150, deadline=None)
@given(problems())
def test_gradients_match_torch_autograd(problem):
    logits, target, kwargs = problem
    if logits.numel() == 0:
        return
    a = logits.clone().requires_grad_(True)
    b = logits.clone().requires_grad_(True)
    ours = cross_entropy(a, target, **kwargs)
    ref = F.cross_entropy(b, target, **kwargs)
    upstream = torch.linspace(0.5, 1.5, ours.numel(), dtype=logits.dtype).reshape(ours.shape)
    (ours * upstream).sum().backward()
    (ref * upstream).sum().backward()
    torch.testing.assert_close(a.grad, b.grad, equal_nan=True, **TOL[logits.dtype])


def test_module_class_agrees_with_functional_default_options():
    gen = torch.Generator().manual_seed(1)
    logits = torch.randn(8, 4, generator=gen, dtype=torch.float64)
    target = torch.randint(0, 4, (8,), generator=gen)
    ref = torch.nn.CrossEntropyLoss()(logits, target)
    _assert_close(cross_entropy(logits, target), ref, torch.float64)


@pytest.mark.parametrize("magnitude", [1e2, 1e3, 1e4, -1e4])
def test_stable_for_extreme_logits(magnitude):
    gen = torch.Generator().manual_seed(2)
    logits = (torch.randn(16, 6, generator=gen, dtype=torch.float64) * magnitude)
    target = torch.randint(0, 6, (16,), generator=gen)
    ours = cross_entropy(logits, target, reduction="none")
    ref = F.cross_entropy(logits, target, reduction="none")
    assert torch.isfinite(ours).all()
    torch.testing.assert_close(ours, ref, rtol=1e-10, atol=1e-8)
    # float32 at 1e4 as well
    ours32 = cross_entropy(logits.float(), target)
    assert torch.isfinite(ours32)
    torch.testing.assert_close(ours32, F.cross_entropy(logits.float(), target), rtol=1e-5, atol=1e-3)


def test_large_equal_logits_give_log_c():
    logits = torch.full((2, 5), 1e4, dtype=torch.float64)
    loss = cross_entropy(logits, torch.tensor([0, 4]))
    assert loss.item() == pytest.approx(np.log(5), rel=1e-12)


def test_all_ignored_batch_matches_torch():
    logits = torch.randn(4, 3, dtype=torch.float64)
    target = torch.full((4,), -100)
    for reduction in ("mean", "sum", "none"):
        for eps in (0.0, 0.2):
            ours = cross_entropy(logits, target, reduction=reduction, label_smoothing=eps)
            ref = F.cross_entropy(logits, target, reduction=reduction, label_smoothing=eps)
            torch.testing.assert_close(ours, ref, equal_nan=True)
    assert torch.isnan(cross_entropy(logits, target))


def test_empty_batch_matches_torch():
    logits = torch.empty(0, 3, dtype=torch.float64)
    for target in (torch.empty(0, dtype=torch.long), torch.empty(0, 3, dtype=torch.float64)):
        for reduction in ("mean", "sum", "none"):
            ours = cross_entropy(logits, target, reduction=reduction)
            ref = F.cross_entropy(logits, target, reduction=reduction)
            torch.testing.assert_close(ours, ref, equal_nan=True)


def test_int32_targets_are_accepted():
    logits = torch.randn(5, 3, dtype=torch.float64)
    target = torch.tensor([0, 1, 2, 1, 0], dtype=torch.int32)
    ref = F.cross_entropy(logits, target.long())
    torch.testing.assert_close(cross_entropy(logits, target), ref)


def test_uses_no_forbidden_torch_functions():
    source = inspect.getsource(ce.cross_entropy) + inspect.getsource(ce.stable_log_softmax)
    for name in ("cross_entropy(", "nll_loss", "log_softmax(", ".softmax(", "logsumexp"):
        assert f"F.{name}" not in source and f"torch.{name}" not in source
        assert f"functional.{name}" not in source


@pytest.mark.parametrize(
    "logits, target, kwargs, match",
    [
        (torch.randn(3, 5), torch.tensor([0, 1]), {}, r"shape \(3,\)"),
        (torch.randn(3, 5), torch.tensor([0, 5, 1]), {}, "out of range"),
        (torch.randn(3, 5), torch.tensor([0, -1, 1]), {}, "out of range"),
        (torch.randn(3, 5), torch.tensor([0, 1, 2]), {"reduction": "avg"}, "reduction"),
        (torch.randn(3, 5), torch.tensor([0, 1, 2]), {"label_smoothing": 1.5}, "label_smoothing"),
        (torch.randn(3, 5), torch.tensor([0, 1, 2]), {"label_smoothing": -0.1}, "label_smoothing"),
        (torch.randn(3, 5), torch.tensor([0, 1, 2]), {"weight": torch.ones(4)}, r"\(5,\)"),
        (torch.randn(3, 5), torch.ones(3, 5, dtype=torch.long), {}, "floating point"),
        (torch.randn(3, 5), torch.tensor([0.0, 1.0, 2.0]), {}, "integers"),
        (torch.randn(2, 5, 4), torch.zeros(2, 3, dtype=torch.long), {}, r"\(2, 4\)"),
        (torch.tensor(1.0), torch.tensor(0), {}, "class dimension"),
        (torch.randn(3, 5), torch.rand(3, 5), {"ignore_index": 1}, "ignore_index"),
    ],
)
def test_bad_inputs_raise_value_error(logits, target, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cross_entropy(logits, target, **kwargs)


def test_bad_types_raise_type_error():
    with pytest.raises(TypeError):
        cross_entropy(np.zeros((2, 3)), torch.tensor([0, 1]))
    with pytest.raises(TypeError):
        cross_entropy(torch.zeros(2, 3, dtype=torch.long), torch.tensor([0, 1]))


def test_stable_log_softmax_matches_torch():
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(4, 7, 3, generator=gen, dtype=torch.float64) * 50
    for dim in (0, 1, 2):
        torch.testing.assert_close(ce.stable_log_softmax(x, dim), torch.log_softmax(x, dim))


def test_manual_steps_agree_with_torch_on_the_example():
    logits, target = ce.example_batch()
    probs, log_probs, losses, mean = ce.manual_steps(logits, target)
    torch.testing.assert_close(probs, torch.softmax(logits, 1))
    torch.testing.assert_close(losses, F.cross_entropy(logits, target, reduction="none"))
    torch.testing.assert_close(mean, F.cross_entropy(logits, target))


def test_gradient_formula_matches_autograd():
    autograd, formula = ce.gradient_check()
    torch.testing.assert_close(autograd, formula, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(autograd.sum(dim=1), torch.zeros(3, dtype=torch.float64))


@pytest.mark.parametrize("name", [n for n in dir(ce) if n.startswith("show_")])
def test_demos_return_text_or_tables(name):
    value = getattr(ce, name)()
    assert isinstance(value, (str, pd.DataFrame)) and len(value) > 0


def test_figure_demo_returns_a_figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    fig = ce.plot_negative_log()
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    plt.close(fig)
