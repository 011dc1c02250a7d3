"""Candidate generation: join and prune with sorted integer arrays.

Each frequent itemset of level k is stored as (id of its prefix in level
k - 1, last item), so joining and pruning are searchsorted calls.
"""

from __future__ import annotations

import numpy as np


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
