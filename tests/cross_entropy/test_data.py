"""snippets/cross_entropy/data.py: the post's running example, as its prose states it."""

import torch

from snippets.cross_entropy.data import example_batch


def test_example_batch_is_three_float64_samples_of_five_classes():
    logits, target = example_batch()
    assert logits.shape == (3, 5) and logits.dtype == torch.float64
    assert target.tolist() == [0, 3, 3]  # the post's table: 猫, 鱼, 鱼
    assert logits[0].tolist() == [2.0, 1.0, 0.1, -1.0, 0.5]


def test_example_batch_is_a_fresh_copy_each_call():
    a, _ = example_batch()
    a[0, 0] = 99.0
    b, _ = example_batch()
    assert b[0, 0].item() == 2.0
