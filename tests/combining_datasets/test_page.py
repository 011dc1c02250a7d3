"""What the notebook shows, against answers the test derives itself (torch
on labelled samples, bisect by counting), and the notebook run end to end."""

from pathlib import Path

import jupytext
import pytest
import torch
from nbclient import NotebookClient
from torch.utils.data import ConcatDataset, StackDataset

from snippets.combining_datasets import concat_index
from snippets.combining_datasets.data import (make_paired_datasets,
                                              make_toy_datasets)
from snippets.combining_datasets.page import (comparison_table, describe_batch,
                                              error_of, first_batch,
                                              list_samples,
                                              show_bisect_choice,
                                              show_concat_samples,
                                              show_index_mapping, show_source)

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "docs" / "blog" / "posts" / "2026-11-26-concat-dataset.md"
LENGTHS = [3, 4, 2]


def labelled(lengths):
    """torch's ConcatDataset whose sample is its own (dataset, local index)."""
    return ConcatDataset([[(i, j) for j in range(n)]
                          for i, n in enumerate(lengths)])


def torch_answer(lengths, idx):
    """torch's (dataset, local index) for idx as text, or its exception."""
    try:
        return str(labelled(lengths)[idx])
    except (IndexError, ValueError) as exc:
        return type(exc).__name__


def test_concat_samples_table():
    table = show_concat_samples(ConcatDataset(make_toy_datasets(LENGTHS)))
    assert list(table.index) == list(range(sum(LENGTHS)))
    for idx, row in table.iterrows():
        i, j = labelled(LENGTHS)[idx]
        assert (row["子数据集"], row["局部下标"]) == (i, j)
        assert row["特征"] == str(100 * (i + 1) + j)
        assert row["标签"] == j % 2


def test_index_mapping_table_agrees_with_torch_called_here():
    sizes = [3, 7, 9]
    table = show_index_mapping(sizes, range(-11, 11))
    assert list(table.index) == list(range(-11, 11))
    for idx, row in table.iterrows():
        expected = torch_answer(LENGTHS, idx)
        assert row["concat_index"] == row["torch ConcatDataset"] == expected
    assert set(table.loc[[-10, -11], "concat_index"]) == {"ValueError"}
    assert set(table.loc[[9, 10], "concat_index"]) == {"IndexError"}


def test_bisect_choice_table():
    sizes = [3, 3, 7, 9]
    table = show_bisect_choice(sizes)
    assert list(table.index) == list(range(9))
    for idx, row in table.iterrows():
        left = sum(s < idx for s in sizes)  # bisect_left: 严格小于的个数
        right = sum(s <= idx for s in sizes)
        assert (row["bisect_left"], row["bisect_right"]) == (left, right)
        assert row["是否一致"] == ("是" if left == right else "否")


def test_listing_errors_and_comparison_table():
    paired = make_paired_datasets()
    stack = StackDataset(**paired)
    assert list_samples(stack).splitlines() == [
        f"{i} -> {stack[i]!r}" for i in range(4)]
    parts = make_toy_datasets()
    try:
        StackDataset(parts[0], parts[1])
    except ValueError as exc:
        expected = f"ValueError: {exc}"
    assert error_of(lambda: StackDataset(parts[0], parts[1])) == expected
    assert error_of(lambda: None) == "no error"
    table = comparison_table()
    assert list(table.columns) == ["ConcatDataset", "StackDataset"]
    assert table.loc["len（本文示例）"].tolist() == ["3 + 4 + 2 = 9",
                                                  "4 = 4 = 4 → 4"]


def test_demo_batches():
    paired = make_paired_datasets()
    tuple_batch = first_batch(StackDataset(*paired.values()))
    dict_batch = first_batch(StackDataset(**paired))
    assert isinstance(tuple_batch, list) and len(tuple_batch) == 3
    assert isinstance(dict_batch, dict) and list(dict_batch) == list(paired)
    # default_collate transposes tuple samples with zip, but gathers dict fields in a list
    assert isinstance(tuple_batch[1], tuple) and isinstance(dict_batch["text"], list)
    assert torch.equal(tuple_batch[0], dict_batch["x"])
    text = describe_batch(dict_batch)
    assert text.splitlines() == [
        "dict，共 3 个字段",
        "  ['x'] Tensor，形状 (4, 2)，float32",
        f"      {paired['x'].items.tolist()}",
        "  ['text'] list",
        "      ['一只猫', '两只狗', '一辆车', '三棵树']",
        "  ['label'] Tensor，形状 (4,)，int64",
        "      [0, 1, 2, 1]"]
    concat_batch = first_batch(ConcatDataset(make_toy_datasets()))
    assert concat_batch[0].tolist() == [100.0, 101.0, 102.0, 200.0]


def test_show_source_is_a_markdown_code_block():
    md = show_source(concat_index)
    assert md.data.startswith("```python\ndef concat_index(")
    assert md.data.endswith("```") and "bisect.bisect_right" in md.data


# --------------------------------------------------------------------------- the notebook


def run_notebook(cwd: Path):
    nb = jupytext.read(NOTEBOOK)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


@pytest.mark.parametrize("cwd", ["docs/blog/posts", "."],
                         ids=["notebook-folder", "repo-root"])
def test_notebook_executes_without_errors(cwd):
    # the build runs the post in the repository root; Jupyter, opening the post, in its folder
    nb = run_notebook(REPO / cwd)
    code = [c for c in nb.cells if c.cell_type == "code"]
    # only the set-up cell and the import cell print nothing
    assert all(c.outputs for c in code[2:])
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert nb.cells[0].cell_type == "raw" and "slug: concat-dataset" in nb.cells[0].source
    assert nb.cells[1].cell_type == "markdown" and nb.cells[1].source.startswith("# ")
    assert "<!-- more -->" in nb.cells[1].source  # the lead is the blog index's excerpt
    assert "from snippets.combining_datasets import" in "".join(c.source for c in code)

