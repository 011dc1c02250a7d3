"""Apriori level by level: the miner, ``apriori`` and its teaching views.

Single items are counted with ``bincount``, pairs by enumerating the pairs
inside each transaction, longer itemsets by a popcount over the AND of
bitsets (counting.py); candidates are joined and pruned with sorted integer
arrays (candidates.py). ``apriori_trace`` and ``item_bitsets`` expose the
miner's intermediate state that the article shows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from snippets._checks import integer

from .candidates import _join, _prune
from .counting import (_count_candidates, _count_pairs, _count_pairs_dense,
                       _cluster, _item_bitsets, _pair_bitsets)
from .encoding import (_check_min_support, _encode_frame, _encode_iterable,
                       _min_count)


def _mine(n, indptr, codes, n_codes, min_count, max_len, trace=None):
    """Level-wise mining on encoded transactions.

    Returns a list of (items matrix of original codes, counts) per level.
    ``trace`` (a list) receives per-level records for the article.
    """
    counts1 = np.bincount(codes, minlength=n_codes)
    frequent = np.flatnonzero(counts1 >= min_count)
    result = [(frequent[:, None], counts1[frequent])]
    if trace is not None:
        trace.append({"k": 1, "candidates": np.arange(n_codes)[:, None],
                      "pruned": np.zeros(n_codes, bool), "counts": counts1})
    F = len(frequent)
    if F < 2 or max_len == 1:
        return result
    # 只保留频繁商品，重新编号为 0..F-1（保持顺序，行内仍然有序）
    rank = np.full(n_codes, -1, dtype=np.int64)
    rank[frequent] = np.arange(F)
    r = rank[codes]
    keep = r >= 0
    ranks = np.compress(keep, r)  # 比布尔下标 r[keep] 快得多
    sub_indptr = np.r_[0, np.cumsum(keep)][indptr]
    lens = np.diff(sub_indptr)

    n_pairs = int((lens * (lens - 1) // 2).sum())
    if n_pairs > n * F * F / 64 and F <= 4096:  # 稠密数据：矩阵乘法更快
        pair_codes, c2 = _count_pairs_dense(ranks, sub_indptr, F)
    else:
        pair_codes, c2 = _count_pairs(ranks, sub_indptr, F)
    if trace is not None:
        a, b = np.triu_indices(F, 1)
        counts = np.zeros(len(a), np.int64)
        counts[np.searchsorted(a * F + b, pair_codes)] = c2
        trace.append({"k": 2, "candidates": frequent[np.column_stack([a, b])],
                      "pruned": np.zeros(len(a), bool), "counts": counts})
    good = c2 >= min_count
    pair_codes, c2 = pair_codes[good], c2[good]
    a, b = pair_codes // F, pair_codes % F
    # levels[t] = (前缀编号, 末项, 有序编码, 项集矩阵)，商品都用秩表示
    levels = [None, None, (a, b, pair_codes, np.column_stack([a, b]))]
    result.append((frequent[levels[2][3]], c2))

    item_bits = parents = None
    k = 3
    while len(levels[k - 1][0]) > 1 and (max_len is None or k <= max_len):
        cand_parent, cand_last = _join(levels[k - 1][0], levels[k - 1][1], F)
        if cand_parent.size == 0:
            break
        keep = _prune(cand_parent, cand_last, levels, F)
        if trace is not None:
            record = {"k": k, "pruned": ~keep,
                      "counts": np.zeros(len(keep), np.int64),
                      "candidates": frequent[np.column_stack(
                          [levels[k - 1][3][cand_parent], cand_last])]}
            trace.append(record)
        cand_parent, cand_last = cand_parent[keep], cand_last[keep]
        if cand_parent.size == 0:
            break
        prev_items = levels[k - 1][3]
        par_ids, par_items = cand_parent, prev_items
        if item_bits is None:
            # 只为第 3 层候选里出现的商品建位集：更长的候选不会用到别的商品
            needed = np.zeros(F, dtype=bool)
            needed[prev_items[cand_parent]] = True
            needed[cand_last] = True
            rows = ranks, sub_indptr
            if len(cand_parent) * (n // 64) > len(ranks):
                # 候选多时值得先重排事务（顺序不影响计数），让位集更稀疏
                rows = _cluster(ranks, sub_indptr, counts1[frequent])
            item_bits = _item_bitsets(*rows, F, needed)
            # 父位集只为真正当了父项集的配对计算（候选按父编号排好序）
            first = np.r_[True, cand_parent[1:] != cand_parent[:-1]]
            par_ids, par_items = np.cumsum(first) - 1, \
                prev_items[cand_parent[first]]
            parents = _pair_bitsets(item_bits, par_items)
        # 本层频繁项集的位集（稠密或稀疏）就是下一层候选的“父”位集
        cnt, parents = _count_candidates(par_ids, cand_last, item_bits,
                                         par_items, parents, min_count)
        good = cnt >= min_count
        if trace is not None:
            record["counts"][keep] = cnt
        par, last = cand_parent[good], cand_last[good]
        items = np.column_stack([prev_items[par], last])
        levels.append((par, last, par * F + last, items))
        result.append((frequent[items], cnt[good]))
        k += 1
    return result



# --8<-- [start:apriori]
def apriori(transactions, min_support, max_len=None):
    """Every itemset whose support is at least ``min_support``.

    transactions: an iterable of iterables of hashable items (duplicates
    in a transaction count once) or a one-hot DataFrame whose columns are
    the items, holding True/False or 1/0 (dense or sparse, as mlxtend).
    Returns {frozenset(itemset): support}, level by level.
    """
    min_support = _check_min_support(min_support)
    max_len = integer(max_len, "max_len", 1, optional=True)
    if isinstance(transactions, pd.DataFrame):
        n, indptr, codes, items = _encode_frame(transactions)
    else:
        n, indptr, codes, items = _encode_iterable(transactions)
    levels = _mine(n, indptr, codes, len(items), _min_count(min_support, n),
                   max_len)
    return _to_dict(levels, items, n)
# --8<-- [end:apriori]


def _to_dict(levels, items, n):
    """Levels of code matrices -> {frozenset(items): support}."""
    out = {}
    lookup = None
    if items and all(type(x) is int for x in items):
        try:
            lookup = np.array(items, dtype=np.int64)
        except OverflowError:
            pass
    if lookup is None:
        lookup = np.fromiter(items, dtype=object, count=len(items))
    for matrix, counts in levels:
        if len(counts):
            keys = map(frozenset, lookup[matrix].tolist())
            out.update(zip(keys, (counts / n).tolist()))
    return out



def _encode(transactions):
    if isinstance(transactions, pd.DataFrame):
        return _encode_frame(transactions)
    return _encode_iterable(transactions)


def apriori_trace(transactions, min_support, max_len=None):
    """Every candidate the miner examines, level by level (for teaching).

    Same arguments and checks as ``apriori``. Returns (items, levels):
    ``items`` lists the distinct items (sorted when they can be), and
    ``levels[k - 1]`` describes level k: "k", then arrays with one entry
    per candidate: "candidates" (m x k indices into items, ascending in
    each row), "pruned" (dropped before counting: a (k-1)-subset is not
    frequent), "counts" (support counts, 0 where pruned) and "frequent".
    Level 1 lists every item, level 2 every pair of frequent items.
    """
    min_support = _check_min_support(min_support)
    max_len = integer(max_len, "max_len", 1, optional=True)
    n, indptr, codes, items = _encode(transactions)
    min_count = _min_count(min_support, n)
    levels = []
    _mine(n, indptr, codes, len(items), min_count, max_len, levels)
    for level in levels:
        level["frequent"] = ~level["pruned"] & (level["counts"] >= min_count)
    return items, levels


def item_bitsets(transactions):
    """The bitset of every item, as the miner packs them (for teaching).

    Same transactions as ``apriori``. Returns (items, bits): ``bits`` is a
    len(items) x ceil(n / 64) uint64 array in which bit t % 64 of word
    t // 64 of row i is set iff transaction t holds items[i].
    """
    n, indptr, codes, items = _encode(transactions)
    every = np.ones(len(items), dtype=bool)
    return items, _item_bitsets(codes, indptr, len(items), every)
