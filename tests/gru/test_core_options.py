"""snippets/gru/core.py: ManualGRU's options (flags, dropout, dtype, device), packed and
degenerate input, low precision, each against torch.nn.GRU."""

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

from snippets.gru import ManualGRU, gru_cell

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
    ref, ours = pair(cfg, torch.float64, seed)
    ref.train()
    ours.train()
    x, h0 = inputs(cfg, L, N, True, True, torch.float64, seed + 1)
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
