"""深入理解 GRU 及其 PyTorch 实现
文章：docs/blog/posts/2026-11-21-gru.md

``gru_cell`` computes one GRU step from the equations in the PyTorch
documentation and ``ManualGRU`` stacks it into a multi-layer, optionally
bidirectional GRU whose parameters have exactly the names and shapes of
``torch.nn.GRU`` (so state dicts load both ways).  No torch GRU, GRUCell or
rnn functions are used.  The ``show_*``/``plot_*`` functions build the
article's tables and figures.
"""

from __future__ import annotations

import inspect
import math
import numbers
import warnings

import numpy as np
import pandas as pd
import torch
from torch import nn

from snippets._precision import bound
from snippets._checks import integer


def _shape(t) -> tuple:
    return tuple(t.shape)


def _check_tensor(name, t, dims):
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
    if not t.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got {t.dtype}")
    if t.dim() not in dims:
        raise ValueError(f"{name} must have {' or '.join(map(str, dims))} "
                         f"dimensions, got shape {_shape(t)}")


def _check_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    _check_tensor("x", x, (1, 2))
    _check_tensor("h", h, (1, 2))
    hidden = h.shape[-1]
    if x.dim() == 1:
        if h.dim() != 1:
            raise ValueError(f"unbatched x of shape {_shape(x)} needs h of shape "
                             f"({hidden},), got {_shape(h)}")
    elif h.dim() != 2 or h.shape[0] != x.shape[0]:
        raise ValueError(f"h must have shape ({x.shape[0]}, {hidden}) to match x "
                         f"of shape {_shape(x)}, got {_shape(h)}")
    expected = {"w_ih": (3 * hidden, x.shape[-1]), "w_hh": (3 * hidden, hidden),
                "b_ih": (3 * hidden,), "b_hh": (3 * hidden,)}
    for name, t in (("w_ih", w_ih), ("w_hh", w_hh), ("b_ih", b_ih), ("b_hh", b_hh)):
        if t is None and name.startswith("b"):
            continue
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if _shape(t) != expected[name]:
            raise ValueError(f"{name} must have shape {expected[name]} "
                             f"(hidden size {hidden}), got {_shape(t)}")
        if t.dtype != x.dtype or h.dtype != x.dtype:
            raise TypeError(f"x, h and {name} must share one dtype, got "
                            f"{x.dtype}, {h.dtype} and {t.dtype}")


# --8<-- [start:gru_gates]
def gru_gates(x, h, w_ih, w_hh, b_ih=None, b_hh=None):
    """Reset gate r, update gate z and candidate n of one GRU step."""
    _check_cell(x, h, w_ih, w_hh, b_ih, b_hh)
    gi = x @ w_ih.T  # (N, 3H)：W_ir x | W_iz x | W_in x
    gh = h @ w_hh.T  # (N, 3H)：W_hr h | W_hz h | W_hn h
    if b_ih is not None:
        gi = gi + b_ih
    if b_hh is not None:
        gh = gh + b_hh
    i_r, i_z, i_n = gi.chunk(3, dim=-1)
    h_r, h_z, h_n = gh.chunk(3, dim=-1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    # PyTorch 的写法：r 乘在 (W_hn h + b_hn) 上，而不是乘在 h 上
    n = torch.tanh(i_n + r * h_n)
    return r, z, n
# --8<-- [end:gru_gates]


# --8<-- [start:gru_cell]
def gru_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step: x (N, I) or (I,), h (N, H) or (H,) -> new h."""
    r, z, n = gru_gates(x, h, w_ih, w_hh, b_ih, b_hh)
    # 即 (1 - z) * n + z * h：torch 也这样写，少一次舍入，半精度下更准
    return n + z * (h - n)
# --8<-- [end:gru_cell]


def gru_cell_cho(x, h, w_ih, w_hh, b_ih=None, b_hh=None):
    """The variant of Cho et al. (2014): r multiplies h before W_hn."""
    _check_cell(x, h, w_ih, w_hh, b_ih, b_hh)
    hidden = h.shape[-1]
    w_hr, w_hz, w_hn = w_hh.split(hidden)
    gi = x @ w_ih.T if b_ih is None else x @ w_ih.T + b_ih
    b_r, b_z, b_n = ((None,) * 3 if b_hh is None else b_hh.split(hidden))
    i_r, i_z, i_n = gi.chunk(3, dim=-1)

    def lin(w, v, b):
        return v @ w.T if b is None else v @ w.T + b

    r = torch.sigmoid(i_r + lin(w_hr, h, b_r))
    z = torch.sigmoid(i_z + lin(w_hz, h, b_z))
    n = torch.tanh(i_n + lin(w_hn, r * h, b_n))  # 先重置 h，再乘矩阵
    return (1 - z) * n + z * h


def _check_flags(**flags):
    """Each flag must be a bool: bool("False") is True, so no truthiness."""
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise TypeError(f"{name} should be of type bool, "
                            f"got: {type(value).__name__}")


def _check_dropout(dropout, num_layers):
    """nn.GRU's rule, exception types and warning included; returns a float."""
    try:
        p = float(dropout)
    except TypeError:  # None, a list, ...: as torch, whose float() fails too
        raise TypeError(f"dropout must be a number, got "
                        f"{type(dropout).__name__}") from None
    except ValueError:  # a string that is not a number
        p = math.nan
    if (isinstance(dropout, bool) or not isinstance(dropout, numbers.Number)
            or not 0 <= p <= 1):
        raise ValueError("dropout should be a number in range [0, 1] "
                         "representing the probability of an element being "
                         f"zeroed, got {dropout!r}")
    if p > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last "
                      "recurrent layer, so non-zero dropout expects "
                      f"num_layers greater than 1, but got dropout={dropout} "
                      f"and num_layers={num_layers}", stacklevel=3)
    return p


