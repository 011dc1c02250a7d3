"""snippets/gru/gradients.py against autograd and nn.GRU / nn.RNN."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from snippets.gru import gradient_decay, gru_jacobian

@settings(max_examples=25, deadline=None)
@given(I=st.integers(1, 5), H=st.integers(1, 6), seed=st.integers(0, 10**6))
def test_jacobian_matches_autograd(I, H, seed):
    torch.manual_seed(seed)
    cell = nn.GRUCell(I, H).double()
    w = [p.detach() for p in (cell.weight_ih, cell.weight_hh,
                              cell.bias_ih, cell.bias_hh)]
    x = torch.randn(I, dtype=torch.float64)
    h = torch.randn(H, dtype=torch.float64).tanh()
    auto = torch.autograd.functional.jacobian(lambda v: cell(x, v), h)
    assert (gru_jacobian(x, h, *w) - auto).abs().max() < 1e-12


@pytest.mark.parametrize("kind, bias", [("rnn", 0.0), ("gru", 0.0), ("gru", 3.0)])
def test_gradient_decay_matches_one_backward_pass(kind, bias):
    T, H = 12, 5
    grads = gradient_decay(kind, bias, T=T, H=H, seed=4)
    # 参考：按同样的种子建同样的网络，用 nn.RNN / nn.GRU 在整条序列上一次反向传播
    torch.manual_seed(4)
    m = (nn.GRU if kind == "gru" else nn.RNN)(1, H, dtype=torch.float64)
    if kind == "gru":
        with torch.no_grad():
            m.bias_ih_l0[H:2 * H] += bias
    x = torch.randn(T, 1, dtype=torch.float64)
    v = torch.randn(H, dtype=torch.float64)
    expected = []
    for t in range(T):  # ||d(v·h_T)/dh_t||：从 h_t 出发跑完剩下的 T-t 步
        h_t = m(x[:t])[1][0].detach() if t else torch.zeros(H, dtype=torch.float64)
        h_t.requires_grad_(True)
        h_T = m(x[t:], h_t[None])[1][0] if t < T else h_t
        (g,) = torch.autograd.grad(h_T @ v, h_t)
        expected.append(g.norm().item())
    np.testing.assert_allclose(grads, expected[::-1], rtol=1e-10)


# --- the article's helpers: no silent misreading --------------------------------------------


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(kind="GRU"), ValueError, "kind"),
    (dict(kind="lstm"), ValueError, "kind"),
    (dict(T=0), ValueError, "T must be >= 1"),
    (dict(H=0), ValueError, "H must be >= 1"),
    (dict(T=5.0), TypeError, "T must be an int"),
    (dict(z_bias=True), TypeError, "z_bias"),
    (dict(z_bias="2"), TypeError, "z_bias"),
])
def test_gradient_decay_rejects_misread_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        gradient_decay(**kwargs)


def test_gru_jacobian_rejects_batched_or_biasless_input():
    torch.manual_seed(0)
    cell = nn.GRUCell(4, 4).double()
    w = [cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh]
    square = torch.randn(4, 4, dtype=torch.float64)  # (N, H) with N == H: was misread
    with pytest.raises(ValueError, match="h must have 1 dimensions"):
        gru_jacobian(torch.randn(4, dtype=torch.float64), square, *w)
    with pytest.raises(TypeError, match="both biases"):
        gru_jacobian(torch.randn(4, dtype=torch.float64), square[0], *w[:2], None, None)
