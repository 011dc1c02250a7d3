"""Transformer 中的 Positional Encoding Layer
文章：docs/blog/posts/2026-11-23-positional-encoding.md

The sinusoidal positional encoding of Vaswani et al. (2017):
``sinusoidal_encoding`` builds the (max_len, d_model) table,
``shift_matrix`` the block-rotation matrix that maps PE(p) to PE(p + k), and
``PositionalEncoding`` is the layer that adds the table to a batch of
embeddings and applies dropout. The ``show_*``/``plot_*`` functions build the
article's tables and figures (self-attention's permutation equivariance, the
road from integer positions to sinusoids, heatmaps, dot products).
"""

from __future__ import annotations

import contextlib
import math
import numbers

import numpy as np
import pandas as pd
import torch
from torch import nn

from snippets._precision import bound
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


# ---------------------------------------------------------------------------
# Demos shown in the article
# ---------------------------------------------------------------------------

@contextlib.contextmanager
def float64_default():
    """Temporarily make float64 torch's default dtype (restored on exit)."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


def _attention_layer(d_model, seed):
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        attn = nn.MultiheadAttention(d_model, num_heads=2, batch_first=True,
                                     dtype=torch.float64)
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
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(1, seq_len, d_model, generator=gen, dtype=torch.float64)
    perm = torch.randperm(seq_len, generator=gen)
    attn = _attention_layer(d_model, seed)
    with float64_default():
        pe = sinusoidal_encoding(seq_len, d_model)
    add = pe if with_pe else torch.zeros_like(pe)
    with torch.no_grad():
        out = self_attention(x + add, attn)
        out_perm = self_attention(x[:, perm] + add, attn)
    return (out_perm - out[:, perm]).abs().max().item()


SENTENCES = (["我", "爱", "你"], ["你", "爱", "我"])


def _sentence_outputs(with_pe, d_model=16):
    vocab = {w: i for i, w in enumerate(["我", "爱", "你"])}
    with torch.random.fork_rng():
        torch.manual_seed(1)
        emb = nn.Embedding(len(vocab), d_model, dtype=torch.float64)
    attn = _attention_layer(d_model, seed=2)
    with float64_default():
        pe = sinusoidal_encoding(3, d_model)
    outs = []
    with torch.no_grad():
        for words in SENTENCES:
            ids = torch.tensor([[vocab[w] for w in words]])
            x = emb(ids) + (pe if with_pe else 0.0)
            outs.append(self_attention(x, attn)[0])
    return outs


def _gap(gap, with_pe):
    """A max |difference|: two digits with PE, else only a rounding bound."""
    # 输出约为 0.1 ~ 1，float64 的舍入差约 1e-16；上界留出两个数量级
    return f"{gap:.2f}" if with_pe else bound(gap, 1e-14)


def show_sentence_outputs():
    """The output vector of each word in 我爱你 and 你爱我."""
    rows = []
    for with_pe in (False, True):
        a, b = _sentence_outputs(with_pe)
        label = "加位置编码" if with_pe else "无位置编码"
        for w in ["我", "爱", "你"]:
            i, j = SENTENCES[0].index(w), SENTENCES[1].index(w)
            rows.append({
                "输入": label, "词": w,
                "“我爱你”中的输出（前 3 维）":
                    ", ".join(f"{v:+.4f}" for v in a[i, :3].tolist()),
                "“你爱我”中的输出（前 3 维）":
                    ", ".join(f"{v:+.4f}" for v in b[j, :3].tolist()),
                "max|差|（全部 16 维）":
                    _gap((a[i] - b[j]).abs().max().item(), with_pe),
            })
    return pd.DataFrame(rows).set_index(["输入", "词"])


def show_permutation_check():
    lines = []
    for with_pe in (False, True):
        gaps = [permutation_gap(seq_len=10, with_pe=with_pe, seed=s)
                for s in range(5)]
        label = "加位置编码" if with_pe else "无位置编码"
        gap = _gap(max(gaps), with_pe)
        lines.append(f"{label}：5 个随机排列下 max|Attn(PX) − P·Attn(X)| "
                     + (f"= {gap}" if with_pe else gap))
    return "\n".join(lines)


def show_naive_positions():
    """Integer positions and positions divided by the length."""
    rows = []
    for name, fn in (("整数位置 pos", lambda p, n: p),
                     ("pos / (L − 1)", lambda p, n: p / (n - 1))):
        for n in (10, 1000):
            pos = np.arange(n)
            enc = fn(pos, n).astype(float)
            rows.append({"方案": name, "序列长度 L": n,
                         "位置 3 的编码": f"{enc[3]:.4g}",
                         "相邻位置之差": f"{enc[1] - enc[0]:.4g}",
                         "最大值": f"{enc.max():.4g}"})
    return pd.DataFrame(rows).set_index(["方案", "序列长度 L"])


def binary_encoding(max_len, n_bits):
    """Bit i of every position (bit 0 = least significant) as 0/1."""
    max_len = integer(max_len, "max_len", 1)
    n_bits = integer(n_bits, "n_bits", 1)
    pos = np.arange(max_len)[:, None]
    return (pos >> np.arange(n_bits)) & 1


def show_binary():
    """Positions 0..15 in binary: one line per bit, one column per position."""
    bits = binary_encoding(16, 4)
    lines = ["位置     " + "".join(f"{p:>3}" for p in range(16)) + "   周期"]
    for i in range(4):
        lines.append(f"第 {i} 位  " + "".join(f"{b:>3}" for b in bits[:, i])
                     + f"   {2 ** (i + 1):>4}")
    return "\n".join(lines)


def plot_binary_vs_sinusoid():
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.8))
    bits = binary_encoding(64, 6)
    left.imshow(bits, aspect="auto", cmap="viridis", interpolation="nearest")
    left.set_xlabel("二进制位（左边是最低位）")
    left.set_ylabel("位置")
    left.set_title("二进制：第 i 位以 2^(i+1) 为周期翻转")
    with float64_default():
        pe = sinusoidal_encoding(64, 16).numpy()
    im = right.imshow(pe, aspect="auto", cmap="viridis", vmin=-1, vmax=1,
                      interpolation="nearest")
    right.set_xlabel("编码维度")
    right.set_title("正弦编码（d = 16）：频率逐维降低")
    fig.colorbar(im, ax=right)
    for ax in (left, right):
        ax.grid(False)
    fig.tight_layout()
    return fig


def show_wavelengths():
    """Frequency and wavelength of each (sin, cos) pair for d_model = 16."""
    d, base = 16, 10000.0
    rows = []
    for i in range(d // 2):
        omega = base ** (-2 * i / d)
        rows.append({"i": i, "维度": f"{2 * i}, {2 * i + 1}",
                     "角频率 ω_i": f"{omega:.3e}",
                     "波长 2π/ω_i": f"{2 * math.pi / omega:.2f}"})
    return pd.DataFrame(rows).set_index("i")


def plot_heatmap():
    import matplotlib.pyplot as plt

    with float64_default():
        pe = sinusoidal_encoding(100, 128).numpy()
    fig, ax = plt.subplots(figsize=(8.0, 4.0))
    im = ax.imshow(pe, aspect="auto", cmap="viridis", vmin=-1, vmax=1,
                   interpolation="nearest")
    ax.set_xlabel("编码维度 j")
    ax.set_ylabel("位置 pos")
    ax.set_title("正弦位置编码矩阵（max_len = 100，d_model = 128）")
    ax.grid(False)
    fig.colorbar(im, ax=ax, label="PE[pos, j]")
    fig.tight_layout()
    return fig


def plot_dimensions():
    import matplotlib.pyplot as plt

    with float64_default():
        pe = sinusoidal_encoding(101, 64).numpy()
    fig, ax = plt.subplots(figsize=(8.0, 3.6))
    for j in (4, 5, 16, 30):
        kind = "sin" if j % 2 == 0 else "cos"
        ax.plot(pe[:, j], label=f"维度 {j}（{kind}，i = {j // 2}）")
    ax.set_xlabel("位置 pos")
    ax.set_ylabel("PE[pos, j]")
    ax.set_title("d_model = 64 时几个维度随位置的变化")
    ax.legend(loc="lower left", fontsize=8, ncol=2)
    ax.set_ylim(-1.6, 1.15)
    fig.tight_layout()
    return fig


def plot_dot_product():
    import matplotlib.pyplot as plt

    d = 128
    with float64_default():
        pe = sinusoidal_encoding(700, d)
    offsets = np.arange(-100, 101)
    fig, ax = plt.subplots(figsize=(8.0, 3.6))
    for p, style in zip((100, 300, 500), ("-", "--", ":")):
        dots = (pe[p + offsets] @ pe[p]).numpy()
        ax.plot(offsets, dots, style, lw=1.8, label=f"p = {p}")
    omega = 10000.0 ** (-np.arange(0, d, 2) / d)
    formula = np.cos(np.outer(offsets, omega)).sum(axis=1)
    ax.plot(offsets[::8], formula[::8], "o", ms=3.5, mfc="none",
            label="Σ cos(ω_i k)")
    ax.set_xlabel("相对位置 k = q − p")
    ax.set_ylabel("PE(p) · PE(q)")
    ax.set_title("内积只取决于 q − p，且关于 k = 0 对称（d_model = 128）")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def show_shift_check():
    """PE[p + k] = M_k PE[p] for every p, M_k orthogonal, M_1^k = M_k."""
    L, d, ks = 2000, 64, (1, 7, 50, 300, 1000)
    shift = ortho = power = 0.0
    with float64_default():
        pe = sinusoidal_encoding(L, d)
        m1 = shift_matrix(1, d)
        for k in ks:
            m = shift_matrix(k, d)
            pred = pe[: L - k] @ m.T  # 每行是一个 M_k PE[p]
            shift = max(shift, (pe[k:] - pred).abs().max().item())
            ortho = max(ortho, (m.T @ m - torch.eye(d)).abs().max().item())
            m1_k = torch.linalg.matrix_power(m1, k)
            power = max(power, (m1_k - m).abs().max().item())
    # 角度最大约 2000 弧度，单是角度的舍入就有 2000·ε ≈ 4e-13，
    # 实测的差约 2e-13；M_1^k 的差随 k 累积到约 1e-13。上界都留出余量
    return "\n".join([
        f"d = {d}，位置 0–{L - 1}，k = {', '.join(map(str, ks))}，"
        f"共 {sum(L - k for k in ks)} 个 (p, k)：",
        f"  max|PE[p+k] − M_k PE[p]| {bound(shift, 1e-11)}",
        f"  max|M_kᵀ M_k − I|        {bound(ortho, 1e-14)}",
        f"  max|M_1^k − M_k|         {bound(power, 1e-11)}",
    ])


def show_shift_matrix_block():
    with float64_default():
        m = shift_matrix(1, 4).numpy()
    return ("shift_matrix(1, 4) =\n"
            + np.array2string(m, precision=4, suppress_small=True))


def show_precision():
    """Angles in float32 (a common recipe) vs float64, against NumPy."""
    d, L = 512, 5000
    pos = np.arange(L, dtype=np.float64)[:, None]
    i2 = np.arange(0, d, 2, dtype=np.float64)
    ref = np.empty((L, d))
    ref[:, 0::2] = np.sin(pos / 10000.0 ** (i2 / d))
    ref[:, 1::2] = np.cos(pos / 10000.0 ** (i2 / d))
    # 常见写法：全程 float32，用 exp(-log(base) 2i/d) 求频率
    p32 = torch.arange(L, dtype=torch.float32).unsqueeze(1)
    div = torch.exp(torch.arange(0, d, 2, dtype=torch.float32)
                    * (-math.log(10000.0) / d))
    naive = torch.empty(L, d)
    naive[:, 0::2] = torch.sin(p32 * div)
    naive[:, 1::2] = torch.cos(p32 * div)
    ours = sinusoidal_encoding(L, d)  # 默认 dtype 即 float32
    rows = []
    for lo, hi in ((0, 100), (1000, 1100), (4900, 5000)):
        err32 = np.abs(naive[lo:hi].numpy() - ref[lo:hi]).max()
        err64 = np.abs(ours[lo:hi].numpy() - ref[lo:hi]).max()
        rows.append({"位置范围": f"[{lo}, {hi})",
                     "float32 算角度": f"{err32:.1e}",
                     "float64 算角度再转 float32": f"{err64:.1e}"})
    return pd.DataFrame(rows).set_index("位置范围")


def show_embedding_scale():
    """Why the embeddings are multiplied by sqrt(d_model)."""
    rows = []
    for d in (64, 512):
        with torch.random.fork_rng():
            torch.manual_seed(0)
            emb = nn.Embedding(1000, d)
            # 与输出层共享权重时常见的初始化：N(0, 1/d)
            nn.init.normal_(emb.weight, std=d ** -0.5)
        norms = emb.weight.detach().norm(dim=1)
        pe_norm = sinusoidal_encoding(100, d).norm(dim=1)
        rows.append({
            "d_model": d,
            "嵌入向量范数（均值）": f"{norms.mean():.3f}",
            "乘以 √d_model 后": f"{(norms * math.sqrt(d)).mean():.3f}",
            "位置编码向量范数": f"{pe_norm.min():.3f} ~ {pe_norm.max():.3f}",
            "√(d_model / 2)": f"{math.sqrt(d / 2):.3f}",
        })
    return pd.DataFrame(rows).set_index("d_model")


def show_module_demo():
    with torch.random.fork_rng():
        torch.manual_seed(0)
        d_model = 512
        emb = nn.Embedding(1000, d_model)
        nn.init.normal_(emb.weight, std=d_model ** -0.5)
        pos_enc = PositionalEncoding(d_model, max_len=5000, dropout=0.1)
        tokens = torch.randint(0, 1000, (2, 7))
        pos_enc.eval()
        with torch.no_grad():
            x = embed_tokens(tokens, emb, pos_enc)
            expected = (emb(tokens) * math.sqrt(d_model)
                        + sinusoidal_encoding(7, d_model))
        pos_enc.train()
        with torch.no_grad():
            y = embed_tokens(tokens, emb, pos_enc)
    zeros = (y == 0).float().mean().item()
    kept = y != 0
    ratio = (y[kept] / x[kept]).mean().item()
    return "\n".join([
        repr(pos_enc),
        f"tokens {tuple(tokens.shape)} -> 输出 {tuple(x.shape)}",
        f"eval 模式：与 emb·√d + PE 的最大差 "
        f"{bound((x - expected).abs().max().item(), 1e-5)}",
        f"train 模式：被置零的元素比例 {zeros:.3f}，"
        f"其余元素被放大 {ratio:.4f} 倍（1/(1 − p) = {1 / 0.9:.4f}）",
        f"state_dict 中的键：{list(pos_enc.state_dict())}",
    ])


def demo_too_long():
    pos_enc = PositionalEncoding(d_model=16, max_len=128, dropout=0.0)
    return pos_enc(torch.zeros(1, 200, 16))
