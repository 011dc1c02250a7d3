"""Self-attention and its permutation equivariance (snippets/
positional_encoding/core.py) against a NumPy multi-head attention that
reads the weights of the project's layer, and the project's encoding
against the formula evaluated in NumPy."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from positional_encoding.references import numpy_pe, reference_attention

from snippets.positional_encoding import (attention_layer, permutation_gap,
                                          self_attention)


def numpy_mha(x, attn):
    """nn.MultiheadAttention(x, x, x) recomputed in NumPy from its weights."""
    w = attn.in_proj_weight.detach().numpy()
    b = attn.in_proj_bias.detach().numpy()
    d, h = x.shape[1], attn.num_heads
    q, k, v = (x @ w[i * d:(i + 1) * d].T + b[i * d:(i + 1) * d]
               for i in range(3))
    width = d // h
    heads = [reference_attention(q[:, s], k[:, s], v[:, s])
             for s in (slice(i * width, (i + 1) * width) for i in range(h))]
    return (np.concatenate(heads, axis=1)
            @ attn.out_proj.weight.detach().numpy().T
            + attn.out_proj.bias.detach().numpy())


@settings(max_examples=60, deadline=None)
@given(seq_len=st.integers(1, 30), half_d=st.integers(1, 12),
       seed=st.integers(0, 2**31 - 1))
def test_self_attention_matches_numpy(seq_len, half_d, seed):
    d = 2 * half_d
    attn = attention_layer(d, seed)
    x = np.random.default_rng(seed).normal(size=(seq_len, d))
    with torch.no_grad():
        out = self_attention(torch.tensor(x)[None], attn)[0].numpy()
    np.testing.assert_allclose(out, numpy_mha(x, attn), rtol=0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(seq_len=st.integers(2, 40), half_d=st.integers(1, 12),
       seed=st.integers(0, 2**31 - 1))
def test_self_attention_is_equivariant_until_positions_are_added(
        seq_len, half_d, seed):
    d = 2 * half_d
    rng = np.random.default_rng(seed)
    attn = attention_layer(d, seed)
    x = torch.tensor(rng.normal(size=(1, seq_len, d)))
    perm = rng.permutation(seq_len)
    if (perm == np.arange(seq_len)).all():
        perm = np.roll(perm, 1)
    with torch.no_grad():
        out = self_attention(x, attn)
        np.testing.assert_allclose(self_attention(x[:, perm], attn),
                                   out[:, perm], rtol=0, atol=1e-12)
        pe = torch.tensor(numpy_pe(np.arange(seq_len), d))
        with_pe = self_attention(x + pe, attn)
        moved = self_attention(x[:, perm] + pe, attn)
    # 加上位置编码后，被移动的词的输出变了
    assert (moved - with_pe[:, perm]).abs().max() > 1e-6


@pytest.mark.parametrize("seq_len, d_model, seed", [
    (8, 16, 0), (10, 16, 3), (25, 8, 7), (2, 2, 1), (40, 12, 11)])
def test_permutation_gap_matches_numpy(seq_len, d_model, seed):
    # 与 permutation_gap 相同的抽样：先 x，再排列，都来自 seed 的生成器
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(1, seq_len, d_model, generator=gen,
                    dtype=torch.float64)[0].numpy()
    perm = torch.randperm(seq_len, generator=gen).numpy()
    attn = attention_layer(d_model, seed)
    pe = numpy_pe(np.arange(seq_len), d_model)
    for with_pe, add in ((False, 0.0), (True, pe)):
        ref = np.abs(numpy_mha(x[perm] + add, attn)
                     - numpy_mha(x + add, attn)[perm]).max()
        gap = permutation_gap(seq_len, d_model, with_pe=with_pe, seed=seed)
        if with_pe and (perm != np.arange(seq_len)).any():
            assert ref > 1e-6
            assert gap == pytest.approx(ref, rel=1e-9)
        else:
            assert gap < 1e-12 and ref < 1e-12


def test_attention_layer_is_seeded_and_leaves_the_generator():
    state = torch.random.get_rng_state()
    a, b = attention_layer(8, 5), attention_layer(8, 5)
    assert torch.equal(torch.random.get_rng_state(), state)
    torch.manual_seed(5)
    ref = torch.nn.MultiheadAttention(8, 2, batch_first=True,
                                      dtype=torch.float64)
    for layer in (a, b):
        assert not layer.training
        assert layer.in_proj_weight.dtype == torch.float64
        for p, q in zip(layer.parameters(), ref.parameters()):
            torch.testing.assert_close(p, q, rtol=0, atol=0)
    torch.random.set_rng_state(state)


@pytest.mark.parametrize("args, exc, match", [
    ((7, 0), ValueError, "multiple of num_heads=2"),
    ((0, 0), ValueError, "d_model must be >= 1"),
    ((8, 1.5), TypeError, "seed must be an int"),
    ((8, True), TypeError, "seed must be an int"),
    ((8.0, 0), TypeError, "d_model must be an int"),
])
def test_attention_layer_bad_inputs(args, exc, match):
    with pytest.raises(exc, match=match):
        attention_layer(*args)


@pytest.mark.parametrize("flag", ["False", "True", 0, 1, None])
def test_with_pe_must_be_a_bool(flag):
    # 旧实现按真假判断：字符串 "False" 被当成 True
    with pytest.raises(TypeError, match="with_pe must be True or False"):
        permutation_gap(seq_len=6, with_pe=flag)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(seq_len=6.0), TypeError, "seq_len must be an int"),
    (dict(seq_len=True), TypeError, "seq_len must be an int"),
    (dict(seed=True), TypeError, "seed must be an int"),
    (dict(seed=1.5), TypeError, "seed must be an int"),
    (dict(d_model=7), ValueError, "d_model must be even"),
])
def test_permutation_gap_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        permutation_gap(**kwargs)
