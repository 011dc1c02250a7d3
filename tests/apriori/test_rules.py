"""snippets/apriori/rules.py: association_rules against mlxtend's."""

import random
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mlxtend.frequent_patterns import apriori as mlx_apriori
from mlxtend.frequent_patterns import association_rules as mlx_rules

from apriori.reference import TOL, datasets, one_hot
from snippets.apriori import (METRICS, apriori, association_rules,
                              generate_transactions)
from snippets.apriori.data import BASKETS

RULE_COLUMNS = ["antecedents", "consequents", "support", "confidence", "lift",
                "leverage", "conviction", "zhangs_metric"]


def reference_rules(frame, frequent_df, min_confidence):
    """mlxtend's rules with the six standard metrics, keyed by (antecedent, consequent)."""
    metrics = RULE_COLUMNS[2:]
    rules = mlx_rules(frequent_df, num_itemsets=len(frame),
                      metric="confidence", min_threshold=min_confidence,
                      return_metrics=metrics)
    return {(a, c): tuple(values) for a, c, *values in
            zip(rules.antecedents, rules.consequents, *(rules[m] for m in metrics))}


def assert_same_rules(ours, ref, min_confidence):
    assert list(ours.columns) == RULE_COLUMNS
    got = {(a, c): tuple(values) for a, c, *values in ours.itertuples(index=False)}
    assert len(got) == len(ours)  # 没有重复的规则
    # 置信度恰好等于阈值（如 7/10 对 0.7）时，两边的舍入可能落在阈值两侧
    tie = {k for k, v in (got | ref).items()
           if abs(v[1] - min_confidence) < 1e-12}
    assert got.keys() - tie == ref.keys() - tie
    for key in ref.keys() & got.keys():
        # conviction = (1 - s(C)) / (1 - conf) magnifies rounding when conf is near 1
        assert np.allclose(got[key], ref[key], rtol=1e-9, atol=TOL), key



@settings(max_examples=80, deadline=None)
@given(datasets(max_items=8), st.floats(0.0, 1.0))
def test_rules_match_mlxtend(case, min_confidence):
    frame, min_support, _ = case
    ours = association_rules(apriori(frame, min_support), min_confidence)
    frequent_df = mlx_apriori(frame, min_support=min_support,
                              use_colnames=True)
    if frequent_df.empty:
        assert ours.empty and list(ours.columns) == RULE_COLUMNS
        return
    assert_same_rules(ours, reference_rules(frame, frequent_df,
                                            min_confidence), min_confidence)


MLX_METRICS = ["antecedent support", "consequent support", "support",
               "confidence", "lift", "representativity", "leverage",
               "conviction", "zhangs_metric", "jaccard", "certainty",
               "kulczynski"]


def reference_metrics(frame, frequent_df, min_confidence):
    """Every metric of mlxtend's association_rules, keyed by rule."""
    with warnings.catch_warnings():  # mlxtend 在 s(C) = 1 时除以 0 再改写
        warnings.simplefilter("ignore", RuntimeWarning)
        rules = mlx_rules(frequent_df, num_itemsets=len(frame),
                          metric="confidence", min_threshold=min_confidence,
                          return_metrics=MLX_METRICS)
    values = rules[MLX_METRICS].to_numpy(dtype=float)
    return dict(zip(zip(rules.antecedents, rules.consequents), values))


def assert_same_metrics(ours, ref, min_confidence):
    assert list(ours.columns) == ["antecedents", "consequents", *MLX_METRICS]
    got = dict(zip(zip(ours.antecedents, ours.consequents),
                   ours[MLX_METRICS].to_numpy(dtype=float)))
    assert len(got) == len(ours)
    conf = MLX_METRICS.index("confidence")
    tie = {k for k, v in (got | ref).items()
           if abs(v[conf] - min_confidence) < 1e-12}
    assert got.keys() - tie == ref.keys() - tie
    for key in ref.keys() & got.keys():
        # conviction = (1 - s(C)) / (1 - conf) 放大置信度的末位差别：用相对误差
        np.testing.assert_allclose(got[key], ref[key], rtol=1e-9, atol=TOL)
        assert np.array_equal(np.isinf(got[key]), np.isinf(ref[key]))