# --8<-- [start:manual_gru_init]
class ManualGRU(nn.Module):
    """A GRU with the parameters and the results of ``torch.nn.GRU``.

    dropout, device and dtype are keyword-only. A flag that is not a
    bool raises TypeError, bidirectional included (nn.GRU reads
    bidirectional="False" as True). Errors follow Python's convention,
    which names the kind of mistake, where torch often raises its
    catch-all RuntimeError: TypeError for a wrong type or dtype,
    ValueError for a wrong value or shape.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False,
                 device=None, dtype=None):  # nn.GRU 的参数顺序
        super().__init__()
        integer(input_size, "input_size", 1)
        integer(hidden_size, "hidden_size", 1)
        integer(num_layers, "num_layers", 1)
        # 开关必须是 bool：bool("False") 是 True，不能靠真值判断
        _check_flags(bias=bias, batch_first=batch_first,
                     bidirectional=bidirectional)
        self.dropout = _check_dropout(dropout, num_layers)  # 层与层之间
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.bias = num_layers, bias
        self.batch_first = batch_first
        self.bidirectional = bidirectional
        self.num_directions = 2 if bidirectional else 1
        factory = dict(device=device, dtype=dtype)
        H = hidden_size
        # 注册顺序与 nn.GRU 相同：逐层、逐方向：w_ih, w_hh, b_ih, b_hh
        for layer in range(num_layers):
            # 第 2 层起，输入是上一层两个方向拼接后的输出
            in_size = H * self.num_directions if layer else input_size
            for suffix in self._suffixes():
                name = f"l{layer}{suffix}"
                shapes = {f"weight_ih_{name}": (3 * H, in_size),
                          f"weight_hh_{name}": (3 * H, H)}
                if self.bias:
                    shapes[f"bias_ih_{name}"] = (3 * H,)
                    shapes[f"bias_hh_{name}"] = (3 * H,)
                for pname, shape in shapes.items():
                    self.register_parameter(
                        pname, nn.Parameter(torch.empty(shape, **factory)))
        self.reset_parameters()

    def _suffixes(self):
        return ("", "_reverse") if self.bidirectional else ("",)

    def reset_parameters(self):
        # 与 torch 相同：所有参数 ~ U(-1/sqrt(H), 1/sqrt(H))
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)
# --8<-- [end:manual_gru_init]

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s

    def _weights(self, layer, direction):
        name = f"l{layer}{self._suffixes()[direction]}"
        get = lambda kind: getattr(self, f"{kind}_{name}")  # noqa: E731
        if not self.bias:
            return get("weight_ih"), get("weight_hh"), None, None
        return (get("weight_ih"), get("weight_hh"),
                get("bias_ih"), get("bias_hh"))

    def _prepare(self, input, h0):
        """Validate and bring input to (L, N, I) and h0 to (D*layers, N, H)."""
        if isinstance(input, nn.utils.rnn.PackedSequence):
            raise TypeError(
                "ManualGRU takes a padded tensor, not a PackedSequence: unpack "
                "it first with torch.nn.utils.rnn.pad_packed_sequence(input, "
                f"batch_first={self.batch_first}); unlike nn.GRU it then also "
                "runs over the padded steps, so h_n differs for shorter "
                "sequences")
        _check_tensor("input", input, (2, 3))
        I, H = self.input_size, self.hidden_size
        states = self.num_directions * self.num_layers
        batched = input.dim() == 3
        if not batched:
            layout = f"(L, {I})"
        else:
            layout = f"(N, L, {I})" if self.batch_first else f"(L, N, {I})"
        if input.shape[-1] != I:
            raise ValueError(f"input must have shape {layout} "
                             f"(input_size={I}), got {_shape(input)}")
        if not batched:
            x = input.unsqueeze(1)
        else:
            x = input.transpose(0, 1) if self.batch_first else input
        if x.shape[0] == 0:
            raise ValueError(f"input must have shape {layout} with L >= 1, "
                             f"got {_shape(input)}")
        param = self.weight_ih_l0
        if input.dtype != param.dtype:
            raise TypeError(f"input has dtype {input.dtype} but the parameters "
                            f"have {param.dtype}")
        N = x.shape[1]
        expected = (states, N, H) if batched else (states, H)
        if h0 is None:
            h0 = x.new_zeros(states, N, H)
        else:
            if not isinstance(h0, torch.Tensor):
                raise TypeError(f"h0 must be a torch.Tensor, got "
                                f"{type(h0).__name__}")
            if _shape(h0) != expected:
                raise ValueError(f"expected h0 of shape {expected} "
                                 f"(D*layers, {'N, ' if batched else ''}H), "
                                 f"got {_shape(h0)}")
            if h0.dtype != input.dtype:
                raise TypeError(f"h0 has dtype {h0.dtype} but input has "
                                f"{input.dtype}")
            h0 = h0 if batched else h0.unsqueeze(1)
        return x, h0, batched

    # --8<-- [start:manual_gru_forward]
    def forward(self, input, h0=None):
        x, h0, batched = self._prepare(input, h0)  # x: (L, N, I)
        L, D = x.shape[0], self.num_directions
        h_n = []
        for layer in range(self.num_layers):
            outputs = []
            for d in range(D):  # d = 0 正向，d = 1 反向
                h = h0[layer * D + d]  # h_n 的第 layer*D+d 个切片
                ys = [None] * L
                for t in (range(L) if d == 0 else reversed(range(L))):
                    h = gru_cell(x[t], h, *self._weights(layer, d))
                    ys[t] = h  # 反向的输出也按原时间顺序存放
                outputs.append(torch.stack(ys))  # (L, N, H)
                h_n.append(h)
            x = torch.cat(outputs, dim=2)  # (L, N, D*H)，作为下一层输入
            if layer < self.num_layers - 1:  # 只在层与层之间，训练时才生效
                x = nn.functional.dropout(x, self.dropout, self.training)
        h_n = torch.stack(h_n)  # (D*num_layers, N, H)
        if not batched:
            return x.squeeze(1), h_n.squeeze(1)
        return (x.transpose(0, 1) if self.batch_first else x), h_n
    # --8<-- [end:manual_gru_forward]


# ---------------------------------------------------------------------------
# Demos shown in the article
# ---------------------------------------------------------------------------

def _fmt(x, digits=4):
    return f"{x:.{digits}f}"


def _aligned(pairs):
    """Lines "label : value" with the colons aligned (CJK counts twice)."""
    import unicodedata

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
    ours = ManualGRU(I, H, num_layers=EX["num_layers"],
                     bidirectional=EX["bidirectional"])
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
    r, z, n = gru_gates(x_t, h_prev, *ours._weights(0, 0))
    h_t = gru_cell(x_t, h_prev, *ours._weights(0, 0))
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
    rows = [
        ("input", seq.format("I"), x, x),
        ("h0", "(D·num_layers, N, H)", h0, h0),
        ("output", seq.format("D·H"), out, out_ref),
        ("h_n", "(D·num_layers, N, H)", h_n, h_n_ref),
    ]
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
    """output[-1] holds the last forward state; the reverse one is at t=0.

    Both are copies of the same tensors, so they are compared for equality.
    """
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


# --8<-- [start:compare_with_torch]
def compare_with_torch(dtype=torch.float32, **config):
    """Load nn.GRU's weights into ManualGRU; return the max abs error."""
    batched = config.pop("batched", True)
    _check_flags(batched=batched)
    I, H = config.pop("input_size"), config.pop("hidden_size")
    L, N = config.pop("seq_len"), config.pop("batch")
    ref = nn.GRU(I, H, **config).to(dtype).eval()  # eval：不做 dropout
    ours = ManualGRU(I, H, **config).to(dtype).eval()
    ours.load_state_dict(ref.state_dict())  # 参数名与形状完全一致
    D = 2 if config.get("bidirectional") else 1
    layers = config.get("num_layers", 1)
    if batched:
        shape = (N, L, I) if config.get("batch_first") else (L, N, I)
        h_shape = (D * layers, N, H)
    else:
        shape, h_shape = (L, I), (D * layers, H)
    x = torch.randn(shape, dtype=dtype)
    h0 = torch.randn(h_shape, dtype=dtype)
    with torch.no_grad():
        out, h_n = ours(x, h0)
        out_ref, h_n_ref = ref(x, h0)
    return max((out - out_ref).abs().max().item(),
               (h_n - h_n_ref).abs().max().item())
