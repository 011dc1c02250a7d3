"""Transformer 中的 Positional Encoding Layer
文章：docs/blog/posts/2026-11-23-positional-encoding.md

- ``core``: the sinusoidal table (``sinusoidal_encoding``), the shift
  matrix (``shift_matrix``), the layer (``PositionalEncoding``,
  ``embed_tokens``) and self-attention's permutation equivariance
  (``self_attention``, ``permutation_gap``);
- ``data``: the two toy sentences and seeded embedding tables;
- ``page``: the tables and figures of the post.
"""

from snippets.positional_encoding.core import (PositionalEncoding,
                                               attention_layer,
                                               binary_encoding, embed_tokens,
                                               float64_default,
                                               permutation_gap,
                                               self_attention, shift_matrix,
                                               sinusoidal_encoding)

__all__ = ["PositionalEncoding", "attention_layer", "binary_encoding",
           "embed_tokens", "float64_default", "permutation_gap",
           "self_attention", "shift_matrix", "sinusoidal_encoding"]