@settings(max_examples=80, deadline=None)
@given(datasets(max_items=7), st.floats(0.0, 1.0))
def test_all_metrics_match_mlxtend(case, min_confidence):
    frame, min_support, _ = case
    ours = association_rules(apriori(frame, min_support), min_confidence,
                             return_metrics="all")
    frequent_df = mlx_apriori(frame, min_support=min_support,
                              use_colnames=True)
    if frequent_df.empty:
        assert ours.empty
        return
    assert_same_metrics(ours, reference_metrics(frame, frequent_df,
                                                min_confidence),
                        min_confidence)


@pytest.mark.parametrize("seed", range(4))
def test_rules_match_mlxtend_on_generated_data(seed):
    """Longer itemsets: rules from itemsets of three and more items."""
    data = generate_transactions(800, avg_transaction_len=8, n_items=60,
                                 n_patterns=30, seed=seed)
    frame = one_hot(data)
    frequent_df = mlx_apriori(frame, min_support=0.04, use_colnames=True,
                              low_memory=True)
    assert frequent_df.itemsets.map(len).max() >= 3
    ours = association_rules(apriori(data, 0.04), 0.7)
    assert_same_rules(ours, reference_rules(frame, frequent_df, 0.7), 0.7)


def test_metric_edge_cases_match_mlxtend():
    """Confidence 1 (conviction = inf) and Zhang's 0/0 when s(A) = 1."""
    data = [["a", "b"], ["a", "b"], ["a", "c"], ["a", "b", "c"]]
    frame = one_hot(data)
    ours = association_rules(apriori(data, 0.25), 0.0, return_metrics="all")
    ref = reference_metrics(frame, mlx_apriori(frame, min_support=0.25,
                                               use_colnames=True), 0.0)
    assert_same_metrics(ours, ref, 0.0)
    rule = {(a, c): row for a, c, *row in ours.itertuples(index=False)}
    col = {m: i for i, m in enumerate(MLX_METRICS)}
    b_a = rule[frozenset("b"), frozenset("a")]   # 买 b 的都买了 a
    assert b_a[col["confidence"]] == 1.0
    assert b_a[col["conviction"]] == np.inf
    # s(a) = 1：a ⇒ b 的 Zhang 分母 max(0.75·0, 1·(0.75 − 0.75)) = 0，取 0
    a_b = rule[frozenset("a"), frozenset("b")]
    assert a_b[col["zhangs_metric"]] == 0.0
    assert a_b[col["leverage"]] == 0.0
    assert b_a[col["certainty"]] == 0.0     # s(C) = 1：0/0 取 0
    # 正常情形对照定义：s(bc) = 0.25，s(b) = 0.75，s(c) = 0.5
    b_c = rule[frozenset("b"), frozenset("c")]
    conf = 0.25 / 0.75
    assert b_c[col["conviction"]] == pytest.approx((1 - 0.5) / (1 - conf))
    assert b_c[col["leverage"]] == pytest.approx(0.25 - 0.75 * 0.5)
    assert b_c[col["zhangs_metric"]] == pytest.approx(
        (0.25 - 0.375) / max(0.25 * 0.25, 0.75 * (0.5 - 0.25)))
    assert b_c[col["jaccard"]] == pytest.approx(0.25 / (0.75 + 0.5 - 0.25))
    assert b_c[col["kulczynski"]] == pytest.approx((conf + 0.5) / 2)


