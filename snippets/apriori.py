"""用 NumPy 实现高效的 Apriori 算法
文章：docs/blog/posts/2026-11-24-apriori-numpy.md

Frequent itemsets and association rules with NumPy. ``apriori`` mines every
itemset whose support reaches ``min_support``, level by level: single items
are counted with ``bincount``, pairs by enumerating the pairs inside each
transaction (one ``bincount`` over integer pair codes), and longer itemsets
by a popcount over the AND of bitsets packed into ``uint64`` words (one bit
per transaction), in chunks that keep memory bounded. Candidates are
generated with sorted integer arrays: every frequent itemset is stored as
(id of its prefix, last item), so joining and pruning are ``searchsorted``
calls. ``association_rules`` derives rules with support, confidence, lift and
mlxtend's other metrics (leverage, conviction, Zhang's metric, ...), and
``generate_transactions`` is the synthetic data generator of Agrawal &
Srikant (1994). The ``show_*``/``plot_*`` functions build the article's
tables and figures.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Iterable, Mapping
from itertools import chain, combinations
from pathlib import Path

import numpy as np
import pandas as pd

from snippets._checks import integer

# 一个数据块（位集、配对编码等临时数组）最多占用的字节数
CHUNK_BYTES = 1 << 25
# 缓存上一层频繁项集位集的上限：超过时改为逐块重新计算
BITSET_CACHE_BYTES = 1 << 28
BENCHMARK_RESULTS = "benchmarks/results/apriori.json"
# 损坏程度的上限：c = 1 的模式会丢光所有商品，事务永远填不满
MAX_CORRUPTION = 0.95


# ---------------------------------------------------------------------------
# Input validation and encoding
# ---------------------------------------------------------------------------

def _check_min_support(min_support):
    if isinstance(min_support, bool) or not isinstance(min_support, numbers.Real):
        raise TypeError("min_support must be a real number in (0, 1], "
                        f"got {type(min_support).__name__}")
    if not (0.0 < float(min_support) <= 1.0):
        raise ValueError(f"min_support must lie in (0, 1], got {min_support!r}")
    return float(min_support)


def _min_count(min_support, n):
    """Smallest count c with c / n >= min_support (the float comparison)."""
    c = max(1, math.ceil(min_support * n))
    while c > 1 and (c - 1) / n >= min_support:
        c -= 1
    while c / n < min_support:
        c += 1
    return c


def _is_zero_or_one(value):
    """True/False or a real number equal to 0 or 1 (mlxtend's rule)."""
    if isinstance(value, (bool, np.bool_)):
        return True
    return isinstance(value, numbers.Real) and value in (0, 1)


def _check_one_hot_column(name, column):
    """Raise ValueError unless a column holds only True/False or 1/0.

    Accepted, as by mlxtend: bool, integer and float columns, object
    columns of bools and numbers, pandas' nullable boolean/Int/Float
    columns, and sparse versions of these. Missing values (NaN, pd.NA)
    and any other value, such as a count of 2, are refused; so are
    strings, categories, dates and complex numbers.
    """
    def fail(what):
        raise ValueError(f"column {name!r} {what}: a one-hot DataFrame "
                         "must hold only True/False or 1/0")

    dtype = column.dtype
    if isinstance(dtype, pd.SparseDtype):
        # 稀疏列：检查存储的值；有空位时填充值也算数据
        values = np.asarray(column.sparse.sp_values)
        if column.sparse.npoints < len(column):
            values = np.r_[values, np.asarray([dtype.fill_value],
                                              dtype=values.dtype)]
        kind = dtype.subtype.kind
    elif isinstance(dtype, np.dtype):
        values, kind = column.to_numpy(), dtype.kind
    else:  # pandas 的扩展类型：只接受可空的 boolean、Int、Float
        kind = dtype.kind if dtype.kind in "biuf" else "?"
        if kind != "?":
            if column.isna().any():
                fail("has missing values (pd.NA)")
            values = column.to_numpy(dtype=np.float64)
    if kind not in "biufO":
        fail(f"has dtype {dtype}")
    if kind == "b":
        return
    if kind == "O":
        bad = [v for v in values if not _is_zero_or_one(v)]
        if bad:
            missing = pd.api.types.is_scalar(bad[0]) and pd.isna(bad[0])
            fail("has missing values (NaN)" if missing
                 else f"holds {bad[0]!r}")
        return
    if kind == "f" and np.isnan(values).any():
        fail("has missing values (NaN)")
    bad = (values != 0) & (values != 1)
    if bad.any():
        fail(f"holds {values[bad][0].item()!r}")


def _encode_frame(df):
    """One-hot DataFrame -> (n, indptr, codes, items).

    The columns are the items; each must hold only True/False or 1/0
    (see ``_check_one_hot_column``), dense or sparse.
    """
    if df.shape[0] == 0:
        raise ValueError("no transactions: the DataFrame has no rows")
    if df.columns.has_duplicates:
        dup = df.columns[df.columns.duplicated()][0]
        raise ValueError(f"duplicate column {dup!r}: columns are the items")
    dtypes = list(df.dtypes)
    if not all(dt == np.bool_ for dt in dtypes):
        for j, name in enumerate(df.columns):
            _check_one_hot_column(name, df.iloc[:, j])
    sparse = [isinstance(dt, pd.SparseDtype) for dt in dtypes]
    if sparse and all(sparse) and all(
            not dt.fill_value for dt in dtypes):
        # 全部是以 0/False 填充的稀疏列：直接取 CSR，不展开成稠密矩阵
        csr = df.sparse.to_coo().tocsr()
        csr.sum_duplicates()
        csr.sort_indices()
        csr.eliminate_zeros()
        indptr = csr.indptr.astype(np.int64)
        codes = csr.indices.astype(np.int64)
    else:
        if any(sparse) or not all(dt == np.bool_ for dt in dtypes):
            matrix = np.empty(df.shape, dtype=bool)
            for j in range(df.shape[1]):
                matrix[:, j] = df.iloc[:, j].to_numpy(dtype=bool)
        else:
            matrix = df.to_numpy(dtype=bool)
        rows, codes = np.nonzero(matrix)  # 按行主序，行内有序
        indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=len(df)))]
    return df.shape[0], indptr, codes, list(df.columns)


