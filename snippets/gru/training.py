"""The post's training demo: a 2-layer GRU predicts the next value of a
noisy sine wave, trained once per process for the demos that show it.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from snippets._shared import shared
from snippets.gru.core import ManualGRU
from snippets.gru.data import sine_data


# --8<-- [start:sine_model]
class SineModel(nn.Module):
    def __init__(self, hidden_size=16, gru_class=ManualGRU):
        super().__init__()
        self.gru = gru_class(1, hidden_size, num_layers=2,
                             batch_first=True)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x):  # x: (N, T, 1)
        out, _ = self.gru(x)  # (N, T, H)：第 2 层每个时刻的 h_t
        return self.head(out)  # (N, T, 1)：预测下一个值


def train_sine(gru_class=ManualGRU, steps=100, lr=0.03):
    torch.manual_seed(0)  # 参数初始化可复现
    gen = torch.Generator().manual_seed(0)
    x, y = sine_data(64, 30, gen)
    x_test, y_test = sine_data(64, 30, gen)
    model = SineModel(gru_class=gru_class)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    train_loss, test_loss = [], []
    for step in range(steps):
        loss = ((model(x) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        train_loss.append(loss.item())
        if step % 5 == 4:  # 每 5 步在测试集上评估一次
            with torch.no_grad():
                test = ((model(x_test) - y_test) ** 2).mean()
            test_loss.append((step + 1, test.item()))
    history = np.array(train_loss), np.array(test_loss)
    return model, *history, (x_test, y_test)
# --8<-- [end:sine_model]


@shared
def trained_sine(gru_class=ManualGRU):
    """``train_sine(gru_class)`` once per process (plot_training, plot_gates).

    The histories are read-only; callers must not train the model further.
    """
    model, train, test, held_out = train_sine(gru_class)
    for history in (train, test):
        history.flags.writeable = False
    return model, train, test, held_out
