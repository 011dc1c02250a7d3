"""The tables, texts and figures that the GRU post executes.

Demos use the public API of the package only; ``fail_*`` demos raise on
purpose (the post shows the error).
"""

from __future__ import annotations

import inspect
import math
import unicodedata

import numpy as np
import pandas as pd
import torch
from torch import nn

from docexec import Responsive
from snippets._precision import bound
from snippets.gru.core import (ManualGRU, compare_with_torch, gate_trace,
                               gru_cell, gru_cell_cho, gru_gates)
from snippets.gru.data import decay_curve, sine_data
from snippets.gru.gradients import gru_jacobian
from snippets.gru.training import trained_sine


def _aligned(pairs):
    """Lines "label : value" with the colons aligned (CJK counts twice)."""
    def width(text):
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1
                   for c in text)

    pad = max(width(label) for label, _ in pairs)
    return "\n".join(f"{label}{' ' * (pad - width(label))} : {value}"
                     for label, value in pairs)


def _shape_str(t):
    return str(tuple(t.shape))


# 两条计算路径之差的上限（snippets/_precision.py）：舍入噪声在单精度下
# 约 1e-7、双精度下约 1e-16，随 CPU 内核而变，上限比它高两个数量级
LIMIT_F32, LIMIT_F64 = 1e-5, 1e-13
# 单精度训练 100 步，舍入差异略有累积：损失的相对差在各内核下不超过 2e-6
LIMIT_TRAINING = 1e-4

# 形状示例所用的尺寸
EX = dict(L=5, N=2, I=3, H=4, num_layers=2, bidirectional=True)


def _example_model(cls, batch_first):
    torch.manual_seed(0)
    return cls(EX["I"], EX["H"], num_layers=EX["num_layers"],
               batch_first=batch_first, bidirectional=EX["bidirectional"])


def show_parameter_shapes():
    """Every parameter and per-step tensor of the example, shape by shape."""
    N, I, H = EX["N"], EX["I"], EX["H"]
    print(f"L={EX['L']}, N={N}, I={I}, H={H}, "
          f"num_layers={EX['num_layers']}, D=2")
    ref = _example_model(nn.GRU, batch_first=False)
    ours = _example_model(ManualGRU, batch_first=False)
    ours.load_state_dict(ref.state_dict())
    rows = []

    def add(name, symbol, t, note=""):
        rows.append({"张量": name, "符号形状": symbol, "实际形状": _shape_str(t),
                     "说明": note})

    p = dict(ours.named_parameters())
    add("weight_ih_l0", "(3H, I)", p["weight_ih_l0"], "[W_ir | W_iz | W_in] 上下拼接")
    for k, (g, rows_) in enumerate(zip("rzn", ("0:H", "H:2H", "2H:3H"))):
        add(f"W_i{g} = weight_ih_l0[{rows_}]", "(H, I)",
            p["weight_ih_l0"][k * H:(k + 1) * H], "按行切出")
    add("weight_hh_l0", "(3H, H)", p["weight_hh_l0"], "[W_hr | W_hz | W_hn]")
    add("bias_ih_l0 / bias_hh_l0", "(3H,)", p["bias_ih_l0"],
        "[b_ir | b_iz | b_in]，[b_hr | b_hz | b_hn]")
    add("weight_ih_l0_reverse", "(3H, I)", p["weight_ih_l0_reverse"], "反向")
    add("weight_ih_l1", "(3H, D·H)", p["weight_ih_l1"], "第 2 层的输入是 D·H 维")
    add("weight_hh_l1", "(3H, H)", p["weight_hh_l1"], "")
    # 一个时间步内部的张量：第 1 层正向
    torch.manual_seed(1)
    x_t = torch.randn(N, I)
    h_prev = torch.randn(N, H)
    w = [p[f"{kind}_l0"] for kind in ("weight_ih", "weight_hh", "bias_ih",
                                      "bias_hh")]  # 第 1 层正向的参数
    r, z, n = gru_gates(x_t, h_prev, *w)
    h_t = gru_cell(x_t, h_prev, *w)
    add("x_t", "(N, I)", x_t, "某一时刻的输入")
    add("h_{t-1}", "(N, H)", h_prev, "")
    add("r_t, z_t, n_t", "(N, H)", r, "三个门/候选各 H 维")
    add("h_t", "(N, H)", h_t, "")
    return pd.DataFrame(rows).set_index("张量")


