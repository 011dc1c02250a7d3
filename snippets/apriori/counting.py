"""Support counting: pairs by bincount, longer itemsets by bitset popcount.

Every temporary array is built in chunks of at most CHUNK_BYTES, so memory
stays bounded whatever the number of transactions.
"""

from __future__ import annotations

import numpy as np

from .encoding import _unique

# 一个数据块（位集、配对编码等临时数组）最多占用的字节数
CHUNK_BYTES = 1 << 25
# 缓存上一层频繁项集位集的上限：超过时改为逐块重新计算
BITSET_CACHE_BYTES = 1 << 28


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
    direct = F * F * 8 <= 4 * CHUNK_BYTES
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
