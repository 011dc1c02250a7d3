"""Tests for snippets/gru.py against torch.nn.GRU, nn.GRUCell and autograd."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from snippets import gru as G
from snippets.gru import ManualGRU, gru_cell

TOL = {torch.float32: 1e-5, torch.float64: 1e-10}

configs = st.fixed_dictionaries({
    "input_size": st.integers(1, 6),
    "hidden_size": st.integers(1, 6),
    "num_layers": st.integers(1, 3),
    "bias": st.booleans(),
    "batch_first": st.booleans(),
    "bidirectional": st.booleans(),
    "dropout": st.sampled_from([0.0, 0.0, 0.4, 1.0]),
})


def _pair(cfg, dtype, seed):
    """nn.GRU and ManualGRU with the same weights, both in eval mode (no dropout)."""
    torch.manual_seed(seed)
    with warnings.catch_warnings():  # dropout > 0 with one layer: both warn
        warnings.simplefilter("ignore", UserWarning)
        ref = nn.GRU(**cfg).to(dtype).eval()
        ours = ManualGRU(**cfg).to(dtype).eval()
    ours.load_state_dict(ref.state_dict())
    return ref, ours


def _inputs(cfg, L, N, batched, with_h0, dtype, seed):
    gen = torch.Generator().manual_seed(seed)
    D = 2 if cfg["bidirectional"] else 1
    I, H = cfg["input_size"], cfg["hidden_size"]
    if batched:
        shape = (N, L, I) if cfg["batch_first"] else (L, N, I)
        h_shape = (D * cfg["num_layers"], N, H)
    else:
        shape, h_shape = (L, I), (D * cfg["num_layers"], H)
    x = torch.randn(shape, generator=gen, dtype=dtype)
    h0 = torch.randn(h_shape, generator=gen, dtype=dtype) if with_h0 else None
    return x, h0


@settings(max_examples=80, deadline=None)
@given(cfg=configs, L=st.integers(1, 6), N=st.integers(1, 4),
       batched=st.booleans(), with_h0=st.booleans(),
       dtype=st.sampled_from([torch.float32, torch.float64]),
       seed=st.integers(0, 2**31 - 1))
def test_forward_matches_torch(cfg, L, N, batched, with_h0, dtype, seed):
    ref, ours = _pair(cfg, dtype, seed)
    x, h0 = _inputs(cfg, L, N, batched, with_h0, dtype, seed + 1)
    with torch.no_grad():
        out, h_n = ours(x, h0)
        out_ref, h_n_ref = ref(x, h0)
    assert out.shape == out_ref.shape and h_n.shape == h_n_ref.shape
    assert out.dtype == dtype and h_n.dtype == dtype
    tol = TOL[dtype]
    assert (out - out_ref).abs().max().item() < tol
    assert (h_n - h_n_ref).abs().max().item() < tol


@settings(max_examples=40, deadline=None)
@given(cfg=configs, L=st.integers(1, 5), N=st.integers(1, 3),
       batched=st.booleans(), with_h0=st.booleans(),
       seed=st.integers(0, 2**31 - 1))
def test_gradients_match_torch(cfg, L, N, batched, with_h0, seed):
    dtype = torch.float64
    ref, ours = _pair(cfg, dtype, seed)
    x, h0 = _inputs(cfg, L, N, batched, with_h0, dtype, seed + 1)
    results = []
    for model in (ours, ref):
        model.zero_grad()
        xx = x.clone().requires_grad_(True)
        hh = None if h0 is None else h0.clone().requires_grad_(True)
        out, h_n = model(xx, hh)
        gen = torch.Generator().manual_seed(seed + 2)
        loss = ((out * torch.randn(out.shape, generator=gen, dtype=dtype)).sum()
                + (h_n * torch.randn(h_n.shape, generator=gen,
                                     dtype=dtype)).sum())
        loss.backward()
        grads = {"input": xx.grad}
        if hh is not None:
            grads["h0"] = hh.grad
        grads.update({n: p.grad for n, p in model.named_parameters()})
        results.append(grads)
    mine, theirs = results
    assert mine.keys() == theirs.keys()
    for name in mine:
        assert (mine[name] - theirs[name]).abs().max().item() < 1e-10, name


def test_float32_gradients_agree():
    cfg = dict(input_size=4, hidden_size=5, num_layers=2, bias=True,
               batch_first=True, bidirectional=True)
    ref, ours = _pair(cfg, torch.float32, 3)
    x, _ = _inputs(cfg, 7, 3, True, False, torch.float32, 4)
    for model in (ours, ref):
        model(x)[0].square().sum().backward()
    for (n, a), (m, b) in zip(ours.named_parameters(), ref.named_parameters()):
        assert n == m
        assert (a.grad - b.grad).abs().max().item() < 1e-4


@settings(max_examples=30, deadline=None)
@given(cfg=configs)
def test_parameter_names_shapes_and_loading_both_ways(cfg):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ref, ours = nn.GRU(**cfg), ManualGRU(**cfg)
    assert repr(ours).replace("ManualGRU", "GRU") == repr(ref)
    assert [(n, p.shape) for n, p in ours.named_parameters()] == \
        [(n, p.shape) for n, p in ref.named_parameters()]
    ref.load_state_dict(ours.state_dict())  # strict in both directions
    ours.load_state_dict(ref.state_dict())


@pytest.mark.parametrize("seed", [0, 7, 123])
def test_default_initialisation_is_torchs(seed):
    cfg = dict(input_size=3, hidden_size=9, num_layers=2, bidirectional=True)
    torch.manual_seed(seed)
    ref = nn.GRU(**cfg)
    torch.manual_seed(seed)
    ours = ManualGRU(**cfg)
    for a, b in zip(ours.parameters(), ref.parameters()):
        assert torch.equal(a, b)
    bound = 1 / math.sqrt(9)
    flat = torch.cat([p.detach().reshape(-1) for p in ours.parameters()])
    assert flat.abs().max() <= bound
    assert flat.min() < -0.8 * bound and flat.max() > 0.8 * bound


@settings(max_examples=60, deadline=None)
@given(I=st.integers(1, 6), H=st.integers(1, 6), N=st.integers(1, 4),
       batched=st.booleans(), bias=st.sampled_from(["both", "none", "ih", "hh"]),
       dtype=st.sampled_from([torch.float32, torch.float64]),
       seed=st.integers(0, 2**31 - 1))
def test_gru_cell_matches_grucell(I, H, N, batched, bias, dtype, seed):
    torch.manual_seed(seed)
    cell = nn.GRUCell(I, H, bias=bias != "none").to(dtype)
    with torch.no_grad():  # 只给一侧偏置时，把另一侧在参考模型里置零
        if bias == "ih":
            cell.bias_hh.zero_()
        if bias == "hh":
            cell.bias_ih.zero_()
    b_ih = cell.bias_ih if bias in ("both", "ih") else None
    b_hh = cell.bias_hh if bias in ("both", "hh") else None
    x = torch.randn((N, I) if batched else (I,), dtype=dtype)
    h = torch.randn((N, H) if batched else (H,), dtype=dtype)
    with torch.no_grad():
        ours = gru_cell(x, h, cell.weight_ih, cell.weight_hh, b_ih, b_hh)
        ref = cell(x, h)
    assert ours.shape == ref.shape
    assert (ours - ref).abs().max().item() < TOL[dtype]


def test_unbatched_equals_batch_of_one():
    torch.manual_seed(0)
    ref = nn.GRU(3, 4, num_layers=2, bidirectional=True).double()
    ours = ManualGRU(3, 4, num_layers=2, bidirectional=True).double()
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(6, 3, dtype=torch.float64)
    h0 = torch.randn(4, 4, dtype=torch.float64)
    out, h_n = ours(x, h0)
    assert out.shape == (6, 8) and h_n.shape == (4, 4)
    out_b, h_b = ref(x.unsqueeze(1), h0.unsqueeze(1))
    assert torch.allclose(out, out_b.squeeze(1), atol=1e-12, rtol=0)
    assert torch.allclose(h_n, h_b.squeeze(1), atol=1e-12, rtol=0)


def test_h0_none_means_zeros():
    torch.manual_seed(1)
    ours = ManualGRU(2, 3, num_layers=2)
    x = torch.randn(4, 5, 2)
    a = ours(x)
    b = ours(x, torch.zeros(2, 5, 3))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])


# --- bad inputs ---------------------------------------------------------------------------

@pytest.fixture
def model():
    return ManualGRU(3, 4, num_layers=2, bidirectional=True)


@pytest.mark.parametrize("x, h0, pattern", [
    (torch.randn(5, 2, 4), None, r"\(L, N, 3\)"),
    (torch.randn(5, 4), None, r"\(L, 3\)"),
    (torch.randn(3), None, r"2 or 3 dimensions"),
    (torch.randn(5, 2, 3, 1), None, r"2 or 3 dimensions"),
    (torch.randn(0, 2, 3), None, r"L >= 1"),
    (torch.randn(5, 2, 3), torch.zeros(2, 2, 4), r"\(4, 2, 4\)"),
    (torch.randn(5, 2, 3), torch.zeros(4, 3, 4), r"\(4, 2, 4\)"),
    (torch.randn(5, 2, 3), torch.zeros(4, 4), r"\(4, 2, 4\)"),
    (torch.randn(5, 3), torch.zeros(4, 1, 4), r"\(4, 4\)"),
])
def test_bad_shapes_raise_value_error(model, x, h0, pattern):
    with pytest.raises(ValueError, match=pattern):
        model(x, h0)


def test_batch_first_message_names_its_layout():
    m = ManualGRU(3, 4, batch_first=True)
    with pytest.raises(ValueError, match=r"\(N, L, 3\)"):
        m(torch.randn(2, 5, 7))


def test_bad_types(model):
    with pytest.raises(TypeError):
        model([[1.0, 2.0, 3.0]])
    with pytest.raises(TypeError):
        model(torch.ones(5, 2, 3, dtype=torch.long))
    with pytest.raises(TypeError, match="dtype"):
        model(torch.randn(5, 2, 3, dtype=torch.float64))
    with pytest.raises(TypeError, match="dtype"):
        model(torch.randn(5, 2, 3), torch.zeros(4, 2, 4, dtype=torch.float64))


@pytest.mark.parametrize("kwargs, exc", [
    (dict(input_size=0, hidden_size=4), ValueError),
    (dict(input_size=3, hidden_size=0), ValueError),
    (dict(input_size=3, hidden_size=4, num_layers=0), ValueError),
    (dict(input_size=3.0, hidden_size=4), TypeError),
    (dict(input_size=True, hidden_size=4), TypeError),
])
def test_bad_constructor_arguments(kwargs, exc):
    with pytest.raises(exc):
        ManualGRU(**kwargs)


def _cell_args(I=3, H=4, N=2):
    return [torch.randn(N, I), torch.randn(N, H), torch.randn(3 * H, I),
            torch.randn(3 * H, H), torch.randn(3 * H), torch.randn(3 * H)]


@pytest.mark.parametrize("index, bad, pattern", [
    (2, torch.randn(12, 5), r"w_ih must have shape \(12, 3\)"),
    (2, torch.randn(4, 3), r"w_ih must have shape \(12, 3\)"),
    (3, torch.randn(12, 5), r"w_hh must have shape \(12, 4\)"),
    (4, torch.randn(4), r"b_ih must have shape \(12,\)"),
    (5, torch.randn(12, 1), r"b_hh must have shape \(12,\)"),
    (1, torch.randn(3, 4), r"h must have shape \(2, 4\)"),
    (1, torch.randn(4), r"h must have shape \(2, 4\)"),
    (0, torch.randn(2, 2, 3), r"x must have 1 or 2 dimensions"),
])
def test_gru_cell_bad_shapes(index, bad, pattern):
    args = _cell_args()
    args[index] = bad
    with pytest.raises(ValueError, match=pattern):
        gru_cell(*args)


def test_gru_cell_unbatched_x_needs_unbatched_h():
    args = _cell_args()
    args[0] = torch.randn(3)
    with pytest.raises(ValueError, match=r"\(4,\)"):
        gru_cell(*args)


def test_gru_cell_bad_types():
    args = _cell_args()
    args[2] = args[2].double()
    with pytest.raises(TypeError, match="dtype"):
        gru_cell(*args)
    args = _cell_args()
    args[0] = args[0].numpy()
    with pytest.raises(TypeError):
        gru_cell(*args)


# --- helpers used by the article ------------------------------------------------------------

def test_cho_variant_differs_but_coincides_when_reset_is_open():
    torch.manual_seed(0)
    x, h, w_ih, w_hh, b_ih, b_hh = [a.double() for a in _cell_args()]
    a = gru_cell(x, h, w_ih, w_hh, b_ih, b_hh)
    b = G.gru_cell_cho(x, h, w_ih, w_hh, b_ih, b_hh)
    assert (a - b).abs().max() > 1e-3
    # r = sigmoid(60) == 1 in float64 and b_hn = 0: both variants are equal
    b_ih = b_ih.clone()
    b_ih[:4] = 60.0
    b_hh = b_hh.clone()
    b_hh[8:] = 0.0
    a = gru_cell(x, h, w_ih, w_hh, b_ih, b_hh)
    b = G.gru_cell_cho(x, h, w_ih, w_hh, b_ih, b_hh)
    assert (a - b).abs().max() < 1e-12


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
    assert (G.gru_jacobian(x, h, *w) - auto).abs().max() < 1e-12


@pytest.mark.parametrize("kind, bias", [("rnn", 0.0), ("gru", 0.0), ("gru", 3.0)])
def test_gradient_decay_matches_one_backward_pass(kind, bias):
    T, H = 12, 5
    grads = G.gradient_decay(kind, bias, T=T, H=H, seed=4)
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


def test_gate_trace_reproduces_torch_and_rejects_bidirectional():
    torch.manual_seed(0)
    ref = nn.GRU(2, 5, num_layers=3).double()
    ours = ManualGRU(2, 5, num_layers=3).double()
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(7, 2, dtype=torch.float64)
    trace = G.gate_trace(ours, x)
    out, h_n = ref(x)
    assert len(trace) == 3
    assert np.abs(trace[-1]["h"] - out.detach().numpy()).max() < 1e-12
    for k, layer in enumerate(trace):
        assert np.abs(layer["h"][-1] - h_n[k].detach().numpy()).max() < 1e-12
        for g in "rz":
            assert layer[g].shape == (7, 5)
            assert ((layer[g] > 0) & (layer[g] < 1)).all()
    with pytest.raises(ValueError, match="unidirectional"):
        G.gate_trace(ManualGRU(2, 5, bidirectional=True), x.float())
    with pytest.raises(ValueError, match=r"\(L, 2\)"):
        G.gate_trace(ours, torch.randn(7, 3, dtype=torch.float64))


def test_training_with_manual_gru_follows_nn_gru():
    _, a, test_a, _ = G.train_sine(steps=10)
    _, b, test_b, _ = G.train_sine(gru_class=nn.GRU, steps=10)
    assert a[-1] < a[0]
    np.testing.assert_allclose(a, b, rtol=1e-4)
    assert test_a.shape == (2, 2)


@pytest.mark.parametrize("name", [
    "show_parameter_shapes", "show_io_shapes_seq_first",
    "show_io_shapes_batch_first", "show_parameter_counts",
    "show_torch_agreement", "show_gradient_decay"])
def test_table_demos(name):
    assert isinstance(getattr(G, name)(), pd.DataFrame)


@pytest.mark.parametrize("name", [
    "show_output_vs_hn", "show_same_init", "show_reset_variants",
    "show_jacobian_check"])
def test_text_demos(name):
    out = getattr(G, name)()
    assert isinstance(out, str) and out


def test_show_bad_shape_raises():
    with pytest.raises(ValueError, match=r"h0 of shape \(2, 2, 4\)"):
        G.show_bad_shape()


def test_plot_demos():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    for name in ("plot_gradient_decay", "plot_gates"):
        fig = getattr(G, name)()
        assert isinstance(fig, Figure)
        plt.close(fig)


# --- flags: a bool or a TypeError that names the flag ---------------------------------------
# nn.GRU checks bias and batch_first with isinstance(..., bool) but reads bidirectional by
# truthiness, so nn.GRU(3, 4, bidirectional="False") is bidirectional. ManualGRU checks all
# three (documented in its docstring): every call that passes bools behaves as nn.GRU's.

NOT_BOOLS = [0, 1, "False", "True", None, 1.0, np.bool_(True), torch.tensor(True)]


@pytest.mark.parametrize("flag", ["bias", "batch_first", "bidirectional"])
@pytest.mark.parametrize("value", NOT_BOOLS, ids=repr)
def test_flags_must_be_bool(flag, value):
    with pytest.raises(TypeError, match=rf"^{flag} should be of type bool"):
        ManualGRU(3, 4, **{flag: value})
    if flag == "bidirectional":  # the reference does not check this one
        assert nn.GRU(3, 4, bidirectional=value).bidirectional is value
    else:
        with pytest.raises(TypeError, match=rf"^{flag} should be of type bool"):
            nn.GRU(3, 4, **{flag: value})


def test_batch_first_string_false_no_longer_swaps_the_layout():
    """The reported bug: batch_first="False" was stored as True."""
    with pytest.raises(TypeError, match="batch_first"):
        ManualGRU(3, 4, batch_first="False")
    assert ManualGRU(3, 4, batch_first=False).batch_first is False


@pytest.mark.parametrize("flag", ["bias", "batch_first", "bidirectional"])
def test_bool_flags_are_stored_as_given(flag):
    for value in (False, True):
        assert getattr(ManualGRU(3, 4, **{flag: value}), flag) is value


def test_docstring_states_the_exception_rule():
    doc = " ".join(ManualGRU.__doc__.split())
    assert "TypeError for a wrong type or dtype" in doc
    assert "ValueError for a wrong value or shape" in doc
    assert 'bidirectional="False"' in doc


# --- dropout between layers, as nn.GRU --------------------------------------------------------

DROPOUT_VALUES = [0, 0.0, 0.5, 1, 1.0, np.float32(0.25), -0.1, 1.1, math.nan, math.inf,
                  True, False, "0.5", "abc", None, [0.5], 1j, torch.tensor(0.5)]


def _outcome(fn):
    """(exception type or None, [(warning category, message)])."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn()
            error = None
        except Exception as exc:  # noqa: BLE001 - compared with torch's
            error = type(exc)
    return error, [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("dropout", DROPOUT_VALUES, ids=repr)
def test_dropout_is_validated_like_nn_gru(dropout, num_layers):
    ours = _outcome(lambda: ManualGRU(3, 4, num_layers=num_layers, dropout=dropout))
    theirs = _outcome(lambda: nn.GRU(3, 4, num_layers=num_layers, dropout=dropout))
    assert ours == theirs


def test_positional_arguments_follow_nn_gru_and_dropout_is_a_float():
    args = (3, 4, 2, True, True, 0.25, True)  # input, hidden, layers, bias, batch_first, dropout, bidir
    ours, ref = ManualGRU(*args), nn.GRU(*args)
    for name in ("num_layers", "bias", "batch_first", "dropout", "bidirectional"):
        assert getattr(ours, name) == getattr(ref, name), name
    assert {k: v.shape for k, v in ours.state_dict().items()} == {
        k: v.shape for k, v in ref.state_dict().items()}
    m = ManualGRU(3, 4, num_layers=2, dropout=1)
    assert isinstance(m.dropout, float) and m.dropout == nn.GRU(3, 4, 2, dropout=1).dropout


@pytest.mark.parametrize("p", [0.0, 1.0])
@settings(max_examples=40, deadline=None)
@given(cfg=configs, L=st.integers(1, 5), N=st.integers(1, 3), seed=st.integers(0, 2**31 - 1))
def test_training_mode_matches_torch_when_dropout_is_deterministic(p, cfg, L, N, seed):
    """p = 0 drops nothing; p = 1 zeroes every input of layers 2, 3, ...: torch must agree."""
    cfg = dict(cfg, dropout=p)
    ref, ours = _pair(cfg, torch.float64, seed)
    ref.train()
    ours.train()
    x, h0 = _inputs(cfg, L, N, True, True, torch.float64, seed + 1)
    for a, b in zip(ours(x, h0), ref(x, h0)):
        assert (a - b).abs().max().item() < 1e-10


def test_one_layer_dropout_warns_and_changes_nothing():
    torch.manual_seed(0)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        ref = nn.GRU(3, 4, dropout=0.5).double()
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        ours = ManualGRU(3, 4, dropout=0.5).double()
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(6, 2, 3, dtype=torch.float64)
    for a, b in zip(ours(x), ref(x)):  # both in training mode
        assert (a - b).abs().max().item() < 1e-12


def _layer2_input_probe(model, H, c=0.05):
    """Make layer 2 of a 2-layer unidirectional GRU output tanh(c * its input).

    z = sigmoid(-40) ~ 4e-18 and W_hh = 0, so h_t = n_t = tanh(c x_t): atanh(output) / c
    reads back the (dropped-out) input of layer 2.
    """
    with torch.no_grad():
        model.weight_hh_l1.zero_()
        model.bias_hh_l1.zero_()
        model.weight_ih_l1.zero_()
        model.bias_ih_l1.zero_()
        model.bias_ih_l1[H:2 * H] = -40.0
        model.weight_ih_l1[2 * H:] = c * torch.eye(H, dtype=model.weight_ih_l1.dtype)
    return lambda out: torch.atanh(out) / c


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_in_training_acts_between_layers_only(p):
    I, H, L, N = 3, 8, 40, 25
    torch.manual_seed(1)
    ref = nn.GRU(I, H, num_layers=2, dropout=p).double()
    ours = ManualGRU(I, H, num_layers=2, dropout=p).double()
    ours.load_state_dict(ref.state_dict())
    layer1 = nn.GRU(I, H).double()  # layer 1 alone, from torch: what layer 2 gets without dropout
    layer1.load_state_dict({k: v for k, v in ref.state_dict().items() if k.endswith("l0")})
    x = torch.randn(L, N, I, dtype=torch.float64)
    with torch.no_grad():
        clean = layer1(x)[0]
    for model in (ref, ours):  # the probe reads torch's dropout and ours the same way
        read_back = _layer2_input_probe(model, H)
        model.train()
        torch.manual_seed(2)
        with torch.no_grad():
            out, h_n = model(x)
        ratio = read_back(out) / clean
        dropped = ratio.abs() < 1e-6
        kept = (ratio - 1 / (1 - p)).abs() < 1e-6
        assert (dropped | kept).all()  # zeroed, or scaled by exactly 1/(1-p)
        n = ratio.numel()
        assert abs(dropped.float().mean().item() - p) < 5 * math.sqrt(p * (1 - p) / n)
        # layer 1's final state and layer 2's output are not dropped
        assert (h_n[0] - clean[-1]).abs().max().item() < 1e-12
        assert torch.equal(h_n[1], out[-1])
        model.eval()  # eval mode: no dropout at all
        with torch.no_grad():
            assert (read_back(model(x)[0]) - clean).abs().max().item() < 1e-9


def test_compare_with_torch_accepts_dropout_and_checks_batched():
    torch.manual_seed(0)
    err = G.compare_with_torch(torch.float64, input_size=3, hidden_size=4, seq_len=5,
                               batch=2, num_layers=3, dropout=0.5)
    assert err < 1e-12
    with pytest.raises(TypeError, match="batched"):
        G.compare_with_torch(torch.float64, input_size=3, hidden_size=4, seq_len=5,
                             batch=2, batched="False")


# --- other nn.GRU constructor arguments, PackedSequence ---------------------------------------


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_dtype_and_device_arguments_as_nn_gru(dtype):
    cfg = dict(num_layers=2, bidirectional=True, device="cpu", dtype=dtype)
    torch.manual_seed(3)
    ref = nn.GRU(3, 5, **cfg)
    torch.manual_seed(3)
    ours = ManualGRU(3, 5, **cfg)
    for a, b in zip(ours.parameters(), ref.parameters()):
        assert a.dtype == dtype and a.device.type == "cpu" and torch.equal(a, b)


def test_packed_sequence_is_a_type_error_that_says_how_to_unpack():
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    torch.manual_seed(0)
    ref = nn.GRU(3, 4, num_layers=2).double()
    ours = ManualGRU(3, 4, num_layers=2).double()
    ours.load_state_dict(ref.state_dict())
    lengths = [5, 3]
    padded = torch.randn(5, 2, 3, dtype=torch.float64)
    packed = pack_padded_sequence(padded, lengths)
    with pytest.raises(TypeError, match=r"pad_packed_sequence\(input, batch_first=False\)"):
        ours(packed)
    # the advice holds: on the unpacked tensor the valid steps are nn.GRU's on the packed one
    unpacked, _ = pad_packed_sequence(packed)
    out, _ = ours(unpacked)
    out_ref, _ = pad_packed_sequence(ref(packed)[0])
    for i, n in enumerate(lengths):
        assert (out[:n, i] - out_ref[:n, i]).abs().max().item() < 1e-12


# --- degenerate input, dtypes, scales -----------------------------------------------------------


@pytest.mark.parametrize("batch_first", [False, True])
def test_empty_batch_matches_torch(batch_first):
    torch.manual_seed(0)
    ref = nn.GRU(3, 4, num_layers=2, bidirectional=True, batch_first=batch_first)
    ours = ManualGRU(3, 4, num_layers=2, bidirectional=True, batch_first=batch_first)
    ours.load_state_dict(ref.state_dict())
    x = torch.randn((0, 5, 3) if batch_first else (5, 0, 3))
    for a, b in zip(ours(x), ref(x)):
        assert a.shape == b.shape and a.numel() == 0
    h0 = torch.zeros(4, 0, 4)
    for a, b in zip(ours(x, h0), ref(x, h0)):
        assert a.shape == b.shape


@pytest.mark.parametrize("shape", [(0, 2, 3), (0, 3)])
def test_empty_sequence_is_rejected_by_both(shape):
    ref, ours = nn.GRU(3, 4), ManualGRU(3, 4)
    with pytest.raises(RuntimeError):
        ref(torch.randn(shape))
    with pytest.raises(ValueError, match="L >= 1"):
        ours(torch.randn(shape))


def test_gru_cell_on_an_empty_batch_matches_grucell():
    cell = nn.GRUCell(3, 4)
    x, h = torch.randn(0, 3), torch.randn(0, 4)
    ours = gru_cell(x, h, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    assert ours.shape == cell(x, h).shape == (0, 4)


@pytest.mark.parametrize("scale", [1e-30, 1e4, 1e30])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_huge_and_tiny_inputs_match_torch(scale, dtype):
    torch.manual_seed(0)
    ref = nn.GRU(3, 5, num_layers=2, bidirectional=True).to(dtype)
    ours = ManualGRU(3, 5, num_layers=2, bidirectional=True).to(dtype)
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(7, 2, 3, dtype=dtype) * scale
    h0 = torch.rand(4, 2, 5, dtype=dtype) * 2 - 1
    with torch.no_grad():
        for a, b in zip(ours(x, h0), ref(x, h0)):
            assert torch.isfinite(a).all()
            assert (a - b).abs().max().item() < TOL[dtype]


def _low_precision_errors(dtype, cases=40):
    """Mean absolute error of ours and of nn.GRU against nn.GRU in float64, same weights."""
    err_ours = err_torch = 0.0
    for seed in range(cases):
        torch.manual_seed(seed)
        cfg = dict(num_layers=1 + seed % 3, bidirectional=bool(seed % 2), bias=seed % 5 != 0)
        ref = nn.GRU(5, 8, **cfg).to(dtype)
        ours = ManualGRU(5, 8, **cfg).to(dtype)
        ours.load_state_dict(ref.state_dict())
        exact = nn.GRU(5, 8, **cfg).double()
        exact.load_state_dict(ref.state_dict())
        x = torch.randn(12, 3, 5).to(dtype)
        h0 = (torch.rand(exact.num_layers * (1 + exact.bidirectional), 3, 8) - 0.5).to(dtype)
        with torch.no_grad():
            truth = torch.cat([t.flatten() for t in exact(x.double(), h0.double())])
            mine = torch.cat([t.flatten() for t in ours(x, h0)]).double()
            theirs = torch.cat([t.flatten() for t in ref(x, h0)]).double()
        assert ours(x, h0)[0].dtype == dtype
        err_ours += (mine - truth).abs().mean().item()
        err_torch += (theirs - truth).abs().mean().item()
    return err_ours, err_torch


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
def test_low_precision_accuracy_matches_torch(dtype):
    """Every dtype nn.GRU accepts on the CPU; h' = n + z (h - n) as torch computes it."""
    err_ours, err_torch = _low_precision_errors(dtype)
    assert err_ours <= 1.25 * err_torch


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_gru_cell_low_precision_matches_grucell(dtype):
    err_ours = err_torch = 0.0
    for seed in range(30):
        torch.manual_seed(seed)
        cell = nn.GRUCell(6, 7).to(dtype)
        exact = nn.GRUCell(6, 7).double()
        exact.load_state_dict(cell.state_dict())
        x, h = torch.randn(4, 6).to(dtype), (torch.rand(4, 7) * 2 - 1).to(dtype)
        with torch.no_grad():
            truth = exact(x.double(), h.double())
            mine = gru_cell(x, h, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
            assert mine.dtype == dtype
            err_ours += (mine.double() - truth).abs().mean().item()
            err_torch += (cell(x, h).double() - truth).abs().mean().item()
    assert err_ours <= 1.25 * err_torch


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
        G.gradient_decay(**kwargs)


def test_gru_jacobian_rejects_batched_or_biasless_input():
    torch.manual_seed(0)
    cell = nn.GRUCell(4, 4).double()
    w = [cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh]
    square = torch.randn(4, 4, dtype=torch.float64)  # (N, H) with N == H: was misread
    with pytest.raises(ValueError, match="h must have 1 dimensions"):
        G.gru_jacobian(torch.randn(4, dtype=torch.float64), square, *w)
    with pytest.raises(TypeError, match="both biases"):
        G.gru_jacobian(torch.randn(4, dtype=torch.float64), square[0], *w[:2], None, None)


def test_gate_trace_checks_its_input_and_ignores_dropout():
    torch.manual_seed(0)
    ref = nn.GRU(2, 5, num_layers=3, dropout=0.5).double().eval()
    ours = ManualGRU(2, 5, num_layers=3, dropout=0.5).double()
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(7, 2, dtype=torch.float64)
    trace = G.gate_trace(ours, x)  # ours is in training mode: the trace is eval's
    assert np.abs(trace[-1]["h"] - ref(x)[0].detach().numpy()).max() < 1e-12
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        G.gate_trace(ours, x.numpy())
    with pytest.raises(ValueError, match="L >= 1"):
        G.gate_trace(ours, torch.empty(0, 2, dtype=torch.float64))
    with pytest.raises(TypeError, match="ManualGRU"):
        G.gate_trace(ref, x)
