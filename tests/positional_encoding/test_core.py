"""The encoding, the shift matrix and the layer (snippets/
positional_encoding/core.py) against independent evaluations of the formula
(mpmath at 30 digits, NumPy float64) and PyTorch modules."""

import math

import mpmath
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from positional_encoding.references import numpy_pe

from snippets.positional_encoding import (PositionalEncoding, binary_encoding,
                                          embed_tokens, float64_default,
                                          shift_matrix, sinusoidal_encoding)


@pytest.fixture
def f64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def mpmath_pe(max_len, d_model, base):
    mpmath.mp.dps = 30
    out = np.empty((max_len, d_model))
    for pos in range(max_len):
        for j in range(d_model):
            i = j // 2
            angle = mpmath.mpf(pos) / mpmath.power(mpmath.mpf(base),
                                                   mpmath.mpf(2 * i) / d_model)
            out[pos, j] = float(mpmath.sin(angle) if j % 2 == 0
                                else mpmath.cos(angle))
    return out


@pytest.mark.parametrize("max_len, d_model, base", [
    (50, 8, 10000.0), (40, 7, 10000.0), (30, 1, 10000.0), (25, 12, 100.0),
    (20, 5, 2.5)])
def test_matches_mpmath_float64(f64, max_len, d_model, base):
    ours = sinusoidal_encoding(max_len, d_model, base)
    assert ours.dtype == torch.float64
    assert ours.shape == (max_len, d_model)
    np.testing.assert_allclose(ours.numpy(), mpmath_pe(max_len, d_model, base),
                               rtol=0, atol=1e-13)


