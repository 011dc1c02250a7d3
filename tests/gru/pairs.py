"""nn.GRU and ManualGRU with the same weights, and random inputs for both."""

import warnings

import torch
from hypothesis import strategies as st
from torch import nn

from snippets.gru import ManualGRU

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


def pair(cfg, dtype, seed):
    """nn.GRU and ManualGRU with the same weights, both in eval mode (no dropout)."""
    torch.manual_seed(seed)
    with warnings.catch_warnings():  # dropout > 0 with one layer: both warn
        warnings.simplefilter("ignore", UserWarning)
        ref = nn.GRU(**cfg).to(dtype).eval()
        ours = ManualGRU(**cfg).to(dtype).eval()
    ours.load_state_dict(ref.state_dict())
    return ref, ours


def inputs(cfg, L, N, batched, with_h0, dtype, seed):
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
