"""snippets/apriori: itemsets and supports equal to pyfim's (Borgelt's C code).

pyfim (``import fim``) shares no code with this project or with mlxtend:
a second, independent reference next to the mlxtend checks in
test_core.py. Its ``supp`` is a percentage by default (negative values
are absolute counts); both forms must select the same itemsets as our
rule count / n >= min_support.
"""

import fim
from hypothesis import given, settings
from hypothesis import strategies as st

from apriori.reference import assert_same_itemsets, datasets, rows_of
from snippets.apriori import apriori, generate_transactions


def fim_itemsets(transactions, min_support, max_len=None, algo=fim.apriori,
                 absolute=None):
    """{frozenset: support} from pyfim, without the always-present sets.

    pyfim 6.28 never reports an itemset contained in every transaction
    (support 1): those are dropped from both sides of the comparison and
    checked separately below.
    """
    n = len(transactions)
    supp = -absolute if absolute is not None else 100 * min_support
    limit = {} if max_len is None else {"zmax": max_len}  # 不接受 None
    out = algo(transactions, supp=supp, zmin=1, report="a", **limit)
    return {frozenset(items): count / n for items, count in out}


def without_full_support(itemsets):
    return {s: v for s, v in itemsets.items() if v < 1.0}


@settings(max_examples=150, deadline=None)
@given(datasets())
def test_matches_pyfim_apriori_on_random_data(case):
    frame, min_support, max_len = case
    data = rows_of(frame)
    ours = apriori(data, min_support, max_len)
    ref = fim_itemsets(data, min_support, max_len)
    assert_same_itemsets(without_full_support(ours), ref)
    # 唯一的差别：pyfim 漏掉的正是出现在每个事务里的项集
    assert all(v == 1.0 for s, v in ours.items() if s not in ref)


@settings(max_examples=60, deadline=None)
@given(datasets(), st.sampled_from(["fpgrowth", "eclat"]))
def test_matches_pyfim_fpgrowth_and_eclat(case, algo):
    frame, min_support, max_len = case
    data = rows_of(frame)
    ref = fim_itemsets(data, min_support, max_len, getattr(fim, algo))
    assert_same_itemsets(
        without_full_support(apriori(data, min_support, max_len)), ref)


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 400), st.data())
def test_percent_threshold_is_count_over_n_at_least_min_support(n, draw):
    """At min_support = k / n exactly, both keep count k and drop k - 1."""
    k = draw.draw(st.integers(1, n - 1))
    # 商品 c 恰好出现在 c 个事务里，c 取阈值附近的几个值
    counts = [c for c in (k - 1, k, k + 1) if 1 <= c < n]
    data = [[c for c in counts if t < c] for t in range(n)]
    min_support = k / n
    want = {frozenset([c]): c / n for c in counts if c / n >= min_support}
    ours = apriori(data, min_support, max_len=1)
    assert_same_itemsets(ours, want)
    assert_same_itemsets(fim_itemsets(data, min_support, 1), want)
    assert_same_itemsets(fim_itemsets(data, None, 1, absolute=k), want)


def test_matches_pyfim_on_generated_baskets():
    """Long itemsets on sparse synthetic data: every counting path."""
    data = generate_transactions(3000, avg_transaction_len=8, n_items=150,
                                 n_patterns=40, seed=5)
    for min_support in (0.02, 0.01, 0.005):
        ours = apriori(data, min_support)
        assert max(map(len, ours)) >= 4
        assert_same_itemsets(ours, fim_itemsets(data, min_support))
        assert_same_itemsets(
            ours, fim_itemsets(data, min_support, algo=fim.fpgrowth))


def test_pyfim_omits_itemsets_in_every_transaction():
    """The pyfim quirk the comparisons above work around."""
    data = [["a", "b"], ["b"], ["b", "c"]]
    ref = fim_itemsets(data, 1 / 3)
    assert frozenset("b") not in ref
    assert apriori(data, 1 / 3)[frozenset("b")] == 1.0
