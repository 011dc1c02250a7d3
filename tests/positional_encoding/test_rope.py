"""RoPE against a derivation with complex numbers, and the property the post shows."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets.positional_encoding import page
from snippets.positional_encoding.rope import rope_rotate


def complex_rope(x, positions, base=10000.0):
    """Each pair (a, b) as a + ib, multiplied by exp(i * pos * base^(-2j/d))."""
    x = np.asarray(x, dtype=np.float64)
    d = x.shape[1]
    z = x[:, 0::2] + 1j * x[:, 1::2]
    theta = np.asarray(positions, dtype=np.float64)[:, None] * base ** (-np.arange(0, d, 2) / d)
    z = z * np.exp(1j * theta)
    out = np.empty_like(x)
    out[:, 0::2], out[:, 1::2] = z.real, z.imag
    return out


@settings(max_examples=80, deadline=None)
@given(n=st.integers(1, 12), half=st.integers(1, 16), base=st.sampled_from([100.0, 10000.0]),
       seed=st.integers(0, 2**31 - 1))
def test_rope_matches_complex_multiplication(n, half, base, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2 * half))
    pos = rng.integers(0, 5000, size=n)
    got = rope_rotate(torch.from_numpy(x), torch.from_numpy(pos), base).numpy()
    np.testing.assert_allclose(got, complex_rope(x, pos, base), rtol=1e-12, atol=1e-12)


@settings(max_examples=50, deadline=None)
@given(half=st.integers(1, 16), k=st.integers(-300, 300), seed=st.integers(0, 2**31 - 1))
def test_rope_score_depends_on_the_offset_only(half, k, seed):
    rng = np.random.default_rng(seed)
    u, v = rng.normal(size=(2, 2 * half))
    p = np.arange(300, 600)
    q = rope_rotate(torch.from_numpy(np.tile(u, (len(p), 1))), torch.from_numpy(p)).numpy()
    key = rope_rotate(torch.from_numpy(np.tile(v, (len(p), 1))), torch.from_numpy(p + k)).numpy()
    scores = (q * key).sum(1)
    # the score at p = 0, q = k, computed with complex numbers
    expected = (complex_rope(u[None], [0]) * complex_rope(v[None], [k])).sum()
    np.testing.assert_allclose(scores, expected, rtol=1e-9, atol=1e-9)
    assert np.linalg.norm(q, axis=1) == pytest.approx(np.linalg.norm(u))  # a rotation


@pytest.mark.parametrize("x, pos, error", [
    (torch.zeros(3, 5), torch.arange(3), ValueError),  # odd d
    (torch.zeros(3), torch.arange(3), ValueError),  # not 2-D
    (torch.zeros(3, 4), torch.arange(2), ValueError),  # positions of the wrong length
    (torch.zeros(3, 4, dtype=torch.int64), torch.arange(3), TypeError),
])
def test_rope_rejects_bad_inputs(x, pos, error):
    with pytest.raises(error):
        rope_rotate(x, pos)


def test_additive_scores_vary_with_p_and_rope_scores_do_not():
    k, d, n = 5, 64, 512
    dot, additive, rope = page.relative_score_spread(k, d=d, positions=n)
    assert dot < 1e-11 and rope < 1e-11
    # recomputed in NumPy: PE_p^T A PE_{p+k} with the same seeded projections
    gen = torch.Generator().manual_seed(0)
    w_q, w_k = (torch.randn(d, d, generator=gen, dtype=torch.float64).numpy() / d ** 0.5
                for _ in range(2))
    pos = np.arange(n + k)[:, None] / 10000.0 ** (np.arange(0, d, 2) / d)
    pe = np.empty((n + k, d))
    pe[:, 0::2], pe[:, 1::2] = np.sin(pos), np.cos(pos)
    scores = np.einsum("pi,ij,pj->p", pe[:n], w_q.T @ w_k, pe[k:])
    assert additive == pytest.approx(scores.max() - scores.min(), rel=1e-9)
    assert additive > 1.0
