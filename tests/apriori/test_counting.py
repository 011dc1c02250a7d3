"""snippets/apriori/counting.py: every counting path gives mlxtend's result.

Tiny memory budgets force the chunked paths; the miner picks dense
(matrix product) or sparse (pairs inside transactions) pair counting.
"""

import numpy as np
import pandas as pd
import pytest

from apriori.reference import assert_same_itemsets, one_hot, reference
from snippets.apriori import apriori, core, counting, generate_transactions


@pytest.mark.parametrize("setting", ["tiny_chunks", "no_bitset_cache",
                                     "sorted_pair_counts"])
def test_memory_bounded_paths_match_mlxtend(monkeypatch, setting):
    """The chunked code paths (forced with tiny budgets) give the same result."""
    if setting == "tiny_chunks":
        monkeypatch.setattr(counting, "CHUNK_BYTES", 4096)
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
