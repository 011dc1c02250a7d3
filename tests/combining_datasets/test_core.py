"""snippets.combining_datasets.core against torch.utils.data.ConcatDataset
and StackDataset; samples_equal against differences planted at known places."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import (ConcatDataset, DataLoader, IterableDataset,
                              StackDataset, TensorDataset)

from snippets.combining_datasets import (ManualConcatDataset,
                                         ManualStackDataset, concat_index,
                                         samples_equal)
lengths_lists = st.lists(st.integers(0, 7), min_size=1, max_size=6)


def labelled(lengths):
    """Datasets whose sample at local index j of dataset i is the tuple (i, j)."""
    return [[(i, j) for j in range(n)] for i, n in enumerate(lengths)]


def outcome(fn):
    """Result or exception type, so torch and ours can be compared case by case."""
    try:
        return ("ok", fn())
    except (IndexError, ValueError) as exc:
        return ("raises", type(exc))


def assert_same_outcome(a, b, context):
    assert a[0] == b[0], context
    if a[0] == "raises":
        assert a == b, context
    else:
        assert same(a[1], b[1]), context


def same(a, b):
    """Structural equality of samples and batches (tensors: dtype and values)."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)
                and a.dtype == b.dtype and a.shape == b.shape
                and torch.equal(a, b))
    if isinstance(a, dict) or isinstance(b, dict):
        return (type(a) is type(b) and list(a) == list(b)
                and all(same(a[k], b[k]) for k in a))
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(same(x, y) for x, y in zip(a, b)))
    return a == b


def tensor_datasets(lengths, seed, width=2):
    gen = torch.Generator().manual_seed(seed)
    return [TensorDataset(torch.randn(n, width, generator=gen),
                          torch.randint(0, 5, (n,), generator=gen))
            for n in lengths]


# --------------------------------------------------------------------------- concat_index


@settings(max_examples=200, deadline=None)
@given(lengths_lists)
def test_concat_index_matches_torch_on_every_index(lengths):
    reference = ConcatDataset(labelled(lengths))
    n = len(reference)
    assert n == sum(lengths)
    for idx in range(-n - 3, n + 3):
        ours = outcome(lambda: concat_index(reference.cumulative_sizes, idx))
        theirs = outcome(lambda: reference[idx])
        assert ours == theirs, (lengths, idx)


@settings(max_examples=100, deadline=None)
@given(lengths_lists, st.integers(-10**6, 10**6))
def test_concat_index_matches_torch_on_far_indices(lengths, idx):
    reference = ConcatDataset(labelled(lengths))
    assert (outcome(lambda: concat_index(reference.cumulative_sizes, idx))
            == outcome(lambda: reference[idx]))


def test_concat_index_error_types_and_messages():
    sizes = [3, 7, 9]
    torch_ds = ConcatDataset(labelled([3, 4, 2]))
    msg = "absolute value of index should not exceed dataset length"
    for fn in (lambda: concat_index(sizes, -10), lambda: torch_ds[-10]):
        with pytest.raises(ValueError, match=msg):
            fn()
    for fn in (lambda: concat_index(sizes, 9), lambda: torch_ds[9]):
        with pytest.raises(IndexError):
            fn()
    assert concat_index(sizes, -9) == torch_ds[-9] == (0, 0)


def test_concat_index_skips_empty_datasets_like_torch():
    lengths = [0, 2, 0, 0, 3, 0]
    reference = ConcatDataset(labelled(lengths))
    got = [concat_index(reference.cumulative_sizes, i) for i in range(5)]
    assert got == [reference[i] for i in range(5)]
    assert {i for i, _ in got} == {1, 4}


def test_concat_index_all_empty():
    reference = ConcatDataset(labelled([0, 0]))
    assert len(reference) == 0
    for idx, err in ((0, IndexError), (5, IndexError), (-1, ValueError)):
        with pytest.raises(err):
            reference[idx]
        with pytest.raises(err):
            concat_index(reference.cumulative_sizes, idx)


def test_concat_index_accepts_integer_like_indices():
    sizes = [3, 7, 9]
    assert concat_index(sizes, torch.tensor(4)) == (1, 1)
    assert concat_index(tuple(sizes), True) == (0, 1)