def _io_shapes(batch_first):
    L, N, I, H = EX["L"], EX["N"], EX["I"], EX["H"]
    D = 2 if EX["bidirectional"] else 1
    ref = _example_model(nn.GRU, batch_first)
    ours = _example_model(ManualGRU, batch_first)
    torch.manual_seed(2)
    x = torch.randn((N, L, I) if batch_first else (L, N, I))
    h0 = torch.randn(D * EX["num_layers"], N, H)
    with torch.no_grad():
        out, h_n = ours(x, h0)
        out_ref, h_n_ref = ref(x, h0)
    err = max((out - out_ref).abs().max().item(),
              (h_n - h_n_ref).abs().max().item())
    return x, h0, out, h_n, out_ref, h_n_ref, err


def _show_io(batch_first):
    x, h0, out, h_n, out_ref, h_n_ref, err = _io_shapes(batch_first)
    seq = "(N, L, {})" if batch_first else "(L, N, {})"
    rows = [("input", seq.format("I"), x, x),
            ("h0", "(D·num_layers, N, H)", h0, h0),
            ("output", seq.format("D·H"), out, out_ref),
            ("h_n", "(D·num_layers, N, H)", h_n, h_n_ref)]
    df = pd.DataFrame([{"张量": name, "符号形状": sym,
                        "ManualGRU": _shape_str(a), "nn.GRU": _shape_str(b)}
                       for name, sym, a, b in rows]).set_index("张量")
    print(f"batch_first={batch_first}，"
          f"两者输出的最大绝对差 {bound(err, LIMIT_F32)}")
    return df


def show_io_shapes_seq_first():
    return _show_io(batch_first=False)


def show_io_shapes_batch_first():
    return _show_io(batch_first=True)


def show_output_vs_hn():
    """output[-1] holds the last forward state, output[0] the reverse one
    (copies of the same tensors, so compared for equality)."""
    x, h0, out, h_n, *_ = _io_shapes(batch_first=False)
    H = EX["H"]
    h_last = h_n.view(EX["num_layers"], 2, EX["N"], H)[-1]  # 最后一层
    return _aligned([
        ("h_n.view(num_layers, D, N, H) 的形状",
         tuple(h_n.view(EX["num_layers"], 2, EX["N"], H).shape)),
        ("output[-1, :, :H] 等于最后一层正向 h_n",
         torch.equal(out[-1, :, :H], h_last[0])),
        ("output[0, :, H:] 等于最后一层反向 h_n",
         torch.equal(out[0, :, H:], h_last[1])),
    ])


def show_parameter_counts():
    I, H = 3, 4
    rows = []
    for name, cls, gates in (("RNN (tanh)", nn.RNN, 1), ("GRU", nn.GRU, 3),
                             ("LSTM", nn.LSTM, 4)):
        m = cls(I, H)
        count = sum(p.numel() for p in m.parameters())
        rows.append({"模型": name, "门/候选的组数": gates,
                     "weight_ih_l0": _shape_str(m.weight_ih_l0),
                     "weight_hh_l0": _shape_str(m.weight_hh_l0),
                     "参数个数": count,
                     "公式 k(HI+H²+2H)": gates * (H * I + H * H + 2 * H)})
    return pd.DataFrame(rows).set_index("模型")


