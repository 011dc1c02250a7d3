"""A task that needs memory: recall the first input of a sequence after
T - 1 steps of noise. Training alone pushes the update gate z of one GRU
unit toward 1 (the unit keeps its state); a plain RNN of the same size
does not learn the task.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch
from torch import nn

from snippets._checks import integer
from snippets._shared import shared
from snippets.gru.core import gru_gates
from snippets.gru.data import recall_data

KINDS = {"gru": nn.GRU, "rnn": nn.RNN}


def _check_recall(kind, T, hidden_size, steps, lr):
    if kind not in KINDS:  # 拼错的 kind 不能悄悄换成另一种模型
        raise ValueError(f"kind must be 'gru' or 'rnn', got {kind!r}")
    integer(T, "T", 1)
    integer(hidden_size, "hidden_size", 1)
    integer(steps, "steps", 0)
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")


# --8<-- [start:train_recall]
class RecallModel(nn.Module):
    def __init__(self, kind="gru", hidden_size=8):
        super().__init__()
        self.rnn = KINDS[kind](1, hidden_size, batch_first=True,
                               dtype=torch.float64)
        self.head = nn.Linear(hidden_size, 1, dtype=torch.float64)

    def forward(self, x):  # x: (N, T, 1)
        out, _ = self.rnn(x)
        return self.head(out[:, -1]).squeeze(-1)  # 只看最后一步


def train_recall(kind="gru", T=15, hidden_size=8, steps=800, lr=0.01,
                 seed=0):
    """Train on fresh batches; return the model before and after."""
    _check_recall(kind, T, hidden_size, steps, lr)
    torch.manual_seed(seed)  # 参数初始化可复现
    gen = torch.Generator().manual_seed(seed)
    model = RecallModel(kind, hidden_size)
    initial = RecallModel(kind, hidden_size)
    initial.load_state_dict(model.state_dict())
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        x, a = recall_data(128, T, gen)  # 每步新数据：只能靠记忆
        loss = ((model(x) - a) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return initial, model


def recall_r2(model, x, a):
    """R^2 of the model's recall: 1 is perfect, 0 is guessing the mean."""
    with torch.no_grad():
        residual = ((model(x) - a) ** 2).sum().item()
    return 1 - residual / ((a - a.mean()) ** 2).sum().item()
# --8<-- [end:train_recall]


# --8<-- [start:memory_unit]
def _trace(model, x):
    """z_t and h_t of the GRU layer over a batch x (N, T, 1)."""
    gru = getattr(model, "rnn", None)
    if not isinstance(gru, nn.GRU):
        raise TypeError("needs a RecallModel with a GRU (kind='gru')")
    w = (gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0)
    h = x.new_zeros(x.shape[0], model.rnn.hidden_size)
    zs, hs = [], []
    with torch.no_grad():
        for t in range(x.shape[1]):
            r, z, n = gru_gates(x[:, t], h, *w)
            h = n + z * (h - n)  # 与 gru_cell 相同
            zs.append(z)
            hs.append(h)
    return torch.stack(zs, 1).numpy(), torch.stack(hs, 1).numpy()


def update_gates(model, x):
    """z_t of every sequence in x (N, T, 1): an (N, T, H) array."""
    return _trace(model, x)[0]


def memory_unit(model, x, a):
    """The unit whose last state h_T follows the target a most closely."""
    h_T = _trace(model, x)[1][:, -1]  # (N, H)
    a = np.asarray(a)
    corr = [abs(np.corrcoef(h_T[:, k], a)[0, 1])
            for k in range(h_T.shape[1])]
    return int(np.argmax(corr))
# --8<-- [end:memory_unit]


@shared
def trained_recall(kind, seed):
    """train_recall(kind, seed=seed) once per process."""
    return train_recall(kind, seed=seed)
