"""深入理解 GRU 及其 PyTorch 实现
文章：docs/blog/posts/2026-11-21-gru.md

``core``: one GRU step and ``ManualGRU``, compared with ``torch.nn.GRU``;
``gradients``: the Jacobian of a step and the decay of gradients over time;
``data``: noisy sine waves and the recall task; ``training``: the sine-wave
model and its training; ``memory``: a task that needs long memory, where
training drives the update gate toward 1; ``page``, ``page_memory``: the
tables and figures the post executes.
"""

from snippets.gru.core import (ManualGRU, compare_with_torch, gate_trace,
                               gru_cell, gru_cell_cho, gru_gates)
from snippets.gru.gradients import gradient_decay, gru_jacobian

__all__ = ["ManualGRU", "compare_with_torch", "gate_trace", "gradient_decay",
           "gru_cell", "gru_cell_cho", "gru_gates", "gru_jacobian"]