def show_torch_agreement():
    torch.manual_seed(0)
    cases = [("1 层", dict()), ("2 层", dict(num_layers=2)),
             ("2 层、双向", dict(num_layers=2, bidirectional=True)),
             ("2 层、batch_first", dict(num_layers=2, batch_first=True)),
             ("3 层、双向、batch_first",
              dict(num_layers=3, bidirectional=True, batch_first=True)),
             ("无偏置", dict(num_layers=2, bias=False)),
             ("无批量维 (L, I)",
              dict(num_layers=2, bidirectional=True, batched=False))]
    rows = []
    for name, cfg in cases:
        row = {"配置": name}
        for label, dtype, limit in (("float32", torch.float32, LIMIT_F32),
                                    ("float64", torch.float64, LIMIT_F64)):
            err = compare_with_torch(dtype, input_size=5, hidden_size=8,
                                     seq_len=12, batch=3, **dict(cfg))
            row[f"最大绝对差 ({label})"] = bound(err, limit)
        rows.append(row)
    return pd.DataFrame(rows).set_index("配置")


def show_same_init():
    torch.manual_seed(42)
    ref = nn.GRU(3, 4, num_layers=2, bidirectional=True)
    torch.manual_seed(42)
    ours = ManualGRU(3, 4, num_layers=2, bidirectional=True)
    names = [[n for n, _ in m.named_parameters()] for m in (ref, ours)]
    same = all(torch.equal(a, b) for a, b in
               zip(ref.parameters(), ours.parameters()))
    largest = max(p.abs().max().item() for p in ours.parameters())
    return _aligned([
        ("参数名顺序一致", names[0] == names[1]),
        ("同一随机种子下逐个相等", same),
        ("最大 |参数|", f"{largest:.4f}（1/sqrt(H) = {1 / math.sqrt(4):.4f}）"),
    ])


def fail_bad_shape():
    gru = ManualGRU(3, 4, num_layers=2)
    gru(torch.randn(5, 2, 3), torch.zeros(1, 2, 4))


# --8<-- [start:reset_variants]
def reset_variants():
    """Same weights, two places for r: PyTorch's and Cho et al.'s."""
    torch.manual_seed(0)
    ref = nn.GRU(3, 4, dtype=torch.float64)
    w = [ref.weight_ih_l0, ref.weight_hh_l0,
         ref.bias_ih_l0, ref.bias_hh_l0]
    x = torch.randn(20, 3, dtype=torch.float64)
    h_torch = h_cho = torch.zeros(4, dtype=torch.float64)
    with torch.no_grad():
        for t in range(len(x)):
            h_torch = gru_cell(x[t], h_torch, *w)
            h_cho = gru_cell_cho(x[t], h_cho, *w)
        _, h_ref = ref(x)
    return h_torch, h_cho, h_ref[0]
# --8<-- [end:reset_variants]


def show_reset_variants():
    h_torch, h_cho, h_ref = reset_variants()
    fmt = lambda v: "[" + ", ".join(f"{a:+.4f}" for a in v.tolist()) + "]"  # noqa
    d_torch = (h_torch - h_ref).abs().max().item()
    d_cho = (h_cho - h_ref).abs().max().item()
    return _aligned([
        ("nn.GRU 的 h_20", fmt(h_ref)),
        ("r 乘在 W_hn h + b_hn 上",
         f"{fmt(h_torch)}  差 {bound(d_torch, LIMIT_F64)}"),
        ("r 乘在 h 上（原论文）", f"{fmt(h_cho)}  差 {d_cho:.1e}"),
    ])


