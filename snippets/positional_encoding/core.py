"""The sinusoidal positional encoding of Vaswani et al. (2017).

``sinusoidal_encoding`` builds the (max_len, d_model) table, ``shift_matrix``
the block-rotation matrix that maps PE(p) to PE(p + k), ``PositionalEncoding``
is the layer that adds the table to a batch of embeddings and applies
dropout.  ``self_attention`` and ``permutation_gap`` show why the encoding is
needed: self-attention alone is permutation equivariant.
"""

from __future__ import annotations

import contextlib
import math
import numbers

import numpy as np
import torch
from torch import nn

from snippets._checks import flag, integer


def _check_dropout(dropout):
    # False 会被当成 0、"0.1" 无法比较：概率必须是实数
    if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real):
        raise TypeError("dropout must be a real number in [0, 1), got "
                        f"{dropout!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must lie in [0, 1), got {dropout}")
    return float(dropout)


def _check_base(base):
    if isinstance(base, bool) or not isinstance(base, numbers.Real):
        raise TypeError("base must be a real number, got "
                        f"{type(base).__name__}")
    if not (math.isfinite(base) and base > 0):
        raise ValueError(f"base must be a finite number > 0, got {base}")
    return float(base)


# --8<-- [start:sinusoidal_encoding]
def sinusoidal_encoding(max_len, d_model, base=10000.0):
    """(max_len, d_model) table: PE[pos, 2i] = sin(pos / base^(2i/d_model)),
    PE[pos, 2i+1] = cos(pos / base^(2i/d_model))."""
    max_len = integer(max_len, "max_len", 1)
    d_model = integer(d_model, "d_model", 1)
    base = _check_base(base)
    # 在 float64 中算角度：位置可达数千，float32 的角度会有 1e-4 量级的误差
    pos = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)  # (L, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # 0, 2, 4, ...
    angle = pos / base ** (two_i / d_model)  # (L, ceil(d/2))，逐列广播
    pe = torch.empty(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle[:, : d_model // 2])  # d 为奇数时末列只有 sin
    return pe.to(torch.get_default_dtype())
# --8<-- [end:sinusoidal_encoding]


# --8<-- [start:shift_matrix]
def shift_matrix(k, d_model, base=10000.0):
    """The (d_model, d_model) matrix M with PE[p + k] = M @ PE[p] for all p:
    one 2x2 rotation by the angle k * omega_i per (sin, cos) pair."""
    if isinstance(k, bool) or not isinstance(k, numbers.Real):
        raise TypeError(f"k must be a real number, got {type(k).__name__}")
    if not math.isfinite(k):
        raise ValueError(f"k must be finite, got {k}")
    d_model = integer(d_model, "d_model", 1)
    base = _check_base(base)
    if d_model % 2:
        raise ValueError(
            f"shift_matrix needs an even d_model, got {d_model}: the last "
            "column sin(pos * w) has no cos partner, so PE(p + k) is not a "
            "linear function of PE(p)")
    omega = base ** (-torch.arange(0, d_model, 2, dtype=torch.float64)
                     / d_model)
    c, s = torch.cos(k * omega), torch.sin(k * omega)
    m = torch.zeros(d_model, d_model, dtype=torch.float64)
    idx = torch.arange(0, d_model, 2)
    # sin(a + b) = sin a cos b + cos a sin b
    m[idx, idx], m[idx, idx + 1] = c, s
    # cos(a + b) = cos a cos b - sin a sin b
    m[idx + 1, idx], m[idx + 1, idx + 1] = -s, c
    return m.to(torch.get_default_dtype())
# --8<-- [end:shift_matrix]


# --8<-- [start:PositionalEncoding]
class PositionalEncoding(nn.Module):
    """x (batch, seq, d_model) -> dropout(x + PE[:seq]).

    As in the original Transformer the caller multiplies the token
    embeddings by sqrt(d_model) before this layer (see ``embed_tokens``).
    """

    def __init__(self, d_model, max_len=5000, dropout=0.1):
        super().__init__()
        dropout = _check_dropout(dropout)
        self.d_model = integer(d_model, "d_model", 1)
        self.max_len = integer(max_len, "max_len", 1)
        self.dropout = nn.Dropout(dropout)
        # 表格可由公式重算，不必存进 state_dict
        self.register_buffer("pe", sinusoidal_encoding(max_len, d_model),
                             persistent=False)

    def forward(self, x):
        if not (torch.is_tensor(x) and x.is_floating_point()):
            # 整数张量会把 PE 截断成整数
            raise TypeError("x must be a floating-point tensor, got "
                            f"{getattr(x, 'dtype', type(x).__name__)}")
        if x.dim() != 3 or x.shape[-1] != self.d_model:
            raise ValueError(f"expected input of shape (batch, seq, "
                             f"{self.d_model}), got {tuple(x.shape)}")
        seq = x.shape[1]
        if seq > self.max_len:
            raise ValueError(
                f"sequence length {seq} exceeds max_len={self.max_len}"
                " of this PositionalEncoding")
        # pe[:seq] 的形状 (seq, d_model) 沿 batch 维广播
        return self.dropout(x + self.pe[:seq].to(x.dtype))

    def extra_repr(self):
        return f"d_model={self.d_model}, max_len={self.max_len}"
# --8<-- [end:PositionalEncoding]


# --8<-- [start:embed_tokens]
def embed_tokens(tokens, embedding, pos_encoding):
    """Token ids (batch, seq) -> the Transformer's input (batch, seq, d)."""
    d_model = embedding.embedding_dim
    # 论文 3.4 节：嵌入先乘以 sqrt(d_model)，再加位置编码
    return pos_encoding(embedding(tokens) * math.sqrt(d_model))
# --8<-- [end:embed_tokens]


@contextlib.contextmanager
def float64_default():
    """Temporarily make float64 torch's default dtype (restored on exit)."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


def binary_encoding(max_len, n_bits):
    """Bit i of every position (bit 0 = least significant) as 0/1."""
    max_len = integer(max_len, "max_len", 1)
    n_bits = integer(n_bits, "n_bits", 1)
    pos = np.arange(max_len)[:, None]
    return (pos >> np.arange(n_bits)) & 1


# ---------------------------------------------------------------------------
# Self-attention ignores the order of its inputs
# ---------------------------------------------------------------------------

def _seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    return int(seed)


def attention_layer(d_model, seed, num_heads=2):
    """A float64 ``nn.MultiheadAttention`` (batch first, eval mode) whose
    weights come from ``torch.manual_seed(seed)``; the global generator is
    left as it was."""
    d_model = integer(d_model, "d_model", 1)
    num_heads = integer(num_heads, "num_heads", 1)
    if d_model % num_heads:
        raise ValueError(f"d_model must be a multiple of num_heads="
                         f"{num_heads}, got {d_model}")
    seed = _seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        attn = nn.MultiheadAttention(d_model, num_heads=num_heads,
                                     batch_first=True, dtype=torch.float64)
    return attn.eval()


# --8<-- [start:self_attention]
def self_attention(x, attn):
    """Self-attention: queries, keys and values all come from x."""
    out, _ = attn(x, x, x, need_weights=False)
    return out
# --8<-- [end:self_attention]


def permutation_gap(seq_len=10, d_model=16, with_pe=False, seed=0):
    """max |Attn(P X) - P Attn(X)| for a random permutation P."""
    seq_len = integer(seq_len, "seq_len", 1)
    d_model = integer(d_model, "d_model", 1)
    if d_model % 2:
        raise ValueError(f"d_model must be even (2 attention heads), got "
                         f"{d_model}")
    with_pe = flag(with_pe, "with_pe")
    seed = _seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(1, seq_len, d_model, generator=gen, dtype=torch.float64)
    perm = torch.randperm(seq_len, generator=gen)
    attn = attention_layer(d_model, seed)
    with float64_default():
        pe = sinusoidal_encoding(seq_len, d_model)
    add = pe if with_pe else torch.zeros_like(pe)
    with torch.no_grad():
        out = self_attention(x + add, attn)
        out_perm = self_attention(x[:, perm] + add, attn)
    return (out_perm - out[:, perm]).abs().max().item()
