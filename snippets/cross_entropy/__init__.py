"""理解 PyTorch 中的 CrossEntropyLoss
文章：docs/blog/posts/2026-11-20-cross-entropy-loss.md

``core``: the loss a reader studies; ``data``: the example
batch; ``page``: the tables and figure the post executes.
"""

from snippets.cross_entropy.core import (REDUCTIONS, cross_entropy,
                                         stable_log_softmax)

__all__ = ["REDUCTIONS", "cross_entropy", "stable_log_softmax"]