# --8<-- [end:compare_with_torch]


def show_torch_agreement():
    torch.manual_seed(0)
    cases = [
        ("1 层", dict()),
        ("2 层", dict(num_layers=2)),
        ("2 层、双向", dict(num_layers=2, bidirectional=True)),
        ("2 层、batch_first", dict(num_layers=2, batch_first=True)),
        ("3 层、双向、batch_first", dict(num_layers=3, bidirectional=True,
                                     batch_first=True)),
        ("无偏置", dict(num_layers=2, bias=False)),
        ("无批量维 (L, I)", dict(num_layers=2, bidirectional=True,
                             batched=False)),
    ]
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
    names_ref = [n for n, _ in ref.named_parameters()]
    names_ours = [n for n, _ in ours.named_parameters()]
    same = all(torch.equal(a, b) for a, b in
               zip(ref.parameters(), ours.parameters()))
    largest = max(p.abs().max().item() for p in ours.parameters())
    return _aligned([
        ("参数名顺序一致", names_ref == names_ours),
        ("同一随机种子下逐个相等", same),
        ("最大 |参数|", f"{largest:.4f}（1/sqrt(H) = {1 / math.sqrt(4):.4f}）"),
    ])


def show_bad_shape():
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


def _check_jacobian(x, h, b_ih, b_hh):
    """One unbatched step with both biases: anything else would be misread."""
    _check_tensor("x", x, (1,))
    _check_tensor("h", h, (1,))
    for name, b in (("b_ih", b_ih), ("b_hh", b_hh)):
        if not isinstance(b, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor (gru_jacobian "
                            f"needs both biases), got {type(b).__name__}")


# --8<-- [start:gru_jacobian]
def gru_jacobian(x, h, w_ih, w_hh, b_ih, b_hh):
    """dh_t/dh_{t-1} of one unbatched step, by the chain rule (H, H)."""
    _check_jacobian(x, h, b_ih, b_hh)  # x: (I,)，h: (H,)
    H = h.shape[0]
    r, z, n = gru_gates(x, h, w_ih, w_hh, b_ih, b_hh)
    w_hr, w_hz, w_hn = w_hh.split(H)
    a_n = h @ w_hn.T + b_hh[2 * H:]  # W_hn h + b_hn
    dr = (r * (1 - r))[:, None] * w_hr  # ∂r/∂h
    dz = (z * (1 - z))[:, None] * w_hz  # ∂z/∂h
    dn = (1 - n**2)[:, None] * (a_n[:, None] * dr + r[:, None] * w_hn)
    return (torch.diag(z) + (h - n)[:, None] * dz
            + (1 - z)[:, None] * dn)
# --8<-- [end:gru_jacobian]


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


def _rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return torch.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)


