"""用 NumPy 实现高效的 Apriori 算法
文章：docs/blog/posts/2026-11-24-apriori-numpy.md

Frequent itemsets and association rules with NumPy. ``apriori`` mines every
itemset whose support reaches ``min_support``, level by level: single items
are counted with ``bincount``, pairs by enumerating the pairs inside each
transaction (one ``bincount`` over integer pair codes), and longer itemsets
by a popcount over the AND of bitsets packed into ``uint64`` words (one bit
per transaction), in chunks that keep memory bounded. ``association_rules``
derives rules with mlxtend's metrics, and ``generate_transactions`` is the
synthetic data generator of Agrawal & Srikant (1994).

Modules: encoding (input checks), counting (support counts), candidates
(join and prune), core (the miner), rules, data (generators), page (the
article's demos).
"""

from .core import apriori, apriori_trace, item_bitsets
from .data import generate_transactions, generator_patterns
from .rules import (DEFAULT_METRICS, METRICS, association_rules,
                    rule_metrics)

__all__ = ["DEFAULT_METRICS", "METRICS", "apriori", "apriori_trace",
           "association_rules", "generate_transactions",
           "generator_patterns", "item_bitsets", "rule_metrics"]