def _as_row(t):
    if isinstance(t, (list, tuple, set, frozenset)):
        return t
    if isinstance(t, (str, bytes)) or not isinstance(t, Iterable):
        raise TypeError("each transaction must be an iterable of items "
                        f"(a list, tuple or set), got {t!r}")
    return tuple(t)


def _encode_iterable(transactions):
    """Iterable of iterables -> (n, indptr, codes, items), rows sorted/unique."""
    if isinstance(transactions, (str, bytes)) or not isinstance(
            transactions, Iterable):
        raise TypeError("transactions must be an iterable of iterables of "
                        "items or a one-hot pandas DataFrame, got "
                        f"{type(transactions).__name__}")
    if isinstance(transactions, np.ndarray) and transactions.dtype == bool:
        # 否则每一行会被当成商品 True/False 的集合，结果悄悄出错
        raise TypeError("a boolean array looks like a one-hot matrix: pass "
                        "it as a pandas DataFrame whose columns name the "
                        "items")
    rows = transactions if isinstance(transactions, list) \
        else list(transactions)
    if not set(map(type, rows)) <= {list, tuple, set, frozenset}:
        rows = [_as_row(t) for t in rows]
    n = len(rows)
    if n == 0:
        raise ValueError("no transactions: the input is empty")
    lens = np.fromiter(map(len, rows), dtype=np.int64, count=n)
    flat = list(chain.from_iterable(rows))
    codes = values = None
    if flat and isinstance(flat[0], (int, np.integer)):
        try:
            values = np.array(flat)
        except (ValueError, TypeError):
            pass
    if values is not None and values.ndim == 1 and values.dtype.kind == "i":
        # 全是整数：用数组运算编码，不必逐个查字典
        lo, hi = int(values.min()), int(values.max())
        if lo >= 0 and hi < 4 * len(flat) + 1024:
            present = np.bincount(values, minlength=hi + 1) > 0
            uniq = np.flatnonzero(present)
            codes = (np.cumsum(present) - 1)[values]
        else:
            uniq, codes = np.unique(values, return_inverse=True)
        items = uniq.tolist()
    if codes is None:
        mapping = {}
        try:
            codes = np.fromiter(
                (mapping.setdefault(x, len(mapping)) for x in flat),
                dtype=np.int64, count=len(flat))
        except TypeError as exc:
            raise TypeError(f"items must be hashable: {exc}") from None
        items = list(mapping)
        try:  # 能排序就按商品本身排序，输出顺序更自然
            order = sorted(range(len(items)), key=items.__getitem__)
        except TypeError:
            order = None
        if order is not None:
            new_code = np.empty(len(items), dtype=np.int64)
            new_code[order] = np.arange(len(items))
            codes = new_code[codes]
            items = [items[i] for i in order]
    # 每行内排序并去重：重复出现的商品只算一次
    n_codes = max(len(items), 1)
    key = np.repeat(np.arange(n, dtype=np.int64), lens) * n_codes + codes
    if key.size > 1 and not (key[1:] > key[:-1]).all():
        key = _unique(key)
        row = key // n_codes
        codes = key - row * n_codes
        lens = np.bincount(row, minlength=n)
    return n, np.r_[0, np.cumsum(lens)], codes, items


# ---------------------------------------------------------------------------
# The miner
# ---------------------------------------------------------------------------