def test_large_positions_match_mpmath(f64):
    d_model, base = 16, 10000.0
    ours = sinusoidal_encoding(5000, d_model, base).numpy()
    mpmath.mp.dps = 30
    for pos in (1234, 3999, 4999):
        for j in range(d_model):
            angle = mpmath.mpf(pos) / mpmath.power(base,
                                                   mpmath.mpf(2 * (j // 2))
                                                   / d_model)
            ref = mpmath.sin(angle) if j % 2 == 0 else mpmath.cos(angle)
            assert abs(ours[pos, j] - float(ref)) < 1e-12


def test_default_dtype_float32_is_rounded_float64():
    ours = sinusoidal_encoding(3000, 64)
    assert ours.dtype == torch.float32
    ref = numpy_pe(np.arange(3000), 64)
    # only the final rounding to float32: half an ulp of numbers <= 1
    assert np.abs(ours.numpy() - ref).max() <= 2 ** -25


@settings(max_examples=150, deadline=None)
@given(max_len=st.integers(1, 300), d_model=st.integers(1, 70),
       base=st.floats(1.5, 1e5))
def test_matches_numpy(max_len, d_model, base):
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        ours = sinusoidal_encoding(max_len, d_model, base).numpy()
    finally:
        torch.set_default_dtype(old)
    np.testing.assert_allclose(ours, numpy_pe(np.arange(max_len), d_model,
                                              base), rtol=0, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(p=st.integers(0, 2000), k=st.integers(-2000, 2000),
       half_d=st.integers(1, 40), base=st.floats(2.0, 1e5))
def test_shift_property(p, k, half_d, base):
    if p + k < 0:
        k = -k
    d = 2 * half_d
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        pe = sinusoidal_encoding(max(p, p + k) + 1, d, base)
        m = shift_matrix(k, d, base)
    finally:
        torch.set_default_dtype(old)
    assert m.shape == (d, d)
    np.testing.assert_allclose((m @ pe[p]).numpy(), pe[p + k].numpy(),
                               rtol=0, atol=1e-10)
    # M is orthogonal (a rotation): it keeps the norm of PE
    np.testing.assert_allclose((m.T @ m).numpy(), np.eye(d), atol=1e-12)


@pytest.mark.parametrize("k", [0.5, 2.25, -1.75])
def test_shift_matrix_real_offsets(f64, k):
    # the relation holds for any real offset of the continuous formula
    d, p = 10, 7.0
    m = shift_matrix(k, d)
    left = m.numpy() @ numpy_pe([p], d)[0]
    np.testing.assert_allclose(left, numpy_pe([p + k], d)[0], atol=1e-13)


def test_shift_matrix_composes(f64):
    d = 12
    np.testing.assert_allclose((shift_matrix(3, d) @ shift_matrix(4, d)).numpy(),
                               shift_matrix(7, d).numpy(), atol=1e-13)
    np.testing.assert_allclose(shift_matrix(0, d).numpy(), np.eye(d))


def test_shift_matrix_default_dtype():
    assert shift_matrix(3, 8).dtype == torch.get_default_dtype()


def test_dot_product_depends_only_on_offset(f64):
    d = 32
    pe = sinusoidal_encoding(400, d)
    omega = 10000.0 ** (-np.arange(0, d, 2) / d)
    for p, q in [(0, 5), (100, 105), (300, 250), (17, 17)]:
        expected = np.cos(omega * (q - p)).sum()
        assert abs(float(pe[p] @ pe[q]) - expected) < 1e-11


@pytest.mark.parametrize("args, exc, match", [
    ((0, 8), ValueError, "max_len must be >= 1"),
    ((10, 0), ValueError, "d_model must be >= 1"),
    ((10.0, 8), TypeError, "max_len must be an int"),
    ((10, True), TypeError, "d_model must be an int"),
    ((10, 8, 0.0), ValueError, "base must be a finite number > 0"),
    ((10, 8, -3.0), ValueError, "base must be a finite number > 0"),
    ((10, 8, float("nan")), ValueError, "base must be a finite number"),
    ((10, 8, float("inf")), ValueError, "base must be a finite number"),
    ((10, 8, "1e4"), TypeError, "base must be a real number"),
])
def test_encoding_bad_inputs(args, exc, match):
    with pytest.raises(exc, match=match):
        sinusoidal_encoding(*args)


def test_shift_matrix_bad_inputs():
    with pytest.raises(ValueError, match="even d_model"):
        shift_matrix(1, 7)
    with pytest.raises(TypeError, match="k must be a real number"):
        shift_matrix("1", 8)
    with pytest.raises(TypeError, match="k must be a real number"):
        shift_matrix(torch.tensor(1.0), 8)
    with pytest.raises(ValueError, match="d_model must be >= 1"):
        shift_matrix(1, 0)
    with pytest.raises(ValueError, match="base must be"):
        shift_matrix(1, 8, base=0)


# --- the layer ---------------------------------------------------------------

def test_layer_eval_adds_the_formula():
    torch.manual_seed(0)
    layer = PositionalEncoding(24, max_len=50, dropout=0.3).eval()
    x = torch.randn(3, 17, 24)
    out = layer(x)
    assert out.shape == x.shape and out.dtype == torch.float32
    expected = x.numpy() + numpy_pe(np.arange(17), 24)[None]
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-6)


def test_layer_float64_and_full_length():
    layer = PositionalEncoding(6, max_len=9, dropout=0.0).double()
    x = torch.zeros(2, 9, 6, dtype=torch.float64)
    out = layer(x)
    assert out.dtype == torch.float64
    np.testing.assert_allclose(out[1].numpy(), numpy_pe(np.arange(9), 6),
                               atol=1e-7)  # buffer was built in float32


def test_layer_train_mode_dropout():
    torch.manual_seed(1)
    p = 0.25
    layer = PositionalEncoding(16, max_len=40, dropout=p).train()
    x = torch.randn(4, 40, 16)
    out = layer(x)
    full = x + torch.tensor(numpy_pe(np.arange(40), 16), dtype=torch.float32)
    dropped = out == 0
    assert 0.15 < dropped.float().mean().item() < 0.35
    torch.testing.assert_close(out[~dropped], full[~dropped] / (1 - p))


def test_layer_gradients_flow_to_input():
    layer = PositionalEncoding(8, max_len=10, dropout=0.0)
    x = torch.randn(2, 5, 8, requires_grad=True)
    layer(x).sum().backward()
    torch.testing.assert_close(x.grad, torch.ones_like(x))
    assert list(layer.parameters()) == []
    assert "pe" not in layer.state_dict()


def test_layer_bad_inputs():
    layer = PositionalEncoding(16, max_len=32)
    with pytest.raises(ValueError, match="sequence length 33 exceeds "
                                         "max_len=32"):
        layer(torch.zeros(1, 33, 16))
    with pytest.raises(ValueError, match=r"\(batch, seq, 16\)"):
        layer(torch.zeros(1, 10, 8))
    with pytest.raises(ValueError, match=r"\(batch, seq, 16\)"):
        layer(torch.zeros(10, 16))
    with pytest.raises(ValueError, match="dropout must lie in"):
        PositionalEncoding(16, dropout=1.0)
    with pytest.raises(ValueError, match="d_model must be >= 1"):
        PositionalEncoding(0)
    with pytest.raises(TypeError, match="max_len must be an int"):
        PositionalEncoding(16, max_len=10.5)


def test_embed_tokens_scales_by_sqrt_d():
    torch.manual_seed(2)
    emb = torch.nn.Embedding(50, 32)
    layer = PositionalEncoding(32, max_len=20, dropout=0.1).eval()
    tokens = torch.randint(0, 50, (3, 11))
    with torch.no_grad():
        out = embed_tokens(tokens, emb, layer)
        expected = (emb.weight[tokens].numpy() * math.sqrt(32)
                    + numpy_pe(np.arange(11), 32)[None])
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-5)


def test_binary_encoding():
    bits = binary_encoding(32, 5)
    for pos in range(32):
        assert int("".join(map(str, bits[pos][::-1])), 2) == pos


@pytest.mark.parametrize("dropout, exc", [
    (False, TypeError),     # 旧实现：Dropout(p=False)
    (True, TypeError),
    ("0.1", TypeError),
    (None, TypeError),
    (float("nan"), ValueError),
    (-0.1, ValueError),
])
def test_layer_dropout_must_be_a_probability(dropout, exc):
    with pytest.raises(exc, match="dropout must"):
        PositionalEncoding(16, dropout=dropout)


@pytest.mark.parametrize("x", [
    torch.ones(1, 3, 8, dtype=torch.long),   # 旧实现把 PE 截成整数再相加
    torch.ones(1, 3, 8, dtype=torch.bool),
    np.ones((1, 3, 8)),
])
def test_layer_needs_a_floating_point_tensor(x):
    layer = PositionalEncoding(8, max_len=16, dropout=0.0).eval()
    with pytest.raises(TypeError, match="floating-point tensor"):
        layer(x)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16,
                                   torch.float32, torch.float64])
