"""Association rules from frequent itemsets, with mlxtend's metrics.

``association_rules`` turns ``apriori``'s {frozenset: support} into rules
A -> C with support, confidence, lift and mlxtend's other metrics
(leverage, conviction, Zhang's metric, ...), computed by ``rule_metrics``.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from itertools import combinations

import numpy as np
import pandas as pd

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
