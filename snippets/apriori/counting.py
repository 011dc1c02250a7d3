"""Support counting: pairs by bincount, longer itemsets by bitset popcount.

The bitset of an itemset is kept whole (dense) or, when fewer than
SPARSE_FRACTION of its words are nonzero, as its nonzero words and their
indices (sparse): a candidate with a sparse parent only ANDs those words.
Every temporary array is built in chunks of at most CHUNK_BYTES, so memory
stays bounded whatever the number of transactions.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .encoding import _unique

# 一个数据块（位集、配对编码等临时数组）最多占用的字节数；块不大，
# 内存分配器能反复复用同一块内存，不必每次向系统要新的内存页
CHUNK_BYTES = 1 << 23
# 缓存上一层频繁项集位集的上限：超过时改为逐块重新计算
BITSET_CACHE_BYTES = 1 << 28
# 位集里非零字的比例低于它时只存非零字（稀疏），否则存整行（稠密）
SPARSE_FRACTION = 0.5
# 稀疏计数每块最多处理的字数：这么长的几个临时数组能留在缓存里
SPARSE_WORDS = 1 << 16


# --8<-- [start:count_pairs]
def _count_pairs(ranks, indptr, n_frequent):
    """Support counts of the pairs of frequent items that occur at all.

    ranks: item ranks (0..F-1) of every transaction, sorted inside each
    row; indptr: row boundaries. Rows of equal length L form an n_L x L
    matrix m; the pairs (a, b) with a in column i and b in a later column
    are coded as the integer a * F + b, which is one broadcast addition
    m[:, i] * F + m[:, i+1:]. One bincount counts a whole batch of codes.
    Returns (sorted pair codes, counts).
    """
    F = n_frequent
    lens = np.diff(indptr)
    top = int(lens.max())
    # 按长度分组；长度是小整数，稳定排序走基数排序
    order = np.argsort(lens.astype(np.min_scalar_type(top)), kind="stable")
    group_start = np.searchsorted(lens[order], np.arange(top + 2))
    direct = F * F * 8 <= 16 * CHUNK_BYTES
    counts = np.zeros(F * F if direct else 0, dtype=np.int64)
    found = []
    # 一批最多这么多个配对编码（至少放得下一整行）：内存有上界
    budget = max(CHUNK_BYTES // 8, top * (top - 1) // 2)
    buf = np.empty(budget, dtype=np.int64)
    used = 0
    for L in range(2, top + 1):
        rows = order[group_start[L]:group_start[L + 1]]
        step = budget // (L * (L - 1) // 2)
        for lo in range(0, len(rows), step):
            m = ranks[indptr[rows[lo:lo + step], None] + np.arange(L)]
            if used + len(m) * (L * (L - 1) // 2) > budget:
                _flush(buf[:used], counts, found, direct)
                used = 0
            mF = m * F
            for i in range(L - 1):  # 第 i 列与它后面的每一列配对
                size = len(m) * (L - 1 - i)
                out = buf[used:used + size].reshape(len(m), L - 1 - i)
                np.add(mF[:, i, None], m[:, i + 1:], out=out)
                used += size
    _flush(buf[:used], counts, found, direct)
    if direct:
        codes = np.flatnonzero(counts)
        return codes, counts[codes]
    return _merge_counts(found)
# --8<-- [end:count_pairs]


def _flush(codes, counts, found, direct):
    if codes.size:
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
    sel = np.flatnonzero(needed[ranks])  # 比布尔下标快得多
    row, item = row[sel], ranks[sel]
    bits = np.zeros(n_frequent * W, dtype=np.uint64)
    np.bitwise_or.at(bits, item * W + (row >> 6),
                     np.left_shift(np.uint64(1), (row & 63).astype(np.uint64)))
    return bits.reshape(n_frequent, W)
# --8<-- [end:item_bitsets]


# --8<-- [start:cluster]
def _cluster(ranks, indptr, counts):
    """The transactions reordered: those whose most frequent item is the
    same become neighbours, so that the bitsets of the frequent items and
    of their supersets have fewer nonzero words. counts[r] is the support
    count of rank r. Returns (ranks, indptr) of the reordered rows.
    """
    n, F = len(indptr) - 1, len(counts)
    by_count = np.empty(F, dtype=np.int64)
    by_count[np.argsort(-counts, kind="stable")] = np.arange(F)
    lens = np.diff(indptr)
    key = np.full(n, F, dtype=np.min_scalar_type(F))
    rows = np.flatnonzero(lens)
    if rows.size:
        key[rows] = np.minimum.reduceat(by_count[ranks], indptr[rows])
    order = np.argsort(key, kind="stable")  # 小整数：基数排序
    lens = lens[order]
    new_indptr = np.r_[0, np.cumsum(lens)]
    take = np.repeat(indptr[order] - new_indptr[:-1], lens)
    take += np.arange(len(take))
    return ranks[take], new_indptr
# --8<-- [end:cluster]


class Bitsets(NamedTuple):
    """The bitsets of m itemsets, each stored dense or as its nonzero words.

    Itemset i is the row dense[row[i]] when row[i] >= 0. Otherwise it is
    sparse: its nonzero words are val[start[i]:start[i] + size[i]], found
    at the word indices idx[start[i]:start[i] + size[i]] of the full row.
    """
    row: np.ndarray
    dense: np.ndarray
    start: np.ndarray
    size: np.ndarray
    idx: np.ndarray
    val: np.ndarray


def _item_store(item_bits, rows, nonzero):
    """Bitsets of the items ``rows`` as parents: sparse ones compressed.

    nonzero[i] is the number of nonzero words of item i's bitset.
    """
    F, W = item_bits.shape
    sparse = rows[nonzero[rows] < SPARSE_FRACTION * W]
    row = np.arange(F)
    row[sparse] = -1
    size = np.zeros(F, dtype=np.int64)
    size[sparse] = nonzero[sparse]
    block = item_bits[sparse]
    flat = np.flatnonzero(block)  # 按行主序：每个商品的非零字连成一段
    return Bitsets(row, item_bits, np.cumsum(size) - size, size,
                   flat % W, block.ravel()[flat])


class _Kept:
    """Collects the bitsets of frequent candidates up to BITSET_CACHE_BYTES.

    ``ids`` are candidate indices; ``done`` renumbers them 0..m-1 in the
    order of the frequent candidates (the next level's itemset ids) and
    returns their Bitsets, or None if the cache overflowed.
    """

    def __init__(self, W):
        self.W, self.nbytes, self.full = W, 0, False
        self.dense_ids, self.dense = [], []
        self.sparse_ids, self.size, self.idx, self.val = [], [], [], []

    def add_dense(self, ids, x):
        # 非零字太少的行改存稀疏形式：下一层只需扫这些字
        nonzero = np.count_nonzero(x, axis=1)
        sparse = nonzero < SPARSE_FRACTION * self.W
        if sparse.any():
            block = x[sparse]
            flat = np.flatnonzero(block)
            self.add_sparse(ids[sparse], nonzero[sparse], flat % self.W,
                            block.ravel()[flat])
            x, ids = x[~sparse], ids[~sparse]
        if not self.full:
            self.dense_ids.append(ids)
            self.dense.append(x)
            self._grow(x.nbytes)

    def add_sparse(self, ids, size, idx, val):
        self.sparse_ids.append(ids)
        self.size.append(size)
        self.idx.append(idx)
        self.val.append(val)
        self._grow(idx.nbytes + val.nbytes)

    def _grow(self, nbytes):
        self.nbytes += nbytes
        if self.nbytes > BITSET_CACHE_BYTES:  # 下一层改为逐块重算父位集
            self.full = True
            self.dense = self.idx = self.val = None

    def done(self, frequent):
        if self.full:
            return None
        new_id = np.cumsum(frequent) - 1
        m = int(frequent.sum())
        row = np.full(m, -1, dtype=np.int64)
        ids = _cat(self.dense_ids, np.int64)
        row[new_id[ids]] = np.arange(len(ids))
        size = np.zeros(m, dtype=np.int64)
        start = np.zeros(m, dtype=np.int64)
        ids, sizes = _cat(self.sparse_ids, np.int64), _cat(self.size, np.int64)
        size[new_id[ids]] = sizes
        start[new_id[ids]] = np.cumsum(sizes) - sizes
        dense = np.concatenate(self.dense) if self.dense else \
            np.empty((0, self.W), dtype=np.uint64)
        return Bitsets(row, dense, start, size, _cat(self.idx, np.int64),
                       _cat(self.val, np.uint64))


def _cat(parts, dtype):
    return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)


# --8<-- [start:count_bitsets]
def _count_candidates(cand_parent, cand_last, item_bits, parent_items,
                      parents, min_count):
    """Support counts of the candidates (parent itemset) + (last item).

    count = popcount(bits(parent) AND bits(last item)). ``parents`` holds
    the parents' bitsets (Bitsets); for a dense parent the whole rows are
    ANDed in chunks of at most CHUNK_BYTES; for a sparse one only its
    nonzero words are ANDed with the item's words at the same indices.
    Without ``parents`` (None) the parents' bitsets are rebuilt in each
    chunk from their items (parent_items). Returns the counts and the
    bitsets of the frequent candidates (the next level's parents), or
    None once they would exceed BITSET_CACHE_BYTES.
    """
    W = item_bits.shape[1]
    counts = np.empty(len(cand_parent), dtype=np.int64)
    kept = _Kept(W)
    if parents is None:
        dense = np.arange(len(cand_parent))
        sparse = dense[:0]
    else:
        on_row = parents.row[cand_parent] >= 0
        dense, sparse = np.flatnonzero(on_row), np.flatnonzero(~on_row)
    step = max(1, CHUNK_BYTES // (8 * W))
    for lo in range(0, len(dense), step):  # 稠密父项集：整行按位与
        ids = dense[lo:lo + step]
        par = cand_parent[ids]
        if parents is not None:
            x = parents.dense[parents.row[par]]
        else:
            x = item_bits[parent_items[par, 0]]
            for col in range(1, parent_items.shape[1]):
                x &= item_bits[parent_items[par, col]]
        x &= item_bits[cand_last[ids]]
        c = np.bitwise_count(x).sum(axis=1)
        counts[ids] = c
        if not kept.full:
            kept.add_dense(ids[c >= min_count], x[c >= min_count])
    if len(sparse):  # 稀疏父项集：只取父位集的非零字
        item_words = item_bits.ravel()
        ends = np.cumsum(parents.size[cand_parent[sparse]])
        budget = max(1, min(SPARSE_WORDS, CHUNK_BYTES // 8))
        lo = 0
        while lo < len(sparse):
            base = ends[lo - 1] if lo else 0
            hi = max(lo + 1, int(np.searchsorted(ends, base + budget,
                                                 "right")))
            ids = sparse[lo:hi]
            par = cand_parent[ids]
            size = parents.size[par]
            begin = ends[lo:hi] - size - base  # 每个候选在本块中的起点
            # pos：把每个候选的父项集那一段非零字依次排开
            pos = np.repeat(parents.start[par] - begin, size)
            pos += np.arange(len(pos))
            idx = parents.idx.take(pos)
            words = parents.val.take(pos)
            at = np.repeat(cand_last[ids] * W, size)
            at += idx  # 末项位集里同一位置的字
            words &= item_words.take(at)
            c = _segment_sums(np.bitwise_count(words), begin, size)
            counts[ids] = c
            good = c >= min_count
            if not kept.full and good.any():
                keep = np.repeat(good, size)
                keep &= words != 0
                at = np.flatnonzero(keep)  # 比布尔下标快得多
                kept.add_sparse(ids[good], _segment_sums(
                    keep, begin, size)[good], idx.take(at), words.take(at))
            lo = hi
    return counts, kept.done(counts >= min_count)
# --8<-- [end:count_bitsets]


def _segment_sums(values, begin, size):
    """Sums of values over the consecutive segments [begin, begin + size)."""
    out = np.zeros(len(begin), dtype=np.int64)
    full = size > 0  # reduceat 不认空段：空段的和留作 0
    if full.any():
        out[full] = np.add.reduceat(values, begin[full], dtype=np.int64)
    return out


def _pair_bitsets(item_bits, pairs):
    """Bitsets (Bitsets) of the pairs (m x 2 ranks): level 3's parents."""
    nonzero = np.count_nonzero(item_bits, axis=1)
    # AND 可交换：以非零字较少的商品为父，要扫的字更少
    a, b = pairs[:, 0], pairs[:, 1]
    swap = nonzero[b] < nonzero[a]
    parent, last = np.where(swap, b, a), np.where(swap, a, b)
    items = _item_store(item_bits, np.unique(parent), nonzero)
    return _count_candidates(parent, last, item_bits, None, items, 0)[1]