def _check_decay(kind, z_bias, T, H):
    if kind not in ("gru", "rnn"):  # 拼错的 kind 不能悄悄变成 RNN
        raise ValueError(f"kind must be 'gru' or 'rnn', got {kind!r}")
    if isinstance(z_bias, bool) or not isinstance(z_bias, numbers.Real):
        raise TypeError(f"z_bias must be a number, got {type(z_bias).__name__}")
    integer(T, "T", 1)
    integer(H, "H", 1)


# --8<-- [start:gradient_decay]
def gradient_decay(kind="gru", z_bias=0.0, T=60, H=32, seed=0):
    """||dL/dh_t|| for L = v·h_T, t = T..1, with torch's default init."""
    _check_decay(kind, z_bias, T, H)
    torch.manual_seed(seed)
    cls = nn.GRU if kind == "gru" else nn.RNN
    m = cls(1, H, dtype=torch.float64)
    w = [p.detach() for p in (m.weight_ih_l0, m.weight_hh_l0,
                              m.bias_ih_l0, m.bias_hh_l0)]
    if kind == "gru":
        w[2] = w[2].clone()
        w[2][H:2 * H] += z_bias  # 把更新门整体推向 1
    cell = gru_cell if kind == "gru" else _rnn_cell
    x = torch.randn(T, 1, dtype=torch.float64)
    h = torch.zeros(H, dtype=torch.float64)
    states = []
    for t in range(T):
        h = h.detach().requires_grad_(True)  # 记下每个 h_{t-1}
        states.append(h)
        h = cell(x[t], h, *w)
    v = torch.randn(H, dtype=torch.float64)
    # 沿链把梯度一步步往回传
    grads, g = [], torch.autograd.grad(h, states[-1], v)[0]
    grads.append(g.norm().item())
    for t in range(T - 1, 0, -1):
        step = cell(x[t - 1], states[t - 1], *w)
        g = torch.autograd.grad(step, states[t - 1], g)[0]
        grads.append(g.norm().item())
    return np.array(grads)  # grads[k] = ||dL/dh_{T-1-k}||