def show_jacobian_check():
    torch.manual_seed(0)
    H = 6
    ref = nn.GRU(4, H, dtype=torch.float64)
    w = [p.detach() for p in (ref.weight_ih_l0, ref.weight_hh_l0,
                              ref.bias_ih_l0, ref.bias_hh_l0)]
    x = torch.randn(4, dtype=torch.float64)
    h = torch.randn(H, dtype=torch.float64).tanh()
    ours = gru_jacobian(x, h, *w)
    auto = torch.autograd.functional.jacobian(
        lambda hh: gru_cell(x, hh, *w), h)
    r, z, n = gru_gates(x, h, *w)
    err = (ours - auto).abs().max().item()
    return _aligned([
        ("雅可比矩阵形状", tuple(ours.shape)),
        ("与 autograd 的最大绝对差", bound(err, LIMIT_F64)),
        ("这一步的更新门 z", ", ".join(f"{v:.3f}" for v in z.tolist())),
    ])


# 梯度衰减的四条曲线：(图例, kind, 更新门偏置)
DECAY_CURVES = (("普通 RNN (tanh)", "rnn", 0.0), ("GRU，更新门偏置 +0", "gru", 0.0),
                ("GRU，更新门偏置 +2", "gru", 2.0), ("GRU，更新门偏置 +4", "gru", 4.0))


def plot_gradient_decay():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    for i, (label, kind, b) in enumerate(DECAY_CURVES):
        rel = decay_curve(kind, b)
        ax.semilogy(np.arange(1, len(rel) + 1), rel, label=label,
                    color=f"C{i}")
    ax.set_xlabel("往回传播的步数 T − t")
    ax.set_ylabel("梯度范数（相对第 1 步）")
    ax.set_title("梯度随时间步的衰减（默认初始化，H = 32）")
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig


def show_gradient_decay():
    rows = []
    for label, kind, b in DECAY_CURVES:
        rel = decay_curve(kind, b)
        rows.append({"模型": label, **{f"{k} 步后": f"{rel[k]:.1e}"
                                     for k in (10, 30, 59)}})
    return pd.DataFrame(rows).set_index("模型")


def plot_training():
    import matplotlib.pyplot as plt

    model, train, test, (x_test, y_test) = trained_sine()
    _, train_ref, _, _ = trained_sine(nn.GRU)
    with torch.no_grad():
        pred = model(x_test)
    naive = ((x_test - y_test) ** 2).mean().item()
    per_step = ((pred - y_test) ** 2).mean(dim=(0, 2))
    noise = inspect.signature(sine_data).parameters["noise"].default
    rel = np.max(np.abs(train - train_ref) / train_ref)
    print(_aligned([
        ("最终训练 MSE（ManualGRU）", f"{train[-1]:.4f}"),
        ("最终测试 MSE（ManualGRU）", f"{test[-1, 1]:.4f}"),
        ("测试 MSE：前 5 步 / 其余各步",
         f"{per_step[:5].mean():.4f} / {per_step[5:].mean():.4f}"),
        ("基线：把带噪的 x_t 当作预测", f"{naive:.4f}"),
        ("噪声方差 σ²", f"{noise ** 2:.4f}"),
        ("换成 nn.GRU 后训练损失的最大相对差", bound(rel, LIMIT_TRAINING)),
    ]))

    def draw(narrow):  # 手机上两图上下排列
        fig, (left, right) = plt.subplots(*((2, 1) if narrow else (1, 2)),
                                          figsize=(4.0, 7.0) if narrow else (9.6, 3.6))
        steps = np.arange(1, len(train) + 1)
        left.semilogy(steps, train, color="C0", label="训练集（ManualGRU）")
        left.semilogy(steps, train_ref, color="C3", ls="--", lw=1,
                      label="训练集（nn.GRU）")
        left.semilogy(test[:, 0], test[:, 1], "o-", ms=3, color="C1",
                      label="测试集（ManualGRU）")
        left.axhline(naive, color="C2", ls=":", label="基线：直接用 x_t")
        left.set_xlabel("训练步数")
        left.set_ylabel("均方误差")
        left.set_title("损失曲线")
        left.legend(fontsize=9)
        t = np.arange(x_test.shape[1])
        for k, i in enumerate((0, 1)):
            right.plot(t, x_test[i, :, 0], ".", ms=4, color=f"C{2 * k}",
                       alpha=0.6, label=f"序列 {i + 1}：带噪输入 x_t")
            right.plot(t, y_test[i, :, 0], color=f"C{2 * k}", lw=1,
                       label=f"序列 {i + 1}：真实下一值")
            right.plot(t, pred[i, :, 0], "--", color=f"C{2 * k + 1}",
                       label=f"序列 {i + 1}：GRU 预测")
        right.set_xlabel("时间步 t")
        right.set_title("测试序列上的预测")
        right.legend(fontsize=8 if narrow else 9, ncol=2, loc="lower left")
        right.set_ylim(-2.2, 1.6)
        fig.tight_layout()
        return fig

    return Responsive(draw(False), narrow=lambda: draw(True))