def test_layer_keeps_every_floating_dtype(dtype):
    layer = PositionalEncoding(8, max_len=16, dropout=0.0).eval()
    out = layer(torch.zeros(2, 5, 8, dtype=dtype))
    assert out.dtype == dtype
    tol = {torch.float16: 1e-3, torch.bfloat16: 1e-2}.get(dtype, 1e-6)
    np.testing.assert_allclose(out[0].double().numpy(),
                               numpy_pe(np.arange(5), 8), atol=tol)


@pytest.mark.parametrize("k", [float("inf"), float("-inf"), float("nan")])
def test_shift_matrix_needs_a_finite_offset(k):
    with pytest.raises(ValueError, match="k must be finite"):
        shift_matrix(k, 8)


@pytest.mark.parametrize("args, match", [
    ((16.0, 4), "max_len must be an int"),
    ((16, True), "n_bits must be an int"),
    ((16, 4.0), "n_bits must be an int"),
])
def test_binary_encoding_integer_arguments(args, match):
    with pytest.raises(TypeError, match=match):
        binary_encoding(*args)


def test_float64_default_restores_the_dtype_even_on_error():
    assert torch.get_default_dtype() == torch.float32
    with pytest.raises(RuntimeError, match="boom"):
        with float64_default():
            assert torch.get_default_dtype() == torch.float64
            assert torch.zeros(1).dtype == torch.float64
            raise RuntimeError("boom")
    assert torch.get_default_dtype() == torch.float32
