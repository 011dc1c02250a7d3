"""Data for the Apriori article: the example baskets and synthetic data.

``generate_transactions`` is the synthetic market-basket generator of
Agrawal & Srikant (1994); ``t10i4d100k`` builds the article's
T10.I4.D100K data set once per process for every demo that uses it.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from snippets._checks import integer
from snippets._shared import shared

from .encoding import _unique

# 损坏程度的上限：c = 1 的模式会丢光所有商品，事务永远填不满
MAX_CORRUPTION = 0.95


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




def _check_real(name, value):
    # True 不是 1：布尔值和字符串都不当作数
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")


def _check_pattern_args(avg_pattern_len, n_items, n_patterns, correlation,
                        seed):
    integer(n_items, "n_items", 1)
    integer(n_patterns, "n_patterns", 1)
    _check_real("avg_pattern_len", avg_pattern_len)
    _check_real("correlation", correlation)
    if not (math.isfinite(avg_pattern_len) and avg_pattern_len >= 1):
        raise ValueError(
            f"avg_pattern_len must be a number >= 1, got {avg_pattern_len!r}")
    if not (math.isfinite(correlation) and correlation >= 0):
        raise ValueError(f"correlation must be >= 0, got {correlation!r}")
    # 种子：整数（不是 True，也不是 1.5）、None 或 NumPy 的 SeedSequence 等
    if isinstance(seed, bool) or (isinstance(seed, numbers.Number)
                                  and not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be an integer or None, got {seed!r}")


def _check_generator_args(n_transactions, avg_transaction_len,
                          avg_pattern_len, n_items, n_patterns, correlation,
                          corruption_mean, corruption_sd, seed):
    integer(n_transactions, "n_transactions", 1)
    _check_pattern_args(avg_pattern_len, n_items, n_patterns, correlation,
                        seed)
    for name, value in [("avg_transaction_len", avg_transaction_len),
                        ("corruption_mean", corruption_mean),
                        ("corruption_sd", corruption_sd)]:
        _check_real(name, value)
    if not (math.isfinite(avg_transaction_len) and avg_transaction_len >= 1):
        raise ValueError("avg_transaction_len must be a number >= 1, "
                         f"got {avg_transaction_len!r}")
    if not 0 <= corruption_mean <= 1:
        raise ValueError(
            f"corruption_mean must lie in [0, 1], got {corruption_mean!r}"
            f" (levels are clipped to [0, {MAX_CORRUPTION}])")
    if not (math.isfinite(corruption_sd) and corruption_sd >= 0):
        raise ValueError(f"corruption_sd must be >= 0, got {corruption_sd!r}")


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




def generator_patterns(avg_pattern_len=4, n_items=1000, n_patterns=2000,
                       correlation=0.5, seed=0):
    """The patterns that ``generate_transactions`` plants, as frozensets.

    ``generate_transactions`` draws its patterns first from the seed's
    random stream, so the same pattern arguments and seed give the same
    patterns whatever the other arguments.
    """
    _check_pattern_args(avg_pattern_len, n_items, n_patterns, correlation,
                        seed)
    rng = np.random.default_rng(seed)
    sizes, flat = _patterns(rng, avg_pattern_len, n_items, n_patterns,
                            correlation)
    bounds = np.r_[0, np.cumsum(sizes)].tolist()
    return [frozenset(flat[lo:hi].tolist())
            for lo, hi in zip(bounds[:-1], bounds[1:])]


# 文章的小例子：十个购物篮
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

# T10.I4.D100K：平均事务长度 10，平均模式长度 4，10 万条事务
T10I4D100K = dict(n_transactions=100_000, avg_transaction_len=10,
                  avg_pattern_len=4, seed=0)


@shared
def t10i4d100k():
    """The article's T10.I4.D100K baskets, built once per process.

    Several demos share the value, so it is read-only: a tuple of tuples.
    """
    return tuple(map(tuple, generate_transactions(**T10I4D100K)))
