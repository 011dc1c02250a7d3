"""在 PyTorch 中组合数据集：ConcatDataset 与 StackDataset
文章：docs/blog/posts/2026-11-26-concat-dataset.md

``core``: ``concat_index`` (the global-to-local index mapping of
``torch.utils.data.ConcatDataset``), ``ManualConcatDataset`` and
``ManualStackDataset`` (minimal reimplementations of ``ConcatDataset`` and
``StackDataset``) and ``samples_equal``.  ``data``: the notebook's toy
datasets.  ``page``: the tables, listings and batches the notebook shows.
"""

from snippets.combining_datasets.core import (ManualConcatDataset,
                                              ManualStackDataset,
                                              concat_index, samples_equal)

__all__ = ["concat_index", "ManualConcatDataset", "ManualStackDataset",
           "samples_equal"]
