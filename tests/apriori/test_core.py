"""snippets/apriori/core.py: apriori, apriori_trace and item_bitsets.

References: mlxtend's apriori, and a brute-force count of every subset.
"""

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apriori.reference import (assert_same_itemsets, brute_force, datasets,
                               one_hot, reference, rows_of, subset_counts)
from snippets.apriori import (apriori, apriori_trace, generate_transactions,
                              item_bitsets)

@settings(max_examples=150, deadline=None)
@given(datasets())
def test_matches_mlxtend_on_random_frames(case):
    frame, min_support, max_len = case
    ref = reference(frame, min_support, max_len)
    assert_same_itemsets(apriori(frame, min_support, max_len), ref)
    # 同样的数据写成事务列表，结果也一样
    assert_same_itemsets(apriori(rows_of(frame), min_support, max_len), ref)


# 每条事务最多 6 个商品（暴力枚举子集），可以重复出现
baskets = st.lists(st.lists(st.integers(0, 9), max_size=6), min_size=1,
                   max_size=40)


@settings(max_examples=150, deadline=None)
@given(baskets, st.integers(1, 40), st.sampled_from([None, 1, 2, 4]))
def test_matches_brute_force_on_lists_with_duplicates(data, k, max_len):
    min_support = min(k, len(data)) / len(data)
    assert_same_itemsets(apriori(data, min_support, max_len),
                         brute_force(data, min_support, max_len))



@pytest.mark.parametrize("seed", range(8))
def test_matches_mlxtend_on_sparse_generated_data(seed):
    """Bigger sparse baskets: long itemsets, all levels, the bitset path."""
    rng = np.random.default_rng(seed)
    data = generate_transactions(
        int(rng.integers(300, 1500)),
        avg_transaction_len=int(rng.integers(4, 12)),
        avg_pattern_len=int(rng.integers(2, 5)),
        n_items=int(rng.integers(30, 200)),
        n_patterns=int(rng.integers(20, 80)), seed=seed)
    frame = one_hot(data)
    min_support = float(rng.uniform(0.03, 0.08))
    ref = reference(frame, min_support, low_memory=True)
    assert max(map(len, ref)) >= 3
    assert_same_itemsets(apriori(data, min_support), ref)


def test_one_transaction():
    out = apriori([["a", "b", "c"]], 0.5)
    assert out == reference(one_hot([["a", "b", "c"]]), 0.5)
    assert len(out) == 7 and all(v == 1.0 for v in out.values())


def test_empty_transaction_counts_in_the_denominator():
    data = [["a", "b"], [], ["a"], ["a", "b"]]
    frame = one_hot(data)
    assert_same_itemsets(apriori(data, 0.5), reference(frame, 0.5))
    assert apriori(data, 0.5)[frozenset({"a"})] == 0.75
    assert apriori([[], []], 0.5) == {}


def test_no_frequent_item():
    data = [["a"], ["b"], ["c"], ["d"]]
    assert apriori(data, 0.3) == {}
    # 阈值恰好是 1/4：每个商品都频繁；略高于 1/4：一个也没有
    assert apriori(data, 0.25) == {frozenset(x): 0.25 for x in "abcd"}
    assert apriori(data, np.nextafter(0.25, 1)) == {}


@pytest.mark.parametrize("n", [3, 7, 10, 29, 49, 100])
def test_support_exactly_at_the_threshold_is_frequent(n):
    """count / n >= min_support as floats: k / n * n may exceed k by an ulp."""
    for k in range(1, n):
        data = [["a", "b"]] * k + [["b"]] * (n - k)
        at, above = k / n, np.nextafter(k / n, 1)
        assert apriori(data, at) == {frozenset("a"): k / n,
                                     frozenset("b"): 1.0,
                                     frozenset("ab"): k / n}, k
        assert apriori(data, above) == {frozenset("b"): 1.0}, k


def test_min_support_one():
    data = [["a", "b", "c"], ["a", "b"], ["b", "a", "d"]]
    out = apriori(data, 1.0)
    assert out == reference(one_hot(data), 1.0)
    assert set(out) == {frozenset("a"), frozenset("b"), frozenset("ab")}


def test_max_len_one():
    data = generate_transactions(200, n_items=20, n_patterns=5, seed=1)
    out = apriori(data, 0.05, max_len=1)
    assert all(len(k) == 1 for k in out)
    assert_same_itemsets(out, reference(one_hot(data), 0.05, max_len=1))


@pytest.mark.parametrize("items", [
    ["牛奶", "面包", "尿布", "啤酒"],
    [3, 17, 250, 4096],
    [-5, 0, 2**40, 7],
    [2**70, -(2**70), 1, 2],
    [np.int64(1), np.int64(2), np.int64(3), np.int64(4)],
    [1.5, 2.5, 3.0, 4.25],
    [("a", 1), ("b", 2), ("c", 3), ("d", 4)],
    [1, "1", 2.5, None],
])
def test_item_types(items):
    rng = random.Random(0)
    data = [rng.sample(items, rng.randint(0, 4)) for _ in range(40)]
    labels = {i: item for i, item in enumerate(items)}
    # mlxtend 需要可排序的列名：按编号编码后再换回原来的物品
    coded = [[items.index(x) for x in t] for t in data]
    ref = {frozenset(labels[i] for i in k): v
           for k, v in reference(one_hot(coded), 0.1).items()}
    out = apriori(data, 0.1)
    assert_same_itemsets(out, ref)
    for itemset in out:  # 键里是原来的物品本身
        for item in itemset:
            assert any(item == x and type(item) is type(x) or
                       isinstance(x, np.integer) and item == x
                       for x in items)


