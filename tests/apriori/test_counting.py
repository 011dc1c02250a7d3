"""snippets/apriori/counting.py: every counting path gives mlxtend's result.

Tiny memory budgets force the chunked paths; the miner picks dense
(matrix product) or sparse (pairs inside transactions) pair counting, and
stores each parent bitset dense or as its nonzero words (SPARSE_FRACTION).
"""

from unittest import mock

import fim
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apriori.reference import assert_same_itemsets, one_hot, reference
from snippets.apriori import apriori, core, counting, generate_transactions


@pytest.mark.parametrize("setting", ["tiny_chunks", "no_bitset_cache",
                                     "sorted_pair_counts", "all_dense",
                                     "all_sparse", "tiny_sparse_chunks"])
def test_memory_bounded_paths_match_mlxtend(monkeypatch, setting):
    """The chunked code paths (forced with tiny budgets) give the same result."""
    if setting == "tiny_chunks":
        monkeypatch.setattr(counting, "CHUNK_BYTES", 4096)
    elif setting == "all_dense":  # 每个父位集都按整行存
        monkeypatch.setattr(counting, "SPARSE_FRACTION", 0)
    elif setting == "all_sparse":  # 每个父位集都只存非零字
        monkeypatch.setattr(counting, "SPARSE_FRACTION", 2)
    elif setting == "tiny_sparse_chunks":
        monkeypatch.setattr(counting, "SPARSE_FRACTION", 2)
        monkeypatch.setattr(counting, "SPARSE_WORDS", 1)
    elif setting == "no_bitset_cache":
        monkeypatch.setattr(counting, "BITSET_CACHE_BYTES", 0)
    else:  # F*F 个计数器超出预算：改为排序计数
        monkeypatch.setattr(counting, "CHUNK_BYTES", 64)
    data = generate_transactions(1500, avg_transaction_len=8, n_items=120,
                                 n_patterns=30, seed=11)
    ref = reference(one_hot(data), 0.02, low_memory=True)
    assert max(map(len, ref)) >= 4
    assert_same_itemsets(apriori(data, 0.02), ref)


def test_dense_and_sparse_pair_counting_agree_with_mlxtend(monkeypatch):
    calls = []
    for name in ("_count_pairs", "_count_pairs_dense"):
        real = getattr(core, name)
        monkeypatch.setattr(core, name, lambda *a, _f=real, _n=name:
                            calls.append(_n) or _f(*a))
    rng = np.random.default_rng(3)
    dense = pd.DataFrame(rng.random((300, 15)) < 0.6,
                         columns=[f"c{j}" for j in range(15)])
    assert_same_itemsets(apriori(dense, 0.2), reference(dense, 0.2))
    assert calls == ["_count_pairs_dense"]  # 稠密：矩阵乘法
    sparse = pd.DataFrame(rng.random((300, 40)) < 0.08,
                          columns=[f"c{j}" for j in range(40)])
    assert_same_itemsets(apriori(sparse, 0.01), reference(sparse, 0.01))
    assert calls[1:] == ["_count_pairs"]  # 稀疏：枚举事务内的配对


def fim_itemsets(transactions, min_support):
    """pyfim's apriori as {frozenset: support}, minus support-1 itemsets."""
    n = len(transactions)
    out = fim.apriori(transactions, supp=100 * min_support, zmin=1,
                      report="a")
    return {frozenset(items): count / n for items, count in out}