def plot_gates():
    import matplotlib.pyplot as plt

    model, _, _, (x_test, y_test) = trained_sine()
    x, target = x_test[0], y_test[0, :, 0].numpy()
    trace = gate_trace(model.gru, x)
    with torch.no_grad():
        out, _ = model.gru(x)  # 无批量维的输入 (L, 1)
        pred = model.head(out)[:, 0].numpy()
    err = np.abs(trace[-1]["h"] - out.numpy()).max()
    stats = {"mean": [], "slow": [], "corr": []}
    for layer in trace:
        z = layer["z"]
        corr = np.array([abs(np.corrcoef(z[:, j], target)[0, 1])
                         for j in range(z.shape[1])])
        H = z.shape[1]
        stats["mean"].append(f"{z.mean():.3f}")
        stats["slow"].append(f"{int((z.mean(0) > 0.8).sum())}/{H}")
        stats["corr"].append(f"{int((corr > 0.8).sum())}/{H}")
    print(_aligned([
        ("gate_trace 的第 2 层 h 与模型输出之差", bound(err, LIMIT_F32)),
        ("z 的均值（第 1 层, 第 2 层）", ", ".join(stats["mean"])),
        ("平均 z > 0.8 的单元", ", ".join(stats["slow"])),
        ("z 与信号的 |相关系数| > 0.8 的单元", ", ".join(stats["corr"])),
    ]))

    fig = plt.figure(figsize=(8.0, 8.4))
    grid = fig.add_gridspec(5, 2, width_ratios=[60, 1],
                            height_ratios=[1.2, 1, 1, 1, 1])
    top = fig.add_subplot(grid[0, 0])
    t = np.arange(len(x))
    top.plot(t, x[:, 0], ".", color="C0", label="带噪输入 x_t")
    top.plot(t, target, color="C2", lw=1, label="真实下一值")
    top.plot(t, pred, "--", color="C1", label="预测")
    top.set_xlim(-0.5, len(x) - 0.5)
    top.legend(fontsize=9, ncol=3, loc="upper left")
    top.set_ylim(-1.5, 1.9)
    top.set_title("一条测试序列上的门控值（行：隐藏单元，列：时间步）")
    panels = [(f"第 {k + 1} 层 {name}", trace[k][gate]) for k in (0, 1)
              for gate, name in (("z", "更新门 z"), ("r", "重置门 r"))]
    for row, (title, values) in enumerate(panels, start=1):
        ax = fig.add_subplot(grid[row, 0], sharex=top)
        im = ax.imshow(values.T, aspect="auto", cmap="viridis", vmin=0,
                       vmax=1, interpolation="nearest",
                       extent=(-0.5, len(x) - 0.5, values.shape[1] - 0.5,
                               -0.5))
        ax.set_ylabel("单元")
        ax.set_title(title, fontsize=10)
        ax.grid(False)
        if row < len(panels):
            ax.tick_params(labelbottom=False)
    top.tick_params(labelbottom=False)
    ax.set_xlabel("时间步 t")
    fig.colorbar(im, cax=fig.add_subplot(grid[1:, 1]), label="门控值")
    fig.tight_layout()
    return fig