@pytest.mark.parametrize("sizes, err, match", [
    ([], ValueError, "must not be empty"),
    ([3, 2], ValueError, "non-decreasing"),
    ([-1, 2], ValueError, "non-negative"),
    ([1.5, 3], TypeError, "sequence of integers"),
    (None, TypeError, "sequence of integers"),
])
def test_concat_index_rejects_bad_cumulative_sizes(sizes, err, match):
    with pytest.raises(err, match=match):
        concat_index(sizes, 0)


def test_concat_index_rejects_non_integer_index():
    with pytest.raises(TypeError):
        concat_index([3, 7], 1.0)


# --------------------------------------------------------------------------- ConcatDataset


@settings(max_examples=100, deadline=None)
@given(lengths_lists, st.integers(0, 2**31 - 1))
def test_manual_concat_matches_torch(lengths, seed):
    parts = tensor_datasets(lengths, seed)
    ours, theirs = ManualConcatDataset(parts), ConcatDataset(parts)
    n = len(theirs)
    assert len(ours) == n
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    for idx in range(-n - 2, n + 2):
        a = outcome(lambda: ours[idx])
        b = outcome(lambda: theirs[idx])
        assert_same_outcome(a, b, (lengths, idx))


@settings(max_examples=40, deadline=None)
@given(lengths_lists.filter(lambda ls: sum(ls) > 0), st.integers(1, 5),
       st.booleans(), st.integers(0, 2**31 - 1))
def test_manual_concat_dataloader_batches_equal(lengths, batch_size, shuffle, seed):
    parts = tensor_datasets(lengths, seed)

    def batches(ds):
        gen = torch.Generator().manual_seed(seed)
        return list(DataLoader(ds, batch_size=batch_size, shuffle=shuffle,
                               generator=gen))

    ours = batches(ManualConcatDataset(parts))
    theirs = batches(ConcatDataset(parts))
    assert same(ours, theirs)


def all_samples(dataset):
    """Every sample, negative indices included, for the test's own ``same``."""
    n = len(dataset)
    return [dataset[i] for i in range(-n, n)]


def test_manual_concat_accepts_any_iterable_and_nests():
    parts = tensor_datasets([2, 3], 0)
    ours = ManualConcatDataset(iter(parts))
    assert same(all_samples(ours), all_samples(ConcatDataset(parts)))
    nested = ManualConcatDataset([ManualConcatDataset(parts), parts[0]])
    theirs = ConcatDataset([ConcatDataset(parts), parts[0]])
    assert len(nested) == len(theirs) == 7
    assert same(all_samples(nested), all_samples(theirs))


def test_manual_concat_bad_inputs():
    # torch signals these with AssertionError; the reimplementation uses ValueError/TypeError
    with pytest.raises(AssertionError):
        ConcatDataset([])
    with pytest.raises(ValueError, match="no datasets"):
        ManualConcatDataset([])

    class Stream(IterableDataset):
        def __iter__(self):
            yield from range(3)

    with pytest.raises(AssertionError):
        ConcatDataset([Stream()])
    with pytest.raises(TypeError, match="ChainDataset"):
        ManualConcatDataset([[1, 2], Stream()])


# --------------------------------------------------------------------------- StackDataset


@st.composite
def stack_inputs(draw):
    n = draw(st.integers(0, 6))
    k = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**31 - 1))
    gen = torch.Generator().manual_seed(seed)
    kinds = draw(st.lists(st.sampled_from(["tensor", "pair", "list"]),
                          min_size=k, max_size=k))
    datasets = []
    for kind in kinds:
        if kind == "tensor":
            datasets.append(torch.randn(n, 3, generator=gen))
        elif kind == "pair":
            datasets.append(TensorDataset(torch.randn(n, generator=gen),
                                          torch.arange(n)))
        else:
            datasets.append([f"s{j}" for j in range(n)])
    as_kwargs = draw(st.booleans())
    return datasets, as_kwargs


