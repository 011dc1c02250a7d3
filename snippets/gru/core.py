"""The GRU a reader studies: one step, the full module, and its checks.

``gru_cell`` computes one GRU step from the equations in the PyTorch
documentation and ``ManualGRU`` stacks it into a multi-layer, optionally
bidirectional GRU whose parameters have exactly the names and shapes of
``torch.nn.GRU`` (so state dicts load both ways).  No torch GRU, GRUCell or
rnn functions are used.  ``compare_with_torch`` measures the agreement and
``gate_trace`` records the gates of a trained model.
"""

from __future__ import annotations

import math
import numbers
import warnings

import torch
from torch import nn

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
