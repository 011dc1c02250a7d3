"""The GRU post's long-memory demos: recall the first input after T - 1
noisy steps, and what training did to the update gate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from docexec import Responsive
from snippets.gru.data import recall_data
from snippets.gru.memory import (memory_unit, recall_r2, trained_recall,
                                 update_gates)

SEEDS = range(5)  # 每个种子一次独立训练：不挑结果好的那次


def _held_out():
    """Test sequences that no training run has seen."""
    return recall_data(1000, 15, torch.Generator().manual_seed(12345))


def _r2(value):
    text = f"{value:.3f}"
    return "0.000" if text == "-0.000" else text  # 不显示“负零”


def show_recall_runs():
    """R^2 of GRU and RNN per seed, and the memory unit's mean z (t >= 1)."""
    x, a = _held_out()
    rows = []
    for seed in SEEDS:
        initial, gru = trained_recall("gru", seed)
        _, rnn = trained_recall("rnn", seed)
        k = memory_unit(gru, x, a)
        rows.append({"种子": seed, "GRU 的 R²": _r2(recall_r2(gru, x, a)),
                     "RNN 的 R²": _r2(recall_r2(rnn, x, a)), "记忆单元": k,
                     "训练前 z 的均值": f"{update_gates(initial, x)[:, 1:, k].mean():.2f}",
                     "训练后 z 的均值": f"{update_gates(gru, x)[:, 1:, k].mean():.3f}"})
    return pd.DataFrame(rows).set_index("种子")


def plot_recall_gates(seed=0):
    """Mean z_t of every unit over the held-out sequences, before and
    after training; the memory unit is drawn in colour."""
    import matplotlib.pyplot as plt

    x, a = _held_out()
    initial, gru = trained_recall("gru", seed)
    k = memory_unit(gru, x, a)

    def draw(narrow):  # 手机上两图上下排列
        fig, axes = plt.subplots(
            *((2, 1) if narrow else (1, 2)),
            figsize=(4.0, 6.4) if narrow else (9.6, 3.6), sharey=True)
        for ax, model, title in ((axes[0], initial, "训练前"),
                                 (axes[1], gru, "训练后")):
            z = update_gates(model, x).mean(axis=0)  # (T, H)
            t = np.arange(z.shape[0])
            for j in range(z.shape[1]):
                if j != k:
                    ax.plot(t, z[:, j], color="C7", lw=1, alpha=0.6)
            ax.plot(t, z[:, k], color="C0", lw=2.2, label=f"记忆单元 {k}")
            ax.plot([], [], color="C7", lw=1, label="其他单元")
            ax.set_title(title)
            ax.set_xlabel("时间步 t")
            ax.set_ylim(0, 1.02)
        axes[0].set_ylabel("更新门 z 的均值")
        axes[1].legend(loc="lower right")
        fig.tight_layout()
        return fig

    return Responsive(draw(False), narrow=lambda: draw(True))
