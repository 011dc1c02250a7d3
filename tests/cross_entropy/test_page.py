"""The computations behind the cross-entropy post's demos, against PyTorch.

What a demo prints is compared with its approved snapshot by the page tests; here the
shown helpers (manual_steps, gradient_check) are checked against torch, never against
the project's own cross_entropy.
"""

import matplotlib
import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets.cross_entropy import page
from snippets.cross_entropy.data import example_batch

matplotlib.use("Agg")


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 6), c=st.integers(1, 7), scale=st.sampled_from([0.1, 1.0, 30.0]),
       seed=st.integers(0, 2**31 - 1))
def test_manual_steps_match_torch(n, c, scale, seed):
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, c, generator=gen, dtype=torch.float64) * scale
    target = torch.randint(0, c, (n,), generator=gen)
    probs, log_probs, losses, mean = page.manual_steps(logits, target)
    torch.testing.assert_close(probs, torch.softmax(logits, 1))
    torch.testing.assert_close(log_probs, torch.log_softmax(logits, 1))
    torch.testing.assert_close(losses, F.cross_entropy(logits, target, reduction="none"))
    torch.testing.assert_close(mean, F.cross_entropy(logits, target))


def test_gradient_check_matches_torch_autograd():
    """Both columns of the post's gradient table against torch, not against each other."""
    logits, target = example_batch()
    x = logits.clone().requires_grad_(True)
    F.cross_entropy(x, target).backward()  # torch's loss, torch's autograd
    onehot = F.one_hot(target, logits.shape[1]).to(logits.dtype)
    by_hand = (torch.softmax(logits, 1) - onehot) / len(target)
    torch.testing.assert_close(x.grad, by_hand, rtol=1e-12, atol=1e-15)
    autograd, formula = page.gradient_check()
    torch.testing.assert_close(autograd, x.grad, rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(formula, x.grad, rtol=1e-12, atol=1e-15)


def test_negative_log_figure_draws_minus_log_p_and_the_loss_surface():
    import matplotlib.pyplot as plt

    drawn = page.plot_negative_log()
    fig, narrow = drawn.wide, drawn.narrow()  # the phone's layout draws the same curves
    try:
        left, right, _colorbar = fig.axes
        for wide_line, narrow_line in zip(left.lines, narrow.axes[0].lines, strict=True):
            np.testing.assert_array_equal(wide_line.get_xydata(), narrow_line.get_xydata())
        p, y = left.lines[0].get_data()
        np.testing.assert_allclose(y, -np.log(p), rtol=1e-12)
        marked = [line.get_data() for line in left.lines[1:]]
        assert [float(q[0]) for q, _ in marked] == [0.1, 0.5, 0.9]
        np.testing.assert_allclose([v[0] for _, v in marked], -np.log([0.1, 0.5, 0.9]))
        # the filled contours span the loss of the drawn grid: z0, z1 in [-4, 4], z2 = 0
        z = np.linspace(-4, 4, 161)
        z0, z1 = np.meshgrid(z, z)
        grid = torch.tensor(np.stack([z0, z1, np.zeros_like(z0)], -1).reshape(-1, 3))
        loss = F.cross_entropy(grid, torch.zeros(len(grid), dtype=torch.long),
                               reduction="none").numpy()
        levels = right.collections[0].levels  # the filled contours' level edges
        assert levels[0] <= loss.min() < levels[1] and levels[-2] < loss.max() <= levels[-1]
    finally:
        plt.close(fig)
        plt.close(narrow)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 8), c=st.integers(1, 2000), level=st.floats(-50, 50),
       seed=st.integers(0, 2**31 - 1))
def test_equal_logits_cost_ln_c_whatever_the_target(n, c, level, seed):
    import math

    from snippets.cross_entropy import cross_entropy

    gen = torch.Generator().manual_seed(seed)
    target = torch.randint(0, c, (n,), generator=gen)
    loss = cross_entropy(torch.full((n, c), level, dtype=torch.float64), target)
    assert abs(loss.item() - math.log(c)) <= 1e-12 * max(1.0, math.log(c))


def test_initial_losses_support_the_post():
    """What the post says of them: close to ln 10 as initialised, far above when the last
    layer is scaled; the caller's random state is left alone."""
    import math

    before = torch.random.get_rng_state()
    default, scaled = page.initial_losses()
    assert torch.equal(before, torch.random.get_rng_state())
    assert abs(default - math.log(10)) < 0.1
    assert scaled > math.log(10) + 1
    # the same network scaled by 10 on the same data, rebuilt here with torch's own loss
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.ReLU(),
                                  torch.nn.Linear(64, 10)).double()
        x = torch.randn(4096, 32, dtype=torch.float64)
        y = torch.randint(0, 10, (4096,))
    with torch.no_grad():
        assert abs(F.cross_entropy(net(x), y).item() - default) < 1e-12
        net[2].weight.mul_(10)
        assert abs(F.cross_entropy(net(x), y).item() - scaled) < 1e-12


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 6), c=st.integers(2, 9), eps=st.floats(0.01, 0.9),
       seed=st.integers(0, 2**31 - 1))
def test_cross_entropy_is_entropy_plus_kl_as_scipy_computes_them(n, c, eps, seed):
    from scipy.special import rel_entr, softmax
    from scipy.stats import entropy

    from snippets.cross_entropy import cross_entropy

    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, c, generator=gen, dtype=torch.float64) * 3
    target = torch.randint(0, c, (n,), generator=gen)
    q = (1 - eps) * F.one_hot(target, c).to(torch.float64) + eps / c
    ours = cross_entropy(logits, q, reduction="none").numpy()
    p = softmax(logits.numpy(), axis=1)
    expected = entropy(q.numpy(), axis=1) + rel_entr(q.numpy(), p).sum(axis=1)
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)
