"""The notebook's toy datasets: small, deterministic, no files, no random numbers."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import torch
from torch.utils.data import Dataset, TensorDataset


class SequenceDataset(Dataset):
    """把一个序列（张量或列表）包装成 map-style 数据集，样本即元素本身"""

    def __init__(self, items: Sequence) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Any:
        return self.items[index]


def make_toy_datasets(sizes: Sequence[int] = (3, 4, 2)) -> list[TensorDataset]:
    """Small TensorDatasets of (feature, label) whose features tell their origin.

    Dataset k (counting from 1) holds features 100*k + 0, 1, 2, ... so the
    hundreds digit of a feature names the source and the rest its local index;
    the label is the local index modulo 2. Fully deterministic.
    """
    datasets = []
    for k, n in enumerate(sizes, start=1):
        n = operator.index(n)
        if n < 0:
            raise ValueError(f"dataset sizes must be non-negative, got {n}")
        local = torch.arange(n)
        datasets.append(TensorDataset(100.0 * k + local, local % 2))
    return datasets


def make_paired_datasets() -> dict[str, Dataset]:
    """Equal-length views of the same 4 samples: features x, captions, labels."""
    features = torch.arange(8, dtype=torch.float32).reshape(4, 2)
    captions = ["一只猫", "两只狗", "一辆车", "三棵树"]
    labels = torch.tensor([0, 1, 2, 1])
    return {"x": SequenceDataset(features),
            "text": SequenceDataset(captions),
            "label": SequenceDataset(labels)}