# --8<-- [end:gradient_decay]


def plot_gradient_decay():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    curves = [("普通 RNN (tanh)", "rnn", 0.0),
              ("GRU，更新门偏置 +0", "gru", 0.0),
              ("GRU，更新门偏置 +2", "gru", 2.0),
              ("GRU，更新门偏置 +4", "gru", 4.0)]
    for i, (label, kind, b) in enumerate(curves):
        g = gradient_decay(kind, b)
        ax.semilogy(np.arange(1, len(g) + 1), g / g[0], label=label,
                    color=f"C{i}")
    ax.set_xlabel("往回传播的步数 T − t")
    ax.set_ylabel("梯度范数（相对第 1 步）")
    ax.set_title("梯度随时间步的衰减（默认初始化，H = 32）")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def show_gradient_decay():
    rows = []
    for label, kind, b in (("普通 RNN (tanh)", "rnn", 0.0),
                           ("GRU，更新门偏置 +0", "gru", 0.0),
                           ("GRU，更新门偏置 +2", "gru", 2.0),
                           ("GRU，更新门偏置 +4", "gru", 4.0)):
        g = gradient_decay(kind, b)
        rel = g / g[0]
        rows.append({"模型": label, "10 步后": f"{rel[10]:.1e}",
                     "30 步后": f"{rel[30]:.1e}",
                     "59 步后": f"{rel[59]:.1e}"})
    return pd.DataFrame(rows).set_index("模型")


# ---------------------------------------------------------------------------
# Training demo: next value of a noisy sine wave
# ---------------------------------------------------------------------------

# --8<-- [start:sine_data]
def sine_data(n, T, generator, noise=0.15):
    """Noisy sine waves x_t and the clean next value s_{t+1} as target."""
    omega = 0.15 + 0.25 * torch.rand(n, 1, generator=generator)
    phase = 2 * math.pi * torch.rand(n, 1, generator=generator)
    s = torch.sin(omega * torch.arange(T + 1) + phase)  # (n, T+1)
    x = s[:, :-1] + noise * torch.randn(n, T, generator=generator)
    return x.unsqueeze(-1), s[:, 1:].unsqueeze(-1)  # (n, T, 1) 两个
# --8<-- [end:sine_data]


# --8<-- [start:sine_model]
class SineModel(nn.Module):
    def __init__(self, hidden_size=16, gru_class=ManualGRU):
        super().__init__()
        self.gru = gru_class(1, hidden_size, num_layers=2,
                             batch_first=True)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x):  # x: (N, T, 1)
        out, _ = self.gru(x)  # (N, T, H)：第 2 层每个时刻的 h_t
        return self.head(out)  # (N, T, 1)：预测下一个值


