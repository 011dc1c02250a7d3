"""The notebook's toy datasets: what their docstrings promise."""

import pytest
import torch
from torch.utils.data import ConcatDataset

from snippets.combining_datasets.data import (SequenceDataset,
                                              make_paired_datasets,
                                              make_toy_datasets)


def test_toy_datasets_encode_their_origin():
    parts = make_toy_datasets()
    assert [len(d) for d in parts] == [3, 4, 2]
    concat = ConcatDataset(parts)
    starts = [0, 3, 7]
    for idx in range(len(concat)):
        feature, label = concat[idx]
        i, j = divmod(int(feature.item()), 100)
        # 百位是数据集编号（从 1 数起），其余是局部下标
        assert i == 1 + sum(idx >= s for s in starts[1:])
        assert j == idx - starts[i - 1]
        assert label.item() == j % 2
    assert [len(d) for d in make_toy_datasets([0, 5])] == [0, 5]
    with pytest.raises(ValueError, match="non-negative"):
        make_toy_datasets([2, -1])
    with pytest.raises(TypeError):
        make_toy_datasets([2.5])


def test_paired_datasets_are_equal_length_views_of_four_samples():
    paired = make_paired_datasets()
    assert list(paired) == ["x", "text", "label"]
    assert [len(d) for d in paired.values()] == [4, 4, 4]
    for i in range(4):
        x = paired["x"][i]
        assert x.dtype == torch.float32 and x.tolist() == [2 * i, 2 * i + 1]
    assert [paired["text"][i] for i in range(4)] == [
        "一只猫", "两只狗", "一辆车", "三棵树"]
    assert [int(paired["label"][i]) for i in range(4)] == [0, 1, 2, 1]


def test_sequence_dataset_indexes_like_its_sequence():
    items = ["a", "b", "c"]
    ds = SequenceDataset(items)
    assert len(ds) == 3 and [ds[i] for i in range(-3, 3)] == items * 2
    with pytest.raises(IndexError):
        ds[3]
