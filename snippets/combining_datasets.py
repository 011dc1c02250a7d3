"""在 PyTorch 中组合数据集：ConcatDataset 与 StackDataset
文章：docs/notebooks/combining_datasets.py

``concat_index`` reimplements the global-to-local index mapping of
``torch.utils.data.ConcatDataset`` (cumulative sizes + ``bisect_right``,
negative indices, the same ``ValueError``/``IndexError`` cases).
``ManualConcatDataset`` and ``ManualStackDataset`` are minimal map-style
reimplementations of ``ConcatDataset`` and ``StackDataset``.
The remaining helpers build the notebook's toy datasets, tables and batches.
"""

from __future__ import annotations

import bisect
import inspect
import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch.utils.data import (ConcatDataset, DataLoader, Dataset,
                              IterableDataset, StackDataset, TensorDataset)


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


# ---------------------------------------------------------------------------
# Demo helpers used by the notebook
# ---------------------------------------------------------------------------

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


def show_concat_samples(dataset: ConcatDataset) -> pd.DataFrame:
    """Iterate a ConcatDataset: each global index, where it comes from, the sample."""
    rows = []
    for idx in range(len(dataset)):
        i, j = concat_index(dataset.cumulative_sizes, idx)
        feature, label = dataset[idx]
        rows.append({"全局下标": idx, "子数据集": i, "局部下标": j,
                     "特征": f"{feature.item():.0f}", "标签": label.item()})
    return pd.DataFrame(rows).set_index("全局下标")


def _outcome(fn: Callable[[], Any]) -> str:
    try:
        return str(fn())
    except Exception as exc:  # noqa: BLE001 - the table shows the error
        return f"{type(exc).__name__}"


def show_index_mapping(cumulative_sizes: Sequence[int],
                       indices: Iterable[int]) -> pd.DataFrame:
    """concat_index on several indices next to torch's answer (as a string)."""
    sizes = list(cumulative_sizes)
    # 用 (数据集编号, 局部下标) 充当样本，torch 取出的样本就是它的映射结果
    lengths = [b - a for a, b in zip([0] + sizes[:-1], sizes)]
    reference = ConcatDataset(
        [[(i, j) for j in range(n)] for i, n in enumerate(lengths)])
    rows = [{"idx": idx,
             "concat_index": _outcome(lambda: concat_index(sizes, idx)),
             "torch ConcatDataset": _outcome(lambda: reference[idx])}
            for idx in indices]
    return pd.DataFrame(rows).set_index("idx")


def show_bisect_choice(cumulative_sizes: Sequence[int]) -> pd.DataFrame:
    """Why bisect_right: bisect_left picks the wrong (or an empty) dataset at boundaries."""
    sizes = list(cumulative_sizes)
    rows = []
    for idx in range(sizes[-1]):
        left = bisect.bisect_left(sizes, idx)
        right = bisect.bisect_right(sizes, idx)
        rows.append({"idx": idx, "bisect_left": left, "bisect_right": right,
                     "是否一致": "是" if left == right else "否"})
    return pd.DataFrame(rows).set_index("idx")


def list_samples(dataset: Dataset) -> str:
    """Iterate a dataset by index: one line 'index -> repr(sample)' per sample."""
    return "\n".join(f"{i} -> {dataset[i]!r}" for i in range(len(dataset)))


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


def error_of(fn: Callable[[], Any]) -> str:
    """Call fn and return 'ExceptionType: message' (or 'no error')."""
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the notebook shows the error
        return f"{type(exc).__name__}: {exc}"
    return "no error"


def first_batch(dataset: Dataset, batch_size: int = 4) -> Any:
    """The first batch of an unshuffled DataLoader with the default collate."""
    return next(iter(DataLoader(dataset, batch_size=batch_size)))


def describe_batch(batch: Any) -> str:
    """Type and contents of a collated batch: a header line, then two per field."""
    if isinstance(batch, dict):
        items = list(batch.items())
    else:
        items = list(enumerate(batch))
    lines = [f"{type(batch).__name__}，共 {len(items)} 个字段"]
    for key, value in items:
        if isinstance(value, torch.Tensor):
            dtype = str(value.dtype).removeprefix("torch.")
            lines.append(f"  [{key!r}] Tensor，形状 {tuple(value.shape)}，{dtype}")
            lines.append(f"      {value.tolist()}")
        else:
            lines.append(f"  [{key!r}] {type(value).__name__}")
            lines.append(f"      {value!r}")
    return "\n".join(lines)


def comparison_table() -> pd.DataFrame:
    """ConcatDataset vs StackDataset, with lengths measured on the toy data."""
    parts = make_toy_datasets()
    paired = make_paired_datasets()
    concat = ConcatDataset(parts)
    stack = StackDataset(**paired)
    plus = " + ".join(str(len(d)) for d in parts)
    same = " = ".join(str(len(d)) for d in paired.values())
    rows = {
        "组合方向": ("纵向：样本首尾相接", "横向：同一下标的样本并排"),
        "长度要求": ("任意，可为 0", "必须全部相等"),
        "len（本文示例）": (f"{plus} = {len(concat)}",
                          f"{same} → {len(stack)}"),
        "单个样本": ("原样返回某个子数据集的样本",
                   "元组（位置参数）或字典（关键字参数）"),
        "下标检查": ("自己处理负下标与越界", "交给各子数据集"),
        "默认 collate 的批次": ("与子数据集的样本结构相同",
                             "元组→列表，字典→字典"),
        "典型用途": ("合并多个来源的同类数据", "把多模态输入与标签配对"),
    }
    return pd.DataFrame(rows, index=["ConcatDataset", "StackDataset"]).T


def show_source(obj: Any):
    """The source of a function or class as a Markdown code block."""
    from IPython.display import Markdown

    return Markdown(f"```python\n{inspect.getsource(obj)}```")