def train_sine(gru_class=ManualGRU, steps=100, lr=0.03):
    torch.manual_seed(0)  # 参数初始化可复现
    gen = torch.Generator().manual_seed(0)
    x, y = sine_data(64, 30, gen)
    x_test, y_test = sine_data(64, 30, gen)
    model = SineModel(gru_class=gru_class)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    train_loss, test_loss = [], []
    for step in range(steps):
        loss = ((model(x) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        train_loss.append(loss.item())
        if step % 5 == 4:  # 每 5 步在测试集上评估一次
            with torch.no_grad():
                test = ((model(x_test) - y_test) ** 2).mean()
            test_loss.append((step + 1, test.item()))
    history = np.array(train_loss), np.array(test_loss)
    return model, *history, (x_test, y_test)
# --8<-- [end:sine_model]


def plot_training():
    import matplotlib.pyplot as plt

    model, train, test, (x_test, y_test) = train_sine()
    _, train_ref, _, _ = train_sine(gru_class=nn.GRU)
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

    fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 3.6))
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
    left.legend(fontsize=8)

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
    right.legend(fontsize=7, ncol=2, loc="lower left")
    right.set_ylim(-2.2, 1.6)
    fig.tight_layout()
    return fig


def _check_trace(gru, x):
    if not isinstance(gru, ManualGRU):
        raise TypeError(f"gru must be a ManualGRU, got {type(gru).__name__}")
    if gru.bidirectional:
        raise ValueError("gate_trace expects a unidirectional GRU")
    _check_tensor("x", x, (2,))
    if x.shape[0] == 0 or x.shape[1] != gru.input_size:
        raise ValueError(f"x must have shape (L, {gru.input_size}) with "
                         f"L >= 1, got {_shape(x)}")


# --8<-- [start:gate_trace]
def gate_trace(gru, x):
    """Run a unidirectional ManualGRU on one sequence x (L, I), as in eval
    mode (no dropout between layers).

    Returns, per layer, a dict of (L, H) arrays: r, z, n and h.
    """
    _check_trace(gru, x)
    layers = []
    with torch.no_grad():
        for layer in range(gru.num_layers):
            h = x.new_zeros(gru.hidden_size)
            rec = {k: [] for k in "rznh"}
            for t in range(x.shape[0]):
                w = gru._weights(layer, 0)
                r, z, n = gru_gates(x[t], h, *w)
                h = n + z * (h - n)  # 与 gru_cell 相同
                for k, v in zip("rznh", (r, z, n, h)):
                    rec[k].append(v)
            x = torch.stack(rec["h"])  # 这一层的输出是下一层的输入
            layers.append({k: torch.stack(v).numpy()
                           for k, v in rec.items()})
    return layers
# --8<-- [end:gate_trace]


def plot_gates():
    import matplotlib.pyplot as plt

    model, _, _, (x_test, y_test) = train_sine()
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
    top.legend(fontsize=8, ncol=3, loc="upper left")
    top.set_ylim(-1.5, 1.9)
    top.set_title("一条测试序列上的门控值（行：隐藏单元，列：时间步）")
    panels = [("第 1 层 更新门 z", trace[0]["z"]),
              ("第 1 层 重置门 r", trace[0]["r"]),
              ("第 2 层 更新门 z", trace[1]["z"]),
              ("第 2 层 重置门 r", trace[1]["r"])]
    for row, (title, values) in enumerate(panels, start=1):
        ax = fig.add_subplot(grid[row, 0], sharex=top)
        im = ax.imshow(values.T, aspect="auto", cmap="viridis", vmin=0,
                       vmax=1, interpolation="nearest",
                       extent=(-0.5, len(x) - 0.5, values.shape[1] - 0.5,
                               -0.5))
        ax.set_ylabel("单元")
        ax.set_title(title, fontsize=9)
        ax.grid(False)
        if row < len(panels):
            ax.tick_params(labelbottom=False)
    top.tick_params(labelbottom=False)
    ax.set_xlabel("时间步 t")
    fig.colorbar(im, cax=fig.add_subplot(grid[1:, 1]), label="门控值")
    fig.tight_layout()
    return fig