@settings(max_examples=100, deadline=None)
@given(stack_inputs())
def test_manual_stack_matches_torch(inputs):
    datasets, as_kwargs = inputs
    if as_kwargs:
        kwargs = {f"f{i}": d for i, d in enumerate(datasets)}
        ours, theirs = ManualStackDataset(**kwargs), StackDataset(**kwargs)
    else:
        ours, theirs = ManualStackDataset(*datasets), StackDataset(*datasets)
    n = len(theirs)
    assert len(ours) == n
    for idx in range(-n - 2, n + 2):
        a = outcome(lambda: ours[idx])
        b = outcome(lambda: theirs[idx])
        assert_same_outcome(a, b, idx)


@settings(max_examples=40, deadline=None)
@given(stack_inputs().filter(lambda inp: len(inp[0][0]) > 0),
       st.integers(1, 4), st.booleans(), st.integers(0, 2**31 - 1))
def test_manual_stack_dataloader_batches_equal(inputs, batch_size, shuffle, seed):
    datasets, as_kwargs = inputs

    def batches(cls):
        ds = (cls(**{f"f{i}": d for i, d in enumerate(datasets)}) if as_kwargs
              else cls(*datasets))
        gen = torch.Generator().manual_seed(seed)
        return list(DataLoader(ds, batch_size=batch_size, shuffle=shuffle,
                               generator=gen))

    assert same(batches(ManualStackDataset), batches(StackDataset))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=2, max_size=4).filter(
    lambda ls: len(set(ls)) > 1), st.booleans())
def test_stack_unequal_lengths_rejected_by_both(lengths, as_kwargs):
    datasets = [list(range(n)) for n in lengths]
    for cls in (StackDataset, ManualStackDataset):
        with pytest.raises(ValueError, match="Size mismatch"):
            if as_kwargs:
                cls(**{f"f{i}": d for i, d in enumerate(datasets)})
            else:
                cls(*datasets)


def test_stack_bad_inputs_rejected_by_both():
    a, b = [1, 2], [3, 4]
    for cls in (StackDataset, ManualStackDataset):
        with pytest.raises(ValueError, match="both types are given"):
            cls(a, y=b)
        with pytest.raises(ValueError, match="At least one dataset"):
            cls()


def test_stack_empty_datasets():
    for cls in (StackDataset, ManualStackDataset):
        ds = cls([], torch.empty(0, 2))
        assert len(ds) == 0
        with pytest.raises(IndexError):
            ds[0]


def test_samples_equal_compares_arrays_and_types_without_truthiness():
    """samples_equal used ``a == b`` for anything but tensors, dicts and sequences: NumPy
    samples raised "truth value ... is ambiguous" or matched across dtypes, and 1 == True."""
    def stacked(*columns):
        return StackDataset(*columns)

    a = [np.array([1, 2]), np.array([3, 4])]
    assert samples_equal(ManualStackDataset(a), stacked(a))
    assert not samples_equal(ManualStackDataset(a), stacked([a[0], np.array([3, 5])]))
    assert not samples_equal(ManualStackDataset([np.array([1])]),
                                stacked([np.array([True])]))
    assert not samples_equal(ManualStackDataset([np.array([1, 2])]),
                                stacked([np.array([[1, 2]])]))
    assert not samples_equal(ManualStackDataset([np.array([1])]), stacked([[1]]))
    assert not samples_equal(ManualStackDataset([1, 0]), stacked([True, False]))
    assert not samples_equal(ManualStackDataset([1.0]), stacked([1]))
    assert samples_equal(ManualStackDataset(["a", 1, 2.5]), stacked(["a", 1, 2.5]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=1, max_size=8), st.data())
def test_samples_equal_sees_a_difference_at_any_index(values, data):
    """Audit: samples_equal was the oracle of the nesting test; a version that
    checked index 0 only passed.  Here the differing index is known."""
    n = len(values)
    k = data.draw(st.integers(0, n - 1), label="changed index")
    if data.draw(st.booleans(), label="tensors"):
        def wrap(v):
            return TensorDataset(torch.tensor(v))
    else:
        wrap = list
    changed = list(values)
    changed[k] += 1
    assert samples_equal(wrap(values), wrap(list(values)))
    assert not samples_equal(wrap(values), wrap(changed))
    assert not samples_equal(wrap(values), wrap(values + [values[-1]]))
