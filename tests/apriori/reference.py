"""References for the tests of snippets/apriori/: mlxtend and brute force.

``reference`` runs mlxtend; ``brute_force`` counts every subset of every
transaction with Python sets, sharing no code with the project or mlxtend.
"""

from collections import Counter
from itertools import combinations

import numpy as np
import pandas as pd
from hypothesis import strategies as st
from mlxtend.frequent_patterns import apriori as mlx_apriori
from mlxtend.preprocessing import TransactionEncoder

TOL = 1e-12


def one_hot(transactions):
    encoder = TransactionEncoder()
    matrix = encoder.fit(transactions).transform(transactions)
    return pd.DataFrame(matrix, columns=encoder.columns_)


def reference(frame, min_support, max_len=None, low_memory=False):
    out = mlx_apriori(frame, min_support=min_support, use_colnames=True,
                      max_len=max_len, low_memory=low_memory)
    return dict(zip(out["itemsets"], out["support"]))


def subset_counts(transactions, max_len=None):
    """{frozenset: count} of every non-empty subset of every transaction."""
    counts = Counter()
    for row in map(frozenset, transactions):
        top = len(row) if max_len is None else min(len(row), max_len)
        for k in range(1, top + 1):
            counts.update(map(frozenset, combinations(row, k)))
    return counts


def brute_force(transactions, min_support, max_len=None):
    """Itemsets with count / n >= min_support (short transactions only)."""
    rows = list(transactions)
    return {s: c / len(rows)
            for s, c in subset_counts(rows, max_len).items()
            if c / len(rows) >= min_support}


def assert_same_itemsets(ours, ref, tol=TOL):
    assert isinstance(ours, dict)
    assert set(ours) == set(ref)
    for itemset, support in ref.items():
        assert abs(ours[itemset] - support) <= tol


@st.composite
def datasets(draw, max_items=12):
    """A random one-hot matrix of varied size and density, and options."""
    n = draw(st.integers(1, 80))
    m = draw(st.integers(1, max_items))
    density = draw(st.sampled_from([0.05, 0.2, 0.5, 0.8, 0.95]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    matrix = rng.random((n, m)) < density
    frame = pd.DataFrame(matrix, columns=[f"i{j}" for j in range(m)])
    # 有时取 k/n 这样恰好落在某个支持度上的阈值，检验“≥”的边界
    if draw(st.booleans()):
        min_support = draw(st.integers(1, n)) / n
    else:
        min_support = draw(st.floats(0.01, 1.0))
    max_len = draw(st.sampled_from([None, None, 1, 2, 3, 5]))
    return frame, min_support, max_len


def rows_of(frame):
    """The transactions (lists of column names) of a one-hot frame."""
    return [[c for c, v in zip(frame.columns, row) if v]
            for row in frame.to_numpy()]