def test_rules_order_is_deterministic():
    frequent = apriori(BASKETS, 0.3)
    rules = association_rules(frequent, 0.5)
    shuffled = dict(random.Random(1).sample(list(frequent.items()),
                                            len(frequent)))
    again = association_rules(shuffled, 0.5)
    pd.testing.assert_frame_equal(rules, again)
    keys = list(zip(-rules.confidence, -rules.lift, -rules.support))
    assert keys == sorted(keys)


def test_rules_edge_cases():
    empty = association_rules({}, 0.5)
    assert empty.empty and list(empty.columns) == RULE_COLUMNS
    singles = association_rules({frozenset("a"): 0.5}, 0.0)
    assert singles.empty
    rules = association_rules(apriori([["a", "b"]] * 3, 1.0), 1.0)
    assert len(rules) == 2 and (rules.lift == 1.0).all()


def test_bad_rules_inputs():
    with pytest.raises(TypeError, match="dict"):
        association_rules([(frozenset("a"), 0.5)])
    for bad in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match="min_confidence"):
            association_rules({frozenset("a"): 0.5}, bad)
    with pytest.raises(ValueError, match="non-empty"):
        association_rules({frozenset(): 0.5})
    with pytest.raises(ValueError, match="support"):
        association_rules({frozenset("a"): 1.5})


@pytest.mark.parametrize("frequent, min_confidence, match", [
    ({frozenset("a"): 0.5}, "0.5", "min_confidence"),
    ({frozenset("a"): 0.5}, True, "min_confidence"),   # True 不是 1.0
    ({frozenset("a"): 0.5}, None, "min_confidence"),
    ({("a",): 0.5}, 0.5, "frozensets"),
    ({frozenset("a"): True}, 0.5, "support"),
    ({frozenset("a"): "0.5"}, 0.5, "support"),
])
def test_rules_wrong_types_are_type_errors(frequent, min_confidence, match):
    with pytest.raises(TypeError, match=match):
        association_rules(frequent, min_confidence)


def test_missing_subset_is_a_value_error_not_a_key_error():
    """Decision: ValueError (the argument is malformed), unlike mlxtend.

    mlxtend raises KeyError for the same input; ours is a ValueError and
    deliberately not a KeyError, whatever min_confidence is.
    """
    frequent = {frozenset("a"): 0.5, frozenset("ab"): 0.4}  # 缺 {b}
    for min_confidence in (0.0, 0.5, 0.9, 1.0):
        with pytest.raises(ValueError, match=r"\{'b'\} is missing") as info:
            association_rules(frequent, min_confidence)
        assert not isinstance(info.value, KeyError)
    frame = pd.DataFrame({"support": [0.5, 0.4],
                          "itemsets": [frozenset("a"), frozenset("ab")]})
    with pytest.raises(KeyError):
        mlx_rules(frame, num_itemsets=10, metric="confidence",
                  min_threshold=0.0)


def test_return_metrics_argument():
    frequent = apriori(BASKETS, 0.3)
    default = association_rules(frequent, 0.7)
    assert list(default.columns) == RULE_COLUMNS
    every = association_rules(frequent, 0.7, return_metrics="all")
    assert list(every.columns) == ["antecedents", "consequents",
                                   *METRICS]
    # 选出的列按给定的顺序排列，数值与 "all" 中的相同
    some = association_rules(frequent, 0.7, ["conviction", "leverage"])
    assert list(some.columns) == ["antecedents", "consequents",
                                  "conviction", "leverage"]
    pd.testing.assert_frame_equal(some, every[list(some.columns)])
    none = association_rules(frequent, 0.7, [])
    assert list(none.columns) == ["antecedents", "consequents"]
    empty = association_rules({}, 0.5, "all")
    assert empty.empty and list(empty.columns) == list(every.columns)
    for bad, error in [("lift", TypeError), ({"lift"}, TypeError),
                       (["lift", "odds"], ValueError),
                       (["lift", "lift"], ValueError), (None, TypeError)]:
        with pytest.raises(error, match="metric"):
            association_rules(frequent, 0.7, bad)
