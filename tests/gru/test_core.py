"""snippets/gru/core.py against torch.nn.GRU, nn.GRUCell and the documented equations."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from gru.pairs import TOL, configs, inputs, pair
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from snippets.gru import ManualGRU, compare_with_torch, gate_trace, gru_cell, gru_cell_cho

@settings(max_examples=80, deadline=None)
@given(cfg=configs, L=st.integers(1, 6), N=st.integers(1, 4),
       batched=st.booleans(), with_h0=st.booleans(),
       dtype=st.sampled_from([torch.float32, torch.float64]),
       seed=st.integers(0, 2**31 - 1))
def test_forward_matches_torch(cfg, L, N, batched, with_h0, dtype, seed):
    ref, ours = pair(cfg, dtype, seed)
    x, h0 = inputs(cfg, L, N, batched, with_h0, dtype, seed + 1)
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
    ref, ours = pair(cfg, dtype, seed)
    x, h0 = inputs(cfg, L, N, batched, with_h0, dtype, seed + 1)
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
    ref, ours = pair(cfg, torch.float32, 3)
    x, _ = inputs(cfg, 7, 3, True, False, torch.float32, 4)
    for model in (ours, ref):
        model(x)[0].square().sum().backward()
    for (n, a), (m, b) in zip(ours.named_parameters(), ref.named_parameters()):
        assert n == m
        assert (a.grad - b.grad).abs().max().item() < 1e-4


def _assert_same_values(a, b):
    """Every entry of a's state dict equals b's under the same name, and a's parameters
    are b's: a value that lands under another name (or nowhere) fails."""
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for name in sa:
        assert torch.equal(sa[name], sb[name]), name
    for (n, p), (m, q) in zip(a.named_parameters(), b.named_parameters()):
        assert n == m and torch.equal(p, q), n


@settings(max_examples=30, deadline=None)
@given(cfg=configs, seed=st.integers(0, 2**31 - 1))
def test_parameter_names_shapes_and_loading_both_ways(cfg, seed):
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ref, ours, other = nn.GRU(**cfg), ManualGRU(**cfg), nn.GRU(**cfg)
    assert repr(ours).replace("ManualGRU", "GRU") == repr(ref)
    assert [(n, p.shape) for n, p in ours.named_parameters()] == \
        [(n, p.shape) for n, p in ref.named_parameters()]
    # independent draws: before loading, no parameter agrees
    assert not any(torch.equal(p, q) for p, q in zip(ours.parameters(), ref.parameters()))
    ref.load_state_dict(ours.state_dict())  # strict: ours -> torch
    _assert_same_values(ref, ours)
    ours.load_state_dict(other.state_dict())  # strict: torch -> ours, new values
    _assert_same_values(ours, other)
    x = torch.randn(3, 2, cfg["input_size"])
    for a, b in zip(ours.eval()(x), other.eval()(x)):  # the loaded values are the ones used
        assert (a - b).abs().max().item() < TOL[torch.float32]


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
    b = gru_cell_cho(x, h, w_ih, w_hh, b_ih, b_hh)
    assert (a - b).abs().max() > 1e-3
    # r = sigmoid(60) == 1 in float64 and b_hn = 0: both variants are equal
    b_ih = b_ih.clone()
    b_ih[:4] = 60.0
    b_hh = b_hh.clone()
    b_hh[8:] = 0.0
    a = gru_cell(x, h, w_ih, w_hh, b_ih, b_hh)
    b = gru_cell_cho(x, h, w_ih, w_hh, b_ih, b_hh)
    assert (a - b).abs().max() < 1e-12


def _gates_by_the_equations(ref, x):
    """r, z, n, h of every layer of a unidirectional nn.GRU, step by step from the
    equations of torch.nn.GRU's documentation (independent of snippets.gru)."""
    H, layers = ref.hidden_size, []
    for k in range(ref.num_layers):
        w_ih, w_hh, b_ih, b_hh = (getattr(ref, f"{kind}_l{k}").detach() for kind in
                                  ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
        h = torch.zeros(H, dtype=x.dtype)
        rec = {g: [] for g in "rznh"}
        for x_t in x:
            W = {g: (w_ih[i * H:(i + 1) * H], w_hh[i * H:(i + 1) * H],
                     b_ih[i * H:(i + 1) * H], b_hh[i * H:(i + 1) * H])
                 for i, g in enumerate("rzn")}
            r = torch.sigmoid(W["r"][0] @ x_t + W["r"][2] + W["r"][1] @ h + W["r"][3])
            z = torch.sigmoid(W["z"][0] @ x_t + W["z"][2] + W["z"][1] @ h + W["z"][3])
            n = torch.tanh(W["n"][0] @ x_t + W["n"][2] + r * (W["n"][1] @ h + W["n"][3]))
            h = (1 - z) * n + z * h
            for g, v in zip("rznh", (r, z, n, h)):
                rec[g].append(v.numpy())
        layers.append({g: np.array(v) for g, v in rec.items()})
        x = torch.tensor(layers[-1]["h"])
    return layers


def test_gate_trace_records_every_gate_and_rejects_bidirectional():
    torch.manual_seed(0)
    ref = nn.GRU(2, 5, num_layers=3).double()
    ours = ManualGRU(2, 5, num_layers=3).double()
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(7, 2, dtype=torch.float64)
    trace = gate_trace(ours, x)
    expected = _gates_by_the_equations(ref, x)
    out, h_n = ref(x)
    assert len(trace) == 3
    assert np.abs(trace[-1]["h"] - out.detach().numpy()).max() < 1e-12
    for k, (layer, want) in enumerate(zip(trace, expected)):
        assert sorted(layer) == ["h", "n", "r", "z"]
        for g in "rznh":  # each gate is its own: recording r as n fails here
            assert layer[g].shape == (7, 5)
            np.testing.assert_allclose(layer[g], want[g], rtol=0, atol=1e-12, err_msg=g)
        assert np.abs(layer["h"][-1] - h_n[k].detach().numpy()).max() < 1e-12
    with pytest.raises(ValueError, match="unidirectional"):
        gate_trace(ManualGRU(2, 5, bidirectional=True), x.float())
    with pytest.raises(ValueError, match=r"\(L, 2\)"):
        gate_trace(ours, torch.randn(7, 3, dtype=torch.float64))


def test_gate_trace_checks_its_input_and_ignores_dropout():
    torch.manual_seed(0)
    ref = nn.GRU(2, 5, num_layers=3, dropout=0.5).double().eval()
    ours = ManualGRU(2, 5, num_layers=3, dropout=0.5).double()
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(7, 2, dtype=torch.float64)
    trace = gate_trace(ours, x)  # ours is in training mode: the trace is eval's
    assert np.abs(trace[-1]["h"] - ref(x)[0].detach().numpy()).max() < 1e-12
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        gate_trace(ours, x.numpy())
    with pytest.raises(ValueError, match="L >= 1"):
        gate_trace(ours, torch.empty(0, 2, dtype=torch.float64))
    with pytest.raises(TypeError, match="ManualGRU"):
        gate_trace(ref, x)

def test_compare_with_torch_accepts_dropout_and_checks_batched():
    torch.manual_seed(0)
    err = compare_with_torch(torch.float64, input_size=3, hidden_size=4, seq_len=5,
                               batch=2, num_layers=3, dropout=0.5)
    assert err < 1e-12
    with pytest.raises(TypeError, match="batched"):
        compare_with_torch(torch.float64, input_size=3, hidden_size=4, seq_len=5,
                             batch=2, batched="False")