@st.composite
def sparse_baskets(draw):
    """Many short transactions over few items: sparse bitsets of many words."""
    n = draw(st.integers(65, 3000))
    m = draw(st.integers(3, 25))
    density = draw(st.sampled_from([0.01, 0.05, 0.15, 0.3, 0.6]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # 少数几个“模式”让长项集也频繁
    patterns = [rng.choice(m, size=min(m, draw(st.integers(2, 6))),
                           replace=False) for _ in range(3)]
    rows = []
    for t in range(n):
        row = set(np.flatnonzero(rng.random(m) < density).tolist())
        if rng.random() < 0.2:
            row |= set(patterns[int(rng.integers(3))].tolist())
        rows.append(sorted(row))
    min_support = draw(st.integers(1, max(1, n // 20))) / n
    return rows, min_support


@settings(max_examples=60, deadline=None)
@given(sparse_baskets(), st.sampled_from([0, 0.05, 0.5, 0.9, 2]),
       st.sampled_from([1, 7, 1 << 16]), st.booleans())
def test_dense_and_sparse_parent_bitsets_match_pyfim(case, fraction, words,
                                                     tiny_cache):
    """Low supports on sparse data, whichever parents are stored sparse.

    fraction 0 keeps every bitset dense, 2 stores every one sparse; in
    between, the switch depends on each parent's density. Small
    SPARSE_WORDS forces the chunk loop of the sparse path, a tiny cache
    drops the stored bitsets part-way (rebuilt from the items).
    """
    rows, min_support = case
    with mock.patch.object(counting, "SPARSE_FRACTION", fraction), \
            mock.patch.object(counting, "SPARSE_WORDS", words), \
            mock.patch.object(counting, "BITSET_CACHE_BYTES",
                              4096 if tiny_cache else 1 << 28):
        ours = apriori(rows, min_support)
    ref = fim_itemsets(rows, min_support)
    assert_same_itemsets({s: v for s, v in ours.items() if v < 1}, ref)


def expand(bitsets, W):
    """The dense m x W matrix of a Bitsets, for checking."""
    m = len(bitsets.row)
    out = np.zeros((m, W), dtype=np.uint64)
    dense = bitsets.row >= 0
    out[dense] = bitsets.dense[bitsets.row[dense]]
    for i in np.flatnonzero(~dense):
        seg = slice(bitsets.start[i], bitsets.start[i] + bitsets.size[i])
        assert (bitsets.val[seg] != 0).all()  # 只存非零字
        assert (np.diff(bitsets.idx[seg]) > 0).all()  # 字的下标递增
        out[i, bitsets.idx[seg]] = bitsets.val[seg]
    return out


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 12), st.integers(2, 10), st.integers(0, 2**32 - 1),
       st.sampled_from([0, 0.25, 0.5, 2]), st.integers(0, 40))
def test_count_candidates_against_plain_popcount(W, F, seed, fraction,
                                                 min_count):
    """Counts and kept bitsets equal a direct AND + popcount, for parents
    stored dense, sparse or mixed (density right at the switch included)."""
    rng = np.random.default_rng(seed)
    # 每个字以不同概率为零：非零字的比例散布在切换点两侧
    item_bits = rng.integers(0, 2**64, size=(F, W), dtype=np.uint64)
    item_bits[rng.random((F, W)) < rng.random((F, 1))] = 0
    pairs = np.array([(a, b) for a in range(F) for b in range(a + 1, F)])
    with mock.patch.object(counting, "SPARSE_FRACTION", fraction):
        bits = counting._pair_bitsets(item_bits, pairs)
        want = item_bits[pairs[:, 0]] & item_bits[pairs[:, 1]]
        assert np.array_equal(expand(bits, W), want)
        # 恰好在切换点上（非零字 = fraction * W）的位集存成稠密
        nonzero = np.count_nonzero(want, axis=1)
        assert np.array_equal(bits.row < 0, nonzero < fraction * W)
        cand_parent = rng.integers(0, len(pairs), size=30)
        cand_last = rng.integers(0, F, size=30)
        counts, kept = counting._count_candidates(
            cand_parent, cand_last, item_bits, pairs, bits, min_count)
    x = want[cand_parent] & item_bits[cand_last]
    assert np.array_equal(counts, np.bitwise_count(x).sum(axis=1))
    assert np.array_equal(expand(kept, W), x[counts >= min_count])


@pytest.mark.parametrize("seed", range(4))
def test_cluster_permutes_whole_transactions(seed):
    rng = np.random.default_rng(seed)
    lens = rng.integers(0, 6, size=200)
    indptr = np.r_[0, np.cumsum(lens)]
    ranks = np.concatenate([np.sort(rng.choice(30, size=k, replace=False))
                            for k in lens])
    new_ranks, new_indptr = counting._cluster(
        ranks, indptr, np.bincount(ranks, minlength=30))
    rows = lambda r, p: sorted(tuple(r[p[i]:p[i + 1]])
                               for i in range(len(p) - 1))
    assert rows(new_ranks, new_indptr) == rows(ranks, indptr)


def test_low_support_on_generated_data_uses_clustered_sparse_bitsets(
        monkeypatch):
    """Enough level-3 candidates: transactions reordered, parents sparse."""
    calls = []
    real = core._cluster
    monkeypatch.setattr(core, "_cluster",
                        lambda *a: calls.append(1) or real(*a))
    data = generate_transactions(6000, avg_transaction_len=8, n_items=300,
                                 n_patterns=60, seed=2)
    for min_support in (0.004, 0.002):
        ours = apriori(data, min_support)
        assert max(map(len, ours)) >= 5
        assert_same_itemsets(ours, fim_itemsets(data, min_support))
    assert calls