# --8<-- [start:count_pairs]
def _count_pairs(ranks, indptr, n_frequent):
    """Support counts of the pairs of frequent items that occur at all.

    ranks: item ranks (0..F-1) of every transaction, sorted inside each
    row; indptr: row boundaries. Rows of equal length L form an n_L x L
    matrix; its columns i < j give every pair (a, b), coded as the integer
    a * F + b, and one bincount counts a whole batch of codes.
    Returns (sorted pair codes, counts).
    """
    F = n_frequent
    lens = np.diff(indptr)
    order = np.argsort(lens, kind="stable")  # 按长度分组
    group_start = np.searchsorted(lens[order], np.arange(lens.max() + 2))
    direct = F * F * 8 <= 4 * CHUNK_BYTES
    counts = np.zeros(F * F if direct else 0, dtype=np.int64)
    found, batch, size = [], [], 0
    budget = CHUNK_BYTES // 8  # 一批最多这么多个配对编码：内存有上界
    for L in range(2, len(group_start) - 1):
        rows = order[group_start[L]:group_start[L + 1]]
        first, second = np.triu_indices(L, 1)
        step = max(1, budget // len(first))
        for lo in range(0, len(rows), step):
            m = ranks[indptr[rows[lo:lo + step], None] + np.arange(L)]
            batch.append(((m * F)[:, first] + m[:, second]).ravel())
            size += batch[-1].size
            if size >= budget:
                _flush(batch, counts, found, direct)
                size = 0
    _flush(batch, counts, found, direct)
    if direct:
        codes = np.flatnonzero(counts)
        return codes, counts[codes]
    return _merge_counts(found)
# --8<-- [end:count_pairs]


def _flush(batch, counts, found, direct):
    if batch:
        codes = np.concatenate(batch)
        batch.clear()
        if direct:
            counts += np.bincount(codes, minlength=len(counts))
        else:  # F 很大时放不下 F*F 个计数器：排序后只数出现过的配对
            found.append(_unique(codes, counts=True))


def _merge_counts(parts):
    if not parts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    codes = np.concatenate([c for c, _ in parts])
    counts = np.concatenate([n for _, n in parts])
    order = np.argsort(codes, kind="stable")
    codes, counts = codes[order], counts[order]
    start = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    return codes[start], np.add.reduceat(counts, start)


def _unique(a, counts=False):
    """Sorted unique values (and counts) by sorting: no hashing."""
    a = np.sort(a)
    start = np.flatnonzero(np.r_[True, a[1:] != a[:-1]]) if a.size else \
        np.empty(0, np.int64)
    if counts:
        return a[start], np.diff(np.r_[start, a.size])
    return a[start]


def _count_pairs_dense(ranks, indptr, n_frequent):
    """Pair counts as X^T X of the 0/1 matrix (for dense data)."""
    F = n_frequent
    n = len(indptr) - 1
    counts = np.zeros((F, F), dtype=np.int64)
    step = max(1, min(1 << 16, CHUNK_BYTES // (4 * F)))
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        x = np.zeros((hi - lo, F), dtype=np.float32)
        row = np.repeat(np.arange(hi - lo), np.diff(indptr[lo:hi + 1]))
        x[row, ranks[indptr[lo]:indptr[hi]]] = 1.0
        # 每块不超过 2^16 行：float32 能精确表示这些计数
        counts += (x.T @ x).astype(np.int64)
    a, b = np.triu_indices(F, 1)
    codes = a * F + b
    keep = counts[a, b] > 0
    return codes[keep], counts[a, b][keep]


# --8<-- [start:item_bitsets]
def _item_bitsets(ranks, indptr, n_frequent, needed):
    """F x W uint64 matrix: bit t of row i is set iff transaction t has i.

    Transaction t is bit t % 64 of word t // 64. Only the rows of items
    in ``needed`` (a boolean mask) are filled; the others stay zero.
    """
    n = len(indptr) - 1
    W = (n + 63) // 64
    row = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    sel = needed[ranks]
    row, item = row[sel], ranks[sel]
    bits = np.zeros(n_frequent * W, dtype=np.uint64)
    np.bitwise_or.at(bits, item * W + (row >> 6),
                     np.left_shift(np.uint64(1), (row & 63).astype(np.uint64)))
    return bits.reshape(n_frequent, W)
# --8<-- [end:item_bitsets]


# --8<-- [start:join_prune]
def _join(parent, last, F):
    """Join step: itemsets with the same prefix id pair up.

    Level k-1 is sorted by (parent, last). Rows i < j in one run of equal
    parent give the candidate (items of i) + last[j]; the candidate is
    stored as (id i, last[j]) and returned sorted, i.e. lexicographically.
    """
    m = len(parent)
    run_start = np.flatnonzero(np.r_[True, parent[1:] != parent[:-1]])
    run_end = np.r_[run_start[1:], m]
    later = np.repeat(run_end, np.diff(np.r_[run_start, m])) \
        - np.arange(m) - 1
    active = np.flatnonzero(later > 0)
    codes = []
    gap = 1
    while active.size:
        codes.append(active * F + last[active + gap])
        gap += 1
        active = active[later[active] >= gap]
    if not codes:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    code = np.sort(np.concatenate(codes))
    return code // F, code % F


def _lookup(level_codes, ids, items, F):
    """Ids of (itemset ids) + items in the next level, or -1 if absent."""
    code = ids * F + items
    pos = np.searchsorted(level_codes, code)
    pos = np.minimum(pos, len(level_codes) - 1)
    return np.where(level_codes[pos] == code, pos, -1)


def _prune(cand_parent, cand_last, levels, F):
    """Keep candidates whose every (k-1)-subset is frequent.

    levels[t] = (parent, last, codes, items) for t >= 2. Dropping item j
    of candidate c (j <= k-3; the two last drops give its two parents,
    frequent by construction) leaves c[:j] + c[j+1:]; its id is found by
    walking the prefix tree: start at the id of c[:j], then append
    c[j+1], c[j+2], ... with one searchsorted per step.
    """
    k = len(levels)  # 候选项集的长度：levels 存到 k-1 层
    items = np.column_stack([levels[k - 1][3][cand_parent], cand_last])
    # prefix[t] = c[:t] 在第 t 层中的编号
    prefix = {k - 1: cand_parent}
    for t in range(k - 1, 1, -1):
        prefix[t - 1] = levels[t][0][prefix[t]]
    keep = np.ones(len(cand_parent), dtype=bool)
    for j in range(k - 2):
        ids = items[:, 1] if j == 0 else prefix[j]
        size = 1 if j == 0 else j
        for col in range(j + 2 if j == 0 else j + 1, k):
            found = _lookup(levels[size + 1][2], np.maximum(ids, 0),
                            items[:, col], F)
            ids = np.where(ids >= 0, found, -1)
            size += 1
        keep &= ids >= 0
    return keep
# --8<-- [end:join_prune]


# --8<-- [start:count_bitsets]
def _count_candidates(cand_parent, cand_last, item_bits, parent_items,
                      parent_bits, min_count, keep_bits):
    """Support counts of the candidates (parent itemset) + (last item).

    count = popcount(bits(parent) AND bits(last item)), in chunks of rows
    so that the temporaries stay below CHUNK_BYTES. parent_bits caches the
    previous level's bitsets; without it (None) the parents' bitsets are
    rebuilt in each chunk from their items. With keep_bits, also returns
    the bitsets of the frequent candidates (the next level's parents), or
    None once they would exceed BITSET_CACHE_BYTES.
    """
    W = item_bits.shape[1]
    counts = np.empty(len(cand_parent), dtype=np.int64)
    kept, kept_bytes = ([], 0) if keep_bits else (None, 0)
    step = max(1, CHUNK_BYTES // (8 * W))
    for lo in range(0, len(cand_parent), step):
        par = cand_parent[lo:lo + step]
        if parent_bits is not None:
            x = parent_bits[par]
        else:
            x = item_bits[parent_items[par, 0]]
            for col in range(1, parent_items.shape[1]):
                x &= item_bits[parent_items[par, col]]
        x &= item_bits[cand_last[lo:lo + step]]
        c = np.bitwise_count(x).sum(axis=1)
        counts[lo:lo + step] = c
        if kept is not None:
            kept.append(x[c >= min_count])
            kept_bytes += kept[-1].nbytes
            if kept_bytes > BITSET_CACHE_BYTES:
                kept = None  # 缓存太大：下一层改为逐块重算父位集
    return counts, kept
# --8<-- [end:count_bitsets]


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
    row = np.repeat(np.arange(n), np.diff(indptr))
    ranks = r[keep]
    lens = np.bincount(row[keep], minlength=n)
    sub_indptr = np.r_[0, np.cumsum(lens)]

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

    item_bits = parent_bits = None
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
        if item_bits is None:
            needed = np.zeros(F, dtype=bool)
            needed[prev_items] = True  # 更长的候选只会用到第 2 层出现过的商品
            item_bits = _item_bitsets(ranks, sub_indptr, F, needed)
            W = item_bits.shape[1]
            if len(prev_items) * W * 8 <= BITSET_CACHE_BYTES:
                parent_bits = item_bits[prev_items[:, 0]]
                parent_bits &= item_bits[prev_items[:, 1]]
        cnt, kept = _count_candidates(
            cand_parent, cand_last, item_bits, prev_items, parent_bits,
            min_count, keep_bits=True)
        good = cnt >= min_count
        if trace is not None:
            record["counts"][keep] = cnt
        par, last = cand_parent[good], cand_last[good]
        items = np.column_stack([prev_items[par], last])
        levels.append((par, last, par * F + last, items))
        result.append((frequent[items], cnt[good]))
        # 本层频繁项集的位集就是下一层候选的“父”位集
        parent_bits = np.concatenate(kept) if kept else None
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


# ---------------------------------------------------------------------------
# Association rules
# ---------------------------------------------------------------------------

# mlxtend 的规则指标：列名和顺序都相同。默认返回六个标准指标
METRICS = ("antecedent support", "consequent support", "support",
           "confidence", "lift", "representativity", "leverage",
           "conviction", "zhangs_metric", "jaccard", "certainty",
           "kulczynski")
DEFAULT_METRICS = ("support", "confidence", "lift", "leverage", "conviction",
                   "zhangs_metric")


def _check_frequent(frequent, min_confidence):
    if not isinstance(frequent, Mapping):
        raise TypeError("frequent must be a dict {frozenset: support} as "
                        f"returned by apriori, got {type(frequent).__name__}")
    if isinstance(min_confidence, bool) or not isinstance(
            min_confidence, numbers.Real):
        raise TypeError("min_confidence must be a real number in [0, 1], "
                        f"got {type(min_confidence).__name__}")
    if not 0 <= min_confidence <= 1:
        raise ValueError(
            f"min_confidence must lie in [0, 1], got {min_confidence!r}")
    for itemset, support in frequent.items():
        if not isinstance(itemset, frozenset):
            raise TypeError("the keys of frequent must be frozensets, "
                            f"got {itemset!r}")
        if not itemset:
            raise ValueError("the keys of frequent must be non-empty "
                             "frozensets, got frozenset()")
        if isinstance(support, bool) or not isinstance(support,
                                                       numbers.Real):
            raise TypeError(f"the support of {set(itemset)} must be a real "
                            f"number, got {support!r}")
        if not 0 < support <= 1:
            raise ValueError(f"the support of {set(itemset)} must lie in "
                             f"(0, 1], got {support!r}")


def _check_metrics(return_metrics):
    if isinstance(return_metrics, str):
        if return_metrics == "all":
            return METRICS
        raise TypeError("return_metrics must be 'all' or a list of metric "
                        f"names, got the string {return_metrics!r}")
    if not isinstance(return_metrics, (list, tuple)):
        raise TypeError("return_metrics must be 'all' or a list of metric "
                        f"names, got {type(return_metrics).__name__}")
    for name in return_metrics:
        if name not in METRICS:
            raise ValueError(f"unknown metric {name!r}; choose from "
                             f"{METRICS}")
    if len(set(return_metrics)) < len(return_metrics):
        raise ValueError(f"return_metrics repeats a metric: "
                         f"{list(return_metrics)}")
    return tuple(return_metrics)


def _subset_support(frequent, subset, itemset):
    try:
        return frequent[subset]
    except KeyError:
        raise ValueError(
            f"{set(subset)} is missing: the frequent itemsets must include "
            f"every subset of each itemset (here of {set(itemset)})") from None


def _item_key(item):
    return (type(item).__name__, item)


def _itemset_key(itemset):
    """A total order on itemsets: by size, then by their sorted items."""
    try:
        return (len(itemset), sorted(map(_item_key, itemset)))
    except TypeError:  # 无法比较的商品：退而按 repr 排序
        return (len(itemset), sorted(map(repr, itemset)))


# --8<-- [start:rule_metrics]
def rule_metrics(s_ac, s_a, s_c):
    """mlxtend's metrics of rules A -> C from s(A u C), s(A) and s(C)."""
    conf = s_ac / s_a
    leverage = s_ac - s_a * s_c
    with np.errstate(divide="ignore", invalid="ignore"):
        # 置信度为 1 的规则从不出错：conviction 取 inf（与 mlxtend 相同）
        conviction = np.where(conf < 1, (1 - s_c) / (1 - conf), np.inf)
        # 分母只在 s(A) = 1 且 s(C) = s(A ∪ C) 时为 0：0/0 取 0
        den = np.maximum(s_ac * (1 - s_a), s_a * (s_c - s_ac))
        zhang = np.where(den == 0, 0.0, leverage / den)
        certainty = np.where(s_c == 1, 0.0, (conf - s_c) / (1 - s_c))
    return {
        "antecedent support": s_a, "consequent support": s_c,
        "support": s_ac, "confidence": conf, "lift": conf / s_c,
        "representativity": np.ones_like(s_ac), "leverage": leverage,
        "conviction": conviction, "zhangs_metric": zhang,
        "jaccard": s_ac / (s_a + s_c - s_ac), "certainty": certainty,
        "kulczynski": (conf + s_ac / s_c) / 2,
    }
# --8<-- [end:rule_metrics]


# --8<-- [start:association_rules]
def association_rules(frequent, min_confidence=0.5,
                      return_metrics=DEFAULT_METRICS):
    """Rules A -> C from the frequent itemsets, with confidence >= min.

    For every frequent itemset I and every non-empty proper subset A:
    C = I - A, support = s(I), confidence = s(I) / s(A) and
    lift = confidence / s(C). return_metrics names the columns (mlxtend's
    names, see METRICS) or is "all". Rows are sorted by confidence, lift
    and support (descending), then by antecedent and consequent.

    If a subset of some itemset is missing from ``frequent``, ValueError
    is raised, whatever min_confidence: the argument itself is malformed
    (not a lookup the caller asked for), so it fails like every other bad
    input here. mlxtend raises KeyError for the same input.
    """
    _check_frequent(frequent, min_confidence)
    metrics = _check_metrics(return_metrics)
    rows = []
    for itemset, support in frequent.items():
        for size in range(1, len(itemset)):
            for antecedent in map(frozenset, combinations(itemset, size)):
                consequent = itemset - antecedent
                s_a = _subset_support(frequent, antecedent, itemset)
                s_c = _subset_support(frequent, consequent, itemset)
                confidence = support / s_a
                if confidence >= min_confidence:
                    rows.append((antecedent, consequent, support, s_a, s_c,
                                 confidence, confidence / s_c))
    rows.sort(key=lambda r: (-r[5], -r[6], -r[2],
                             _itemset_key(r[0]), _itemset_key(r[1])))
    s_ac, s_a, s_c = (np.array([r[k] for r in rows], dtype=float)
                      for k in (2, 3, 4))
    values = rule_metrics(s_ac, s_a, s_c)
    rules = pd.DataFrame({"antecedents": [r[0] for r in rows],
                          "consequents": [r[1] for r in rows]},
                         dtype=object)
    for name in metrics:
        rules[name] = values[name]
    return rules
# --8<-- [end:association_rules]


# ---------------------------------------------------------------------------
# Synthetic data: Agrawal & Srikant (1994)
# ---------------------------------------------------------------------------

# --8<-- [start:generate_transactions]
def generate_transactions(n_transactions, avg_transaction_len=10,
                          avg_pattern_len=4, n_items=1000, n_patterns=2000,
                          correlation=0.5, corruption_mean=0.5,
                          corruption_sd=0.1, seed=0):
    """Synthetic market baskets after Agrawal & Srikant (1994), Sec. 2.4.3.

    Returns n_transactions lists of item ids (0..n_items-1), each sorted
    and without duplicates ("T10.I4.D100K" = 10, 4, 100,000).
    """
    _check_generator_args(n_transactions, avg_transaction_len,
                          avg_pattern_len, n_items, n_patterns, correlation,
                          corruption_mean, corruption_sd, seed)
    rng = np.random.default_rng(seed)
    # 1. 模式（潜在的频繁项集）：长度 ~ 1 + Poisson(I - 1)
    sizes, patterns = _patterns(rng, avg_pattern_len, n_items, n_patterns,
                                correlation)
    # 2. 每个模式被选中的权重 ~ Exp(1)，损坏程度 ~ N(均值, 标准差)
    weights = rng.exponential(1.0, n_patterns)
    weights /= weights.sum()
    corruption = np.clip(rng.normal(corruption_mean, corruption_sd,
                                    n_patterns), 0.0, MAX_CORRUPTION)
    # 3. 事务长度 ~ 1 + Poisson(T - 1)，按顺序把模式放进事务
    target = 1 + rng.poisson(avg_transaction_len - 1, n_transactions)
    owner, pattern, kept = _fill(rng, target, sizes, weights, corruption)
    # 4. 每个模式实例随机保留 kept 个商品，按事务合并、去重、排序
    tid, item = _keep_items(rng, patterns, sizes, owner, pattern, kept)
    code = _unique(tid * n_items + item)
    tid = code // n_items
    flat = (code - tid * n_items).tolist()
    bounds = np.searchsorted(tid, np.arange(n_transactions + 1)).tolist()
    return [flat[lo:hi] for lo, hi in zip(bounds[:-1], bounds[1:])]
# --8<-- [end:generate_transactions]


# --8<-- [start:fill]
def _fill(rng, target, sizes, weights, corruption):
    """Put pattern instances into transactions, in order.

    Patterns are drawn by weight, a batch at a time. A pattern loses
    items while a uniform draw stays below its corruption level c, so
    the number lost is geometric: P(j lost) = c^j (1 - c). If what is
    left does not fit in the current transaction, it goes in anyway half
    of the time; otherwise it starts the next one (an empty transaction
    always takes it). Returns, per used instance, its transaction, its
    pattern and the number of items it keeps.
    """
    n, targets = len(target), target.tolist()
    batch = int(target.sum() // max(1.0, 0.5 * sizes.mean())) + 64
    owner, pattern, kept = [], [], []
    t, room = 0, targets[0]  # 当前事务还能放下的商品数
    while t < n:
        p = rng.choice(len(sizes), batch, p=weights)
        c = corruption[p]
        lost = rng.geometric(1.0 - c) - 1
        k = np.maximum(sizes[p] - lost, 0)
        anyway = rng.random(batch) < 0.5
        own = np.full(batch, -1, dtype=np.int64)
        for i, (m, heads) in enumerate(zip(k.tolist(), anyway.tolist())):
            if t == n:
                break
            if m == 0:
                continue
            if m > room and room < targets[t] and not heads:
                t += 1  # 放不下：当前事务到此为止，模式留给下一条
                if t == n:
                    break
                room = targets[t]
            own[i] = t
            room -= m
            if room <= 0:  # 装满（或超出）了：开始下一条事务
                t += 1
                room = targets[t] if t < n else 0
        used = own >= 0
        owner.append(own[used])
        pattern.append(p[used])
        kept.append(k[used])
    return np.concatenate(owner), np.concatenate(pattern), \
        np.concatenate(kept)
# --8<-- [end:fill]


def _keep_items(rng, patterns, sizes, owner, pattern, kept):
    """(transaction, item) of the items each pattern instance keeps."""
    offsets = np.r_[0, np.cumsum(sizes)]
    inst = np.repeat(np.arange(len(pattern)), sizes[pattern])
    within = np.arange(inst.size) - np.repeat(
        np.cumsum(sizes[pattern]) - sizes[pattern], sizes[pattern])
    items = patterns[offsets[pattern][inst] + within]
    # 实例编号加上 [0, 1) 的随机数再排序：每个实例内部随机打乱
    shuffled = np.argsort(inst + rng.random(inst.size))
    chosen = shuffled[within < kept[inst]]
    return owner[inst[chosen]], items[chosen]


def _check_generator_args(n_transactions, avg_transaction_len,
                          avg_pattern_len, n_items, n_patterns, correlation,
                          corruption_mean, corruption_sd, seed):
    for name, value in [("n_transactions", n_transactions),
                        ("n_items", n_items), ("n_patterns", n_patterns)]:
        integer(value, name, 1)
    for name, value in [("avg_transaction_len", avg_transaction_len),
                        ("avg_pattern_len", avg_pattern_len),
                        ("correlation", correlation),
                        ("corruption_mean", corruption_mean),
                        ("corruption_sd", corruption_sd)]:
        # True 不是 1：布尔值和字符串都不当作数
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {value!r}")
    for name, value in [("avg_transaction_len", avg_transaction_len),
                        ("avg_pattern_len", avg_pattern_len)]:
        if not (math.isfinite(value) and value >= 1):
            raise ValueError(f"{name} must be a number >= 1, got {value!r}")
    if not (math.isfinite(correlation) and correlation >= 0):
        raise ValueError(f"correlation must be >= 0, got {correlation!r}")
    if not 0 <= corruption_mean <= 1:
        raise ValueError(
            f"corruption_mean must lie in [0, 1], got {corruption_mean!r}"
            f" (levels are clipped to [0, {MAX_CORRUPTION}])")
    if not (math.isfinite(corruption_sd) and corruption_sd >= 0):
        raise ValueError(f"corruption_sd must be >= 0, got {corruption_sd!r}")
    # 种子：整数（不是 True，也不是 1.5）、None 或 NumPy 的 SeedSequence 等
    if isinstance(seed, bool) or (isinstance(seed, numbers.Number)
                                  and not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be an integer or None, got {seed!r}")


def _patterns(rng, avg_pattern_len, n_items, n_patterns, correlation):
    """Sizes and flat item array of the potentially large itemsets."""
    sizes = np.minimum(1 + rng.poisson(avg_pattern_len - 1, n_patterns),
                       n_items)
    out = []
    prev = np.empty(0, dtype=np.int64)
    for s in sizes.tolist():
        # 与上一个模式共享的比例服从均值为 correlation 的指数分布
        frac = min(rng.exponential(correlation), 1.0) if correlation > 0 \
            else 0.0
        n_old = min(int(round(frac * s)), len(prev))
        old = rng.choice(prev, n_old, replace=False)
        # 多抽 n_old 个，去掉与 old 重复的，保证够用
        fresh = rng.choice(n_items, min(s + n_old, n_items), replace=False)
        fresh = fresh[~np.isin(fresh, old)][:s - n_old]
        out.append(np.concatenate([old, fresh]))
        prev = out[-1]
    return sizes, np.concatenate(out)


# ---------------------------------------------------------------------------
# Demos shown in the article
# ---------------------------------------------------------------------------

BASKETS = [
    ["牛奶", "面包"],
    ["面包", "尿布", "啤酒", "鸡蛋", "可乐"],
    ["牛奶", "尿布", "啤酒", "可乐"],
    ["面包", "牛奶", "尿布", "啤酒"],
    ["面包", "牛奶", "尿布", "可乐"],
    ["面包", "牛奶", "鸡蛋", "可乐"],
    ["尿布", "啤酒"],
    ["牛奶", "面包", "尿布"],
    ["面包", "鸡蛋", "可乐"],
    ["牛奶", "尿布", "啤酒", "面包"],
]
BASKET_SUPPORT = 0.3
BASKET_CONFIDENCE = 0.7
# T10.I4.D100K：平均事务长度 10，平均模式长度 4，10 万条事务
T10I4D100K = dict(n_transactions=100_000, avg_transaction_len=10,
                  avg_pattern_len=4, seed=0)


def _fmt_set(itemset):
    return "{" + ", ".join(map(str, sorted(itemset))) + "}"


def show_baskets():
    rows = [{"事务": f"T{i + 1}", "商品": "、".join(t)}
            for i, t in enumerate(BASKETS)]
    return pd.DataFrame(rows).set_index("事务")


def show_frequent_itemsets():
    frequent = apriori(BASKETS, BASKET_SUPPORT)
    n = len(BASKETS)
    rows = [{"项集": _fmt_set(s), "长度": len(s),
             "出现次数": round(v * n), "支持度": f"{v:.2f}"}
            for s, v in frequent.items()]
    return pd.DataFrame(rows).set_index("项集")


def show_rules():
    rules = association_rules(apriori(BASKETS, BASKET_SUPPORT),
                              BASKET_CONFIDENCE)
    return pd.DataFrame({
        "前件": rules.antecedents.map(_fmt_set),
        "后件": rules.consequents.map(_fmt_set),
        "支持度": rules.support.map("{:.2f}".format),
        "置信度": rules.confidence.map("{:.3f}".format),
        "提升度": rules.lift.map("{:.3f}".format),
    }).set_index("前件")


def _basket_trace():
    n, indptr, codes, items = _encode_iterable(BASKETS)
    trace = []
    _mine(n, indptr, codes, len(items), _min_count(BASKET_SUPPORT, n), None,
          trace)
    return trace, items, _min_count(BASKET_SUPPORT, n)


def show_trace_summary():
    trace, _, min_count = _basket_trace()
    rows = []
    for rec in trace:
        counted = ~rec["pruned"]
        rows.append({"层 k": rec["k"], "候选": len(rec["pruned"]),
                     "被剪枝": int(rec["pruned"].sum()),
                     "计数后不频繁": int((counted & (rec["counts"] < min_count))
                                    .sum()),
                     "频繁": int((counted & (rec["counts"] >= min_count))
                               .sum())})
    return pd.DataFrame(rows).set_index("层 k")


def show_trace():
    trace, items, min_count = _basket_trace()
    frequent = set()
    rows = []
    for rec in trace:
        for cand, pruned, count in zip(rec["candidates"], rec["pruned"],
                                       rec["counts"]):
            itemset = frozenset(items[i] for i in cand)
            if rec["k"] >= 3 and pruned:
                bad = next(itemset - {x} for x in sorted(itemset)
                           if itemset - {x} not in frequent)
                verdict, shown = f"剪枝：子集 {_fmt_set(bad)} 不频繁", "—"
            else:
                verdict = "频繁" if count >= min_count else "不频繁"
                shown = str(count)
                if count >= min_count:
                    frequent.add(itemset)
            if rec["k"] >= 3:
                rows.append({"层 k": rec["k"], "候选项集": _fmt_set(itemset),
                             "计数": shown, "结论": verdict})
    return pd.DataFrame(rows).set_index("层 k")


def _pad(label, width):
    """Pad to a display width, counting a CJK character as two columns."""
    shown = sum(2 if ord(ch) > 0x2E80 else 1 for ch in label)
    return label + " " * (width - shown)


def show_bitsets():
    n, indptr, codes, items = _encode_iterable(BASKETS)
    bits = _item_bitsets(codes, indptr, len(items),
                         np.ones(len(items), dtype=bool))

    def line(label, word):
        marks = "".join("1" if int(word) >> t & 1 else "·" for t in range(n))
        return f"{_pad(label, 16)}{marks}   uint64 = {int(word):>4}"

    header = "".join(str(t % 10) for t in range(n))
    lines = [f"{_pad('第 t 位', 16)}{header}"]
    lines += [line(x, bits[i, 0]) for i, x in enumerate(items)]
    a, b = items.index("尿布"), items.index("啤酒")
    both = bits[a, 0] & bits[b, 0]
    count = int(np.bitwise_count(both))
    lines += ["", line("尿布 AND 啤酒", both),
              f"popcount = {count}，支持度 = {count} / {n} = {count / n}"]
    return "\n".join(lines)


def show_bad_input():
    # 0/1 整数列可以接受（与 mlxtend 相同），购买数量 2 却不是独热编码
    frame = pd.DataFrame({"牛奶": [1, 0, 2], "面包": [1, 1, 0]})
    return apriori(frame, 0.5)


def _t10i4d100k():
    return generate_transactions(**T10I4D100K)


def show_generator_stats():
    data = _t10i4d100k()
    lens = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
    counts = np.bincount(np.fromiter(chain.from_iterable(data), np.int64),
                         minlength=1000)
    top = np.sort(counts)[::-1]
    return "\n".join([
        f"事务条数          : {len(data)}",
        f"平均事务长度      : {lens.mean():.3f}（参数 |T| = 10）",
        f"最短 / 最长事务   : {lens.min()} / {lens.max()}",
        f"出现过的商品数    : {(counts > 0).sum()}（共 1000 种）",
        f"最常见商品的支持度: {top[0] / len(data):.4f}",
        f"支持度 ≥ 1% 的商品: {(counts >= 0.01 * len(data)).sum()} 种",
        f"支持度 ≥ 0.25% 的 : {(counts >= 0.0025 * len(data)).sum()} 种",
    ])


def plot_generator():
    import matplotlib.pyplot as plt
    from math import exp, lgamma, log

    data = _t10i4d100k()
    lens = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
    counts = np.bincount(np.fromiter(chain.from_iterable(data), np.int64))
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.4))
    k = np.arange(1, lens.max() + 1)
    left.bar(k, np.bincount(lens, minlength=k.max() + 1)[1:] / len(lens),
             color="C0", alpha=0.8, label="生成的事务")
    pmf = [exp((j - 1) * log(9) - 9 - lgamma(j)) for j in k]
    left.plot(k, pmf, "o-", color="C1", ms=3, label="1 + Poisson(9)")
    left.set_xlabel("事务长度（去重后的商品数）")
    left.set_ylabel("比例")
    left.set_title("事务长度的分布")
    left.legend()
    support = np.sort(counts[counts > 0])[::-1] / len(data)
    right.loglog(np.arange(1, len(support) + 1), support, color="C0")
    for level, style in ((0.01, "--"), (0.005, "-."), (0.0025, ":")):
        right.axhline(level, color="C3", ls=style, lw=1,
                      label=f"最小支持度 {level:.2%}")
    right.set_xlabel("商品按支持度排名")
    right.set_ylabel("支持度")
    right.set_title("商品支持度")
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


def show_level_sizes():
    data = _t10i4d100k()
    n, indptr, codes, items = _encode_iterable(data)
    min_count = _min_count(0.0025, n)
    trace = []
    _mine(n, indptr, codes, len(items), min_count, None, trace)
    rows = []
    for rec in trace:
        counted = ~rec["pruned"]
        rows.append({"层 k": rec["k"], "候选": len(rec["pruned"]),
                     "被剪枝": int(rec["pruned"].sum()),
                     "实际计数": int(counted.sum()),
                     "频繁": int((counted & (rec["counts"] >= min_count))
                               .sum())})
    return pd.DataFrame(rows).set_index("层 k")


def show_generated_rules():
    frequent = apriori(_t10i4d100k(), 0.005)
    rules = association_rules(frequent, 0.8)
    top = rules.sort_values("lift", ascending=False, kind="stable").head(8)
    return pd.DataFrame({
        "前件": top.antecedents.map(_fmt_set),
        "后件": top.consequents.map(_fmt_set),
        "支持度": top.support.map("{:.4f}".format),
        "置信度": top.confidence.map("{:.3f}".format),
        "提升度": top.lift.map("{:.1f}".format),
    }).set_index("前件")


def _t10i4d100k_patterns():
    """The generator's patterns for T10I4D100K (the same random stream)."""
    rng = np.random.default_rng(T10I4D100K["seed"])
    sizes, flat = _patterns(rng, T10I4D100K["avg_pattern_len"], 1000, 2000,
                            0.5)
    bounds = np.r_[0, np.cumsum(sizes)].tolist()
    return [set(flat[lo:hi].tolist())
            for lo, hi in zip(bounds[:-1], bounds[1:])]


def show_generated_rules_summary():
    frequent = apriori(_t10i4d100k(), 0.005)
    rules = association_rules(frequent, 0.8)
    sizes = pd.Series([len(s) for s in frequent]).value_counts().sort_index()
    patterns = _t10i4d100k_patterns()
    inside = sum(any(a | c <= p for p in patterns)
                 for a, c in zip(rules.antecedents, rules.consequents))
    return "\n".join([
        f"最小支持度 0.5% 的频繁项集: {len(frequent)} 个，按长度 "
        + "、".join(f"{k}:{v}" for k, v in sizes.items()),
        f"置信度 ≥ 0.8 的规则       : {len(rules)} 条",
        f"提升度的中位数 / 最小值   : {rules.lift.median():.1f} / "
        f"{rules.lift.min():.1f}",
        f"前件 ∪ 后件落在某个模式内 : {inside} 条",
    ])


# ---------------------------------------------------------------------------
# Benchmark results (written by benchmarks/bench_apriori.py, never timed here)
# ---------------------------------------------------------------------------

LIBRARIES = {
    "numpy": "本文实现",
    "mlxtend_apriori_low_memory": "mlxtend apriori (low_memory)",
    "mlxtend_fpgrowth": "mlxtend fpgrowth",
    "efficient_apriori": "efficient-apriori",
}


def load_benchmark():
    """The committed benchmark results (a small JSON file)."""
    path = Path(__file__).resolve().parent.parent / BENCHMARK_RESULTS
    if not path.is_file():
        path = Path("benchmarks/results/apriori.json")
    return json.loads(path.read_text(encoding="utf-8"))


def show_benchmark():
    bench = load_benchmark()
    rows = []
    for res in bench["results"]:
        row = {"最小支持度": f"{res['min_support']:.2%}",
               "频繁项集": res["n_itemsets"]}
        row.update({label: f"{res['median_seconds'][key]:.3f}"
                    for key, label in LIBRARIES.items()})
        rows.append(row)
    return pd.DataFrame(rows).set_index("最小支持度")


def show_benchmark_ratios():
    bench = load_benchmark()
    rows = []
    for res in bench["results"]:
        med = res["median_seconds"]
        row = {"最小支持度": f"{res['min_support']:.2%}"}
        row.update({label: f"{med[key] / med['numpy']:.1f}×"
                    for key, label in LIBRARIES.items() if key != "numpy"})
        row["最快参考库"] = f"{res['speedup']:.1f}×"
        row["峰值内存"] = f"{res['peak_memory_mb']:.0f} MB"
        rows.append(row)
    return pd.DataFrame(rows).set_index("最小支持度")


def show_benchmark_setup():
    bench = load_benchmark()
    m, data = bench["machine"], bench["dataset"]
    rows = [
        ("日期", bench["date"]),
        ("处理器", f"{m['cpu']}，{m['cpu_count']} 核"),
        ("内存", f"{m['memory_gb']:.0f} GB"),
        ("系统", f"{m['platform']}，Python {m['python']}"),
        ("版本", "，".join(f"{k} {v}" for k, v in bench["versions"].items())),
        ("数据", f"{data['name']}：{data['n_transactions']} 条事务，"
                 f"平均长度 {data['mean_len']:.2f}，最长 {data['longest']}"),
        ("重复次数", f"本文实现 {bench['repeats']['numpy']} 次，参考库各 "
                   f"{bench['repeats']['reference']} 次，交替运行，取中位数"),
        ("本文实现的输入转换",
         f"{bench['numpy_conversion_seconds']:.3f} s（已计入本文实现）"),
        ("mlxtend 的独热编码",
         f"{bench['encode_seconds']:.3f} s（未计入 mlxtend）"),
        ("mlxtend 默认模式第 2 层的临时数组",
         "，".join(f"{e['min_support']:.2%} 时 {e['gib']:.0f} GiB"
                  for e in bench["mlxtend_default_estimate"])),
    ]
    return pd.DataFrame(rows, columns=["项目", "内容"]).set_index("项目")


def plot_benchmark():
    import matplotlib.pyplot as plt

    bench = load_benchmark()
    support = [r["min_support"] * 100 for r in bench["results"]]
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for (key, label), marker in zip(LIBRARIES.items(), "osD^"):
        ax.plot(support, [r["median_seconds"][key] for r in bench["results"]],
                marker=marker, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(support, [f"{s:g}%" for s in support])
    ax.minorticks_off()
    ax.invert_xaxis()  # 从左到右支持度越来越低、任务越来越重
    ax.set_xlabel("最小支持度")
    ax.set_ylabel("运行时间（秒，中位数）")
    ax.set_title(f"{bench['dataset']['name']} 上的运行时间")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
