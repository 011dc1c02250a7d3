"""What the notebook shows: tables of samples and index mappings, sample
listings, errors, collated batches, the comparison table and source code.
"""

from __future__ import annotations

import bisect
import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd
import torch
from torch.utils.data import ConcatDataset, DataLoader, Dataset, StackDataset

from snippets.combining_datasets import concat_index
from snippets.combining_datasets.data import (make_paired_datasets,
                                              make_toy_datasets)


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