def test_duplicates_inside_a_transaction_count_once():
    assert apriori([[5, 5]], 1.0) == {frozenset({5}): 1.0}
    assert apriori([["a", "a"]], 1.0) == {frozenset("a"): 1.0}
    data = [["a", "a", "b"], ["b", "b", "b"], [1, 1, "a"]]
    deduped = [sorted(set(t), key=str) for t in data]
    coded = [[str(x) for x in t] for t in deduped]
    ref = {frozenset(int(x) if x == "1" else x for x in k): v
           for k, v in reference(one_hot(coded), 0.3).items()}
    assert_same_itemsets(apriori(data, 0.3), ref)
    assert apriori([[5, 5, 5, 2]], 1.0) == {
        frozenset({5}): 1.0, frozenset({2}): 1.0, frozenset({2, 5}): 1.0}


def test_iterable_inputs():
    data = [["x", "y"], ["y", "z"], ["x", "y", "z"]]
    expected = brute_force(data, 0.5)
    assert apriori(data, 0.5) == expected
    assert apriori((iter(t) for t in data), 0.5) == expected
    assert apriori(tuple(set(t) for t in data), 0.5) == expected



@pytest.mark.parametrize("max_len, error", [(0, ValueError), (-1, ValueError),
                                            (1.5, TypeError),
                                            ("2", TypeError)])
def test_bad_max_len(max_len, error):
    with pytest.raises(error, match="max_len"):
        apriori([["a"]], 0.5, max_len)



# ---------------------------------------------------------------------------
# apriori_trace: every candidate, re-derived from the definition
# ---------------------------------------------------------------------------

def expected_trace(data, min_support, max_len=None):
    """Levels of Apriori by the textbook: join on a common prefix, prune
    candidates with an infrequent (k-1)-subset, count the rest."""
    counts = subset_counts(data)
    n = len(data)
    levels = []
    candidates = [(x,) for x in sorted({x for t in data for x in t})]
    k = 1
    while (k == 1 or candidates) and (max_len is None or k <= max_len):
        level = {}
        for c in candidates:
            pruned = k >= 3 and any(
                counts[frozenset(c[:j] + c[j + 1:])] / n < min_support
                for j in range(k))
            count = 0 if pruned else counts[frozenset(c)]
            level[c] = (pruned, count,
                        not pruned and count / n >= min_support)
        levels.append(level)
        good = sorted(c for c, (_, _, ok) in level.items() if ok)
        if k == 1:
            candidates = [a + b for i, a in enumerate(good)
                          for b in good[i + 1:]]
            candidates = candidates if len(good) >= 2 else []
        else:
            candidates = [a + b[-1:] for i, a in enumerate(good)
                          for b in good[i + 1:] if a[:-1] == b[:-1]]
        k += 1
    return levels


@settings(max_examples=100, deadline=None)
@given(datasets(max_items=8))
def test_trace_matches_the_textbook_levels(case):
    frame, min_support, max_len = case
    data = rows_of(frame)
    items, levels = apriori_trace(data, min_support, max_len)
    assert items == sorted({x for t in data for x in t})
    expected = expected_trace(data, min_support, max_len)
    assert len(levels) == len(expected)
    for k, (level, want) in enumerate(zip(levels, expected), 1):
        assert level["k"] == k and level["candidates"].shape[1] == k
        assert (np.diff(level["candidates"], axis=1) > 0).all()
        got = {tuple(items[i] for i in row): (bool(p), int(c), bool(f))
               for row, p, c, f in zip(level["candidates"], level["pruned"],
                                       level["counts"], level["frequent"])}
        assert len(got) == len(level["candidates"])  # 没有重复的候选
        assert got == want, k


def test_trace_of_a_frame_and_bad_inputs():
    frame = one_hot([["x", "y"], ["y"], ["x", "y", "z"]])
    items, levels = apriori_trace(frame, 0.5)
    assert items == ["x", "y", "z"]
    assert [lv["frequent"].tolist() for lv in levels] == [
        [True, True, False], [True]]
    with pytest.raises(ValueError, match="min_support"):
        apriori_trace(frame, 0)
    with pytest.raises(ValueError, match="max_len"):
        apriori_trace(frame, 0.5, 0)
    with pytest.raises(ValueError, match="no transactions"):
        apriori_trace([], 0.5)


# ---------------------------------------------------------------------------
# item_bitsets: bit t of row i, built one bit at a time
# ---------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abcdefg"), max_size=5),
                min_size=1, max_size=200))
def test_item_bitsets_match_a_bit_by_bit_construction(data):
    items, bits = item_bitsets(data)
    n = len(data)
    assert items == sorted({x for t in data for x in t})
    assert bits.dtype == np.uint64
    assert bits.shape == (len(items), (n + 63) // 64)
    for i, x in enumerate(items):
        want = sum(1 << t for t, row in enumerate(data) if x in row)
        got = sum(int(w) << (64 * j) for j, w in enumerate(bits[i]))
        assert got == want, x


def test_item_bitsets_bad_inputs():
    with pytest.raises(ValueError, match="no transactions"):
        item_bitsets([])
    with pytest.raises(TypeError):
        item_bitsets("abc")
