"""The article's toy data: two sentences and seeded embedding tables."""

from __future__ import annotations

import contextlib

import torch
from torch import nn

from snippets._checks import integer

# 同样三个词、不同顺序的两句话
SENTENCES = (("我", "爱", "你"), ("你", "爱", "我"))
VOCAB = {"我": 0, "爱": 1, "你": 2}


@contextlib.contextmanager
def _seeded(seed):
    """Draw under ``torch.manual_seed(seed)`` without touching the global
    generator; ``None``: draw from the global generator as it stands."""
    if seed is None:
        yield
        return
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int or None, "
                        f"got {type(seed).__name__}")
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        yield


def token_ids(words):
    """A sentence (a sequence of words from ``VOCAB``) as ids (1, seq)."""
    unknown = [w for w in words if w not in VOCAB]
    if unknown or len(words) == 0:
        raise ValueError(f"words must be a non-empty sequence of "
                         f"{list(VOCAB)}, got {words!r}")
    return torch.tensor([[VOCAB[w] for w in words]])


def word_embedding(d_model=16, seed=1):
    """A float64 ``nn.Embedding`` of ``VOCAB`` (PyTorch's N(0, 1) init)."""
    d_model = integer(d_model, "d_model", 1)
    with _seeded(seed):
        return nn.Embedding(len(VOCAB), d_model, dtype=torch.float64)


def scaled_embedding(n_tokens, d_model, seed=None):
    """``nn.Embedding(n_tokens, d_model)`` with weights N(0, 1/d_model),
    the usual initialisation when the output layer shares them.

    ``seed=None`` draws from torch's global generator, so that a caller who
    seeded it can go on drawing (token ids, dropout masks) after it.
    """
    n_tokens = integer(n_tokens, "n_tokens", 1)
    d_model = integer(d_model, "d_model", 1)
    with _seeded(seed):
        emb = nn.Embedding(n_tokens, d_model)
        nn.init.normal_(emb.weight, std=d_model ** -0.5)
    return emb
