"""ConcatDataset and StackDataset, reimplemented.

``concat_index`` reimplements the global-to-local index mapping of
``torch.utils.data.ConcatDataset`` (cumulative sizes + ``bisect_right``,
negative indices, the same ``ValueError``/``IndexError`` cases).
``ManualConcatDataset`` and ``ManualStackDataset`` are minimal map-style
reimplementations of ``ConcatDataset`` and ``StackDataset``;
``samples_equal`` compares two datasets sample by sample.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset, IterableDataset


def _check_cumulative_sizes(cumulative_sizes: Sequence[int]) -> list[int]:
    try:
        sizes = [operator.index(s) for s in cumulative_sizes]
    except TypeError:
        raise TypeError("cumulative_sizes must be a sequence of integers, "
                        f"got {cumulative_sizes!r}") from None
    if not sizes:
        raise ValueError("cumulative_sizes must not be empty "
                         "(ConcatDataset needs at least one dataset)")
    if sizes[0] < 0 or any(b < a for a, b in itertools.pairwise(sizes)):
        raise ValueError("cumulative_sizes must be non-negative and "
                         f"non-decreasing, got {sizes}")
    return sizes


def concat_index(cumulative_sizes: Sequence[int],
                 idx: int) -> tuple[int, int]:
    """全局下标 idx -> (子数据集编号, 局部下标)"""
    sizes = _check_cumulative_sizes(cumulative_sizes)
    idx = operator.index(idx)
    total = sizes[-1]
    if idx < 0:
        # 与 Python 序列一样，-1 表示最后一个样本
        if -idx > total:
            msg = ("absolute value of index should "
                   "not exceed dataset length")
            raise ValueError(msg)
        idx += total
    # bisect_right：idx 等于某个累计长度时落到下一个
    # 数据集，长度为 0 的数据集因此被自然跳过
    i = bisect.bisect_right(sizes, idx)
    if i == len(sizes):
        raise IndexError(f"index {idx} out of range "
                         f"for length {total}")
    start = sizes[i - 1] if i > 0 else 0
    return i, idx - start


class ManualConcatDataset(Dataset):
    """ConcatDataset 的最小复刻：样本首尾相接"""

    def __init__(self, datasets: Iterable[Dataset]):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("no datasets given")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("use ChainDataset for "
                                "IterableDataset")
        # 构造时算一次累计长度，取样时只需二分查找
        lengths = map(len, self.datasets)
        self.cumulative_sizes = list(
            itertools.accumulate(lengths))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        i, j = concat_index(self.cumulative_sizes, idx)
        return self.datasets[i][j]


class ManualStackDataset(Dataset):
    """StackDataset 的最小复刻：等长数据集逐样本并排"""

    def __init__(self, *args: Dataset,
                 **kwargs: Dataset):
        if args and kwargs:
            msg = ("use either args (tuple samples) or "
                   "kwargs (dict samples), but both "
                   "types are given")
            raise ValueError(msg)
        parts = args or tuple(kwargs.values())
        if not parts:
            raise ValueError("At least one dataset "
                             "should be passed")
        self._length = len(parts[0])
        if any(len(d) != self._length for d in parts):
            raise ValueError("Size mismatch between "
                             "datasets")
        self.datasets = args or dict(kwargs)

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> tuple | dict:
        # 下标原样交给子数据集，越界由它们自己报错
        if isinstance(self.datasets, dict):
            return {k: d[index]
                    for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)
                and a.dtype == b.dtype and torch.equal(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        # a == b would be an array, whose truth value is ambiguous
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
                and a.dtype == b.dtype and a.shape == b.shape
                and bool(np.array_equal(a, b)))
    if isinstance(a, dict) or isinstance(b, dict):
        return (type(a) is type(b) and a.keys() == b.keys()
                and all(_same(a[k], b[k]) for k in a))
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(_same(x, y) for x, y in zip(a, b)))
    # same type as well: 1, 1.0 and True compare equal but are different samples
    return type(a) is type(b) and bool(a == b)


def samples_equal(a: Dataset, b: Dataset) -> bool:
    """Same length and the same sample at every index, negative ones included.

    Tensors and NumPy arrays must agree in dtype, shape and values; other
    values in type and value (so 1, 1.0 and True are three different samples).
    """
    n = len(a)
    return n == len(b) and all(_same(a[i], b[i]) for i in range(-n, n))
