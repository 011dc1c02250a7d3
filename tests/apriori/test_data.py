"""snippets/apriori/data.py: the Agrawal & Srikant generator and its data."""

import numpy as np
import pytest

from snippets.apriori import apriori, generate_transactions, generator_patterns
from snippets.apriori.data import T10I4D100K, t10i4d100k


@pytest.mark.parametrize("avg_len, avg_pattern, n_items", [
    (10, 4, 1000), (5, 2, 500), (20, 6, 2000)])
def test_generator_statistics(avg_len, avg_pattern, n_items):
    n = 20_000
    data = generate_transactions(n, avg_transaction_len=avg_len,
                                 avg_pattern_len=avg_pattern,
                                 n_items=n_items, seed=7)
    assert isinstance(data, list) and len(data) == n
    lens = np.array([len(t) for t in data])
    # 长度来自 1 + Poisson(|T| - 1)，去重会略微缩短
    assert abs(lens.mean() - avg_len) < 0.05 * avg_len
    assert lens.min() >= 1
    flat = [x for t in data for x in t]
    assert all(type(x) is int for x in flat[:1000])
    assert 0 <= min(flat) and max(flat) < n_items
    assert all(t == sorted(set(t)) for t in data)  # 有序、无重复
    assert len(set(flat)) > 0.8 * n_items  # 绝大多数物品都出现过


def test_generator_is_deterministic_and_correlated():
    a = generate_transactions(3000, seed=5)
    assert a == generate_transactions(3000, seed=5)
    assert a != generate_transactions(3000, seed=6)
    # 模式让物品成组出现：最频繁的配对远比独立时多
    frequent = apriori(a, 0.003, max_len=2)
    lift = max(v / (frequent[frozenset({x})] * frequent[frozenset({y})])
               for k, v in frequent.items() if len(k) == 2
               for x, y in [tuple(k)])
    assert lift > 10


def test_generator_without_corruption_keeps_patterns_whole():
    data = generate_transactions(500, avg_transaction_len=6,
                                 avg_pattern_len=3, n_items=50,
                                 n_patterns=1, corruption_mean=0.0,
                                 corruption_sd=0.0, seed=2)
    # 只有一个模式且不丢物品：每条事务都恰好等于这个模式
    assert len({tuple(t) for t in data}) == 1


def test_generator_with_full_corruption_terminates():
    # 损坏程度被截断到 MAX_CORRUPTION < 1：模式不会总是丢光物品
    data = generate_transactions(300, avg_transaction_len=8, n_items=60,
                                 n_patterns=20, corruption_mean=1.0,
                                 corruption_sd=0.0, seed=4)
    assert len(data) == 300 and all(data)


@pytest.mark.parametrize("kwargs, error", [
    (dict(n_transactions=0), ValueError),
    (dict(n_transactions=2.5), TypeError),
    (dict(n_items=0), ValueError),
    (dict(n_patterns=0), ValueError),
    (dict(avg_transaction_len=0.5), ValueError),
    (dict(avg_pattern_len=0), ValueError),
    (dict(correlation=-1), ValueError),
    (dict(corruption_mean=1.5), ValueError),
    (dict(corruption_sd=-0.1), ValueError),
    # 布尔值和字符串不是数：旧实现把 True 当作 1、把字符串报成 ValueError
    (dict(avg_transaction_len=True), TypeError),
    (dict(avg_pattern_len="4"), TypeError),
    (dict(correlation=True), TypeError),
    (dict(corruption_mean=True), TypeError),
    (dict(corruption_sd=False), TypeError),
    (dict(n_items=True), TypeError),
    (dict(seed=True), TypeError),
    (dict(seed=1.5), TypeError),
    (dict(avg_transaction_len=float("inf")), ValueError),
])
def test_generator_bad_inputs(kwargs, error):
    args = dict(n_transactions=10) | kwargs
    with pytest.raises(error, match=next(iter(kwargs))):  # 指明是哪个参数
        generate_transactions(**args)


@pytest.mark.parametrize("seed", range(6))
def test_generator_patterns_are_the_planted_ones(seed):
    """Without corruption every item of a pattern instance is kept, so each
    transaction is exactly the union of the patterns it contains."""
    kwargs = dict(avg_pattern_len=3, n_items=40, n_patterns=12,
                  correlation=0.5, seed=seed)
    patterns = generator_patterns(**kwargs)
    data = generate_transactions(400, avg_transaction_len=7,
                                 corruption_mean=0.0, corruption_sd=0.0,
                                 **kwargs)
    assert len(patterns) == 12 and all(patterns)
    assert all(isinstance(p, frozenset) for p in patterns)
    assert all(0 <= x < 40 for p in patterns for x in p)
    used = set()
    for t in map(frozenset, data):
        inside = [p for p in patterns if p <= t]
        assert frozenset().union(*inside) == t
        used.update(inside)
    assert len(used) >= 6  # 不是只有一两个模式恰好覆盖了所有事务


def test_generator_patterns_statistics_and_seed():
    patterns = generator_patterns(avg_pattern_len=4, n_items=1000,
                                  n_patterns=5000, seed=3)
    sizes = np.array([len(p) for p in patterns])
    # 长度 ~ 1 + Poisson(I - 1)：均值 4，方差 3
    assert abs(sizes.mean() - 4) < 0.1 and abs(sizes.var() - 3) < 0.3
    assert generator_patterns(seed=3) == generator_patterns(seed=3)
    assert generator_patterns(seed=3) != generator_patterns(seed=4)


@pytest.mark.parametrize("kwargs, error", [
    (dict(avg_pattern_len=0.5), ValueError), (dict(n_items=0), ValueError),
    (dict(n_patterns=1.5), TypeError), (dict(correlation=-0.1), ValueError),
    (dict(correlation="0.5"), TypeError), (dict(seed=True), TypeError),
])
def test_generator_patterns_bad_inputs(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        generator_patterns(**kwargs)


def test_t10i4d100k_is_built_once_and_read_only():
    data = t10i4d100k()
    assert t10i4d100k() is data  # 同一进程里只生成一次
    assert isinstance(data, tuple) and all(type(t) is tuple for t in data)
    assert [list(t) for t in data] == generate_transactions(**T10I4D100K)
