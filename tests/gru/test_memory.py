"""snippets/gru/memory.py and recall_data: the long-memory task, checked against torch.nn.GRU,
scikit-learn's R² and properties of the data."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import r2_score
from torch import nn

from snippets.gru.data import recall_data
from snippets.gru.memory import (RecallModel, memory_unit, recall_r2, train_recall,
                                 update_gates)


def _torch_gru(model: RecallModel) -> nn.GRU:
    """An nn.GRU holding the same parameters (the reference implementation)."""
    ref = nn.GRU(1, model.rnn.hidden_size, batch_first=True, dtype=torch.float64)
    ref.load_state_dict({k: v for k, v in model.rnn.state_dict().items()})
    return ref


def _reference_gates(model, x):
    """z_t from the GRU equations, with h_{t-1} taken from nn.GRU's own outputs."""
    ref = _torch_gru(model)
    with torch.no_grad():
        out, _ = ref(x)
    H = ref.hidden_size
    h_prev = torch.cat([torch.zeros_like(out[:, :1]), out[:, :-1]], dim=1)
    w_iz, w_hz = ref.weight_ih_l0[H:2 * H], ref.weight_hh_l0[H:2 * H]
    b_z = ref.bias_ih_l0[H:2 * H] + ref.bias_hh_l0[H:2 * H]
    with torch.no_grad():
        z = torch.sigmoid(x @ w_iz.T + h_prev @ w_hz.T + b_z)
    return z.numpy(), out.numpy()


def test_recall_data_puts_the_target_first_and_noise_after():
    x, a = recall_data(4000, 12, torch.Generator().manual_seed(3))
    assert x.shape == (4000, 12, 1) and a.shape == (4000,) and x.dtype == torch.float64
    assert torch.equal(x[:, 0, 0], a)
    assert a.min() >= -1 and a.max() < 1 and abs(a.mean()) < 0.05
    noise = x[:, 1:, 0]
    assert abs(noise.std().item() - 2.0) < 0.02 and abs(noise.mean().item()) < 0.02
    # the noise says nothing about the target
    assert abs(np.corrcoef(noise[:, 0], a)[0, 1]) < 0.05
    again, _ = recall_data(4000, 12, torch.Generator().manual_seed(3))
    assert torch.equal(again, x)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), H=st.integers(1, 6), T=st.integers(1, 9),
       n=st.integers(2, 12))
def test_update_gates_match_the_gru_equations_on_torch_states(seed, H, T, n):
    torch.manual_seed(seed)
    model = RecallModel("gru", H)
    x, _ = recall_data(n, T, torch.Generator().manual_seed(seed))
    expected, _ = _reference_gates(model, x)
    np.testing.assert_allclose(update_gates(model, x), expected, rtol=1e-10, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), H=st.integers(2, 6))
def test_memory_unit_is_the_unit_whose_last_state_tracks_the_target(seed, H):
    torch.manual_seed(seed)
    model = RecallModel("gru", H)
    x, a = recall_data(200, 5, torch.Generator().manual_seed(seed + 1))
    _, out = _reference_gates(model, x)
    corr = [abs(np.corrcoef(out[:, -1, k], a)[0, 1]) for k in range(H)]
    assert memory_unit(model, x, a) == int(np.argmax(corr))


@pytest.mark.parametrize("kind", ["gru", "rnn"])
def test_recall_r2_is_scikit_learns(kind):
    torch.manual_seed(1)
    model = RecallModel(kind, 4)
    x, a = recall_data(300, 6, torch.Generator().manual_seed(2))
    with torch.no_grad():
        pred = model(x).numpy()
    assert recall_r2(model, x, a) == pytest.approx(r2_score(a.numpy(), pred), abs=1e-12)


def test_training_starts_from_the_returned_initial_model_and_changes_it():
    initial, model = train_recall("gru", T=4, hidden_size=3, steps=3)
    torch.manual_seed(0)
    fresh = RecallModel("gru", 3)
    for (name, p0), p in zip(fresh.state_dict().items(), initial.state_dict().values()):
        assert torch.equal(p0, p), name
    assert any(not torch.equal(p, q) for p, q in
               zip(initial.state_dict().values(), model.state_dict().values()))
    still, same = train_recall("gru", T=4, hidden_size=3, steps=0)
    assert all(torch.equal(p, q) for p, q in
               zip(still.state_dict().values(), same.state_dict().values()))


def test_a_gru_learns_to_recall_and_an_rnn_of_the_same_size_does_not():
    x, a = recall_data(1000, 15, torch.Generator().manual_seed(777))
    _, gru = train_recall("gru", seed=0)
    _, rnn = train_recall("rnn", seed=0)
    assert recall_r2(gru, x, a) > 0.99 and recall_r2(rnn, x, a) < 0.1
    k = memory_unit(gru, x, a)
    assert update_gates(gru, x)[:, 1:, k].mean() > 0.98  # the unit keeps its state


@pytest.mark.parametrize("kwargs, error", [
    ({"kind": "lstm"}, ValueError), ({"kind": "GRU"}, ValueError),
    ({"T": 0}, ValueError), ({"T": 2.5}, TypeError), ({"hidden_size": 0}, ValueError),
    ({"steps": -1}, ValueError), ({"lr": 0}, ValueError), ({"lr": True}, ValueError),
    ({"lr": float("nan")}, ValueError), ({"lr": "0.1"}, ValueError),
])
def test_bad_arguments_are_rejected(kwargs, error):
    with pytest.raises(error):
        train_recall(**kwargs)


def test_gates_of_an_rnn_are_a_clear_error():
    x, _ = recall_data(3, 4, torch.Generator().manual_seed(0))
    with pytest.raises(TypeError, match="GRU"):
        update_gates(RecallModel("rnn", 3), x)
