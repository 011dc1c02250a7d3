"""Independent references for the tests of snippets/positional_encoding/."""

import math

import numpy as np


def numpy_pe(positions, d_model, base=10000.0):
    """The formula, column by column, in NumPy float64."""
    positions = np.asarray(positions, dtype=np.float64)
    out = np.empty((len(positions), d_model))
    for j in range(d_model):
        i = j // 2
        angle = positions / base ** (2 * i / d_model)
        out[:, j] = np.sin(angle) if j % 2 == 0 else np.cos(angle)
    return out


def reference_attention(q, k, v):
    """One head: softmax(q k^T / sqrt(d)) v, row-wise, in NumPy."""
    s = q @ k.T / math.sqrt(q.shape[1])
    s = np.exp(s - s.max(axis=1, keepdims=True))
    return (s / s.sum(axis=1, keepdims=True)) @ v
