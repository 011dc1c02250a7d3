"""The tables and figures of the positional-encoding post."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch

from docexec import Responsive
from snippets._precision import bound
from snippets.positional_encoding.core import (PositionalEncoding,
                                               attention_layer,
                                               binary_encoding, embed_tokens,
                                               float64_default,
                                               permutation_gap,
                                               self_attention, shift_matrix,
                                               sinusoidal_encoding)
from snippets.positional_encoding.rope import rope_rotate
from snippets.positional_encoding.data import (SENTENCES, scaled_embedding,
                                               token_ids, word_embedding)


def _sentence_outputs(with_pe, d_model=16):
    emb = word_embedding(d_model, seed=1)
    attn = attention_layer(d_model, seed=2)
    with float64_default():
        pe = sinusoidal_encoding(3, d_model)
    outs = []
    with torch.no_grad():
        for words in SENTENCES:
            x = emb(token_ids(words)) + (pe if with_pe else 0.0)
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
    from matplotlib.patches import Patch  # the two values of a bit, as a legend of its own

    bits = binary_encoding(64, 6)
    with float64_default():
        pe = sinusoidal_encoding(64, 16).numpy()
    cmap = plt.get_cmap("viridis")

    def draw(narrow):  # 手机上两图上下排列
        fig, (left, right) = plt.subplots(
            *((2, 1) if narrow else (1, 2)),
            figsize=(4.0, 7.0) if narrow else (8.4, 3.8))
        left.imshow(bits, aspect="auto", cmap="viridis", interpolation="nearest")
        left.legend(handles=[Patch(color=cmap(0.0), label="0"),
                             Patch(color=cmap(1.0), label="1")],
                    title="位的取值", loc="upper left", bbox_to_anchor=(1.0, 1.0),
                    fontsize=8, title_fontsize=8)
        left.set_xlabel("二进制位（左边是最低位）")
        left.set_ylabel("位置")
        left.set_title("二进制：第 i 位以 2^(i+1) 为周期翻转")
        im = right.imshow(pe, aspect="auto", cmap="viridis", vmin=-1, vmax=1,
                          interpolation="nearest")
        right.set_xlabel("编码维度")
        right.set_title("正弦编码（d = 16）：频率逐维降低")
        fig.colorbar(im, ax=right)
        for ax in (left, right):
            ax.grid(False)
        fig.tight_layout()
        return fig

    return Responsive(draw(False), narrow=lambda: draw(True))


def show_wavelengths(base=10000.0):
    """Frequency and wavelength of each (sin, cos) pair for d_model = 16."""
    d, base = 16, float(base)
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
    ax.legend(fontsize=9)
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
        # 与输出层共享权重时常见的初始化：N(0, 1/d)
        emb = scaled_embedding(1000, d, seed=0)
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
    d_model = 512
    # 一个种子依次抽出嵌入、词 id 和 dropout 的掩码
    with torch.random.fork_rng():
        torch.manual_seed(0)
        emb = scaled_embedding(1000, d_model)
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


def fail_too_long():
    pos_enc = PositionalEncoding(d_model=16, max_len=128, dropout=0.0)
    return pos_enc(torch.zeros(1, 200, 16))


def relative_score_spread(k, d=64, positions=512, seed=0):
    """For a fixed offset k, how much a query-key score still varies with p:
    (PE·PE, additive PE through random W_Q, W_K, RoPE) as max - min over p."""
    gen = torch.Generator().manual_seed(seed)
    w_q, w_k = (torch.randn(d, d, generator=gen, dtype=torch.float64) / d ** 0.5
                for _ in range(2))
    u, v = (torch.randn(d, generator=gen, dtype=torch.float64) for _ in range(2))
    with float64_default():
        pe = sinusoidal_encoding(positions + k, d)
    p = torch.arange(positions)
    dot = (pe[p] * pe[p + k]).sum(1)
    additive = ((pe[p] @ w_q.T) * (pe[p + k] @ w_k.T)).sum(1)
    q = rope_rotate((w_q @ u).expand(positions, d), p)
    key = rope_rotate((w_k @ v).expand(positions, d), p + k)
    rope = (q * key).sum(1)
    return tuple((s.max() - s.min()).item() for s in (dot, additive, rope))


def show_relative_scores():
    rows = []
    for k in (1, 5, 20, 100):
        dot, additive, rope = relative_score_spread(k)
        rows.append({"偏移 k": k, "PE(p)·PE(p+k)": bound(dot, 1e-11),
                     "加性 PE 经过 W_Q、W_K": f"{additive:.3f}",
                     "RoPE": bound(rope, 1e-11)})
    return pd.DataFrame(rows).set_index("偏移 k")
