"""snippets/apriori.py against mlxtend (apriori, fpgrowth, association_rules)."""

import json
import random
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mlxtend.frequent_patterns import apriori as mlx_apriori
from mlxtend.frequent_patterns import association_rules as mlx_rules
from mlxtend.preprocessing import TransactionEncoder

from snippets import apriori as ap
from snippets.apriori import apriori, association_rules, generate_transactions

TOL = 1e-12
RULE_COLUMNS = ["antecedents", "consequents", "support", "confidence", "lift",
                "leverage", "conviction", "zhangs_metric"]


def one_hot(transactions):
    encoder = TransactionEncoder()
    matrix = encoder.fit(transactions).transform(transactions)
    return pd.DataFrame(matrix, columns=encoder.columns_)


def reference(frame, min_support, max_len=None, low_memory=False):
    out = mlx_apriori(frame, min_support=min_support, use_colnames=True,
                      max_len=max_len, low_memory=low_memory)
    return dict(zip(out["itemsets"], out["support"]))


def assert_same_itemsets(ours, ref, tol=TOL):
    assert isinstance(ours, dict)
    assert set(ours) == set(ref)
    for itemset, support in ref.items():
        assert abs(ours[itemset] - support) <= tol


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


# ---------------------------------------------------------------------------
# Against mlxtend on random data
# ---------------------------------------------------------------------------

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


@settings(max_examples=150, deadline=None)
@given(datasets())
def test_matches_mlxtend_on_random_frames(case):
    frame, min_support, max_len = case
    ref = reference(frame, min_support, max_len)
    assert_same_itemsets(apriori(frame, min_support, max_len), ref)
    # 同样的数据写成事务列表，结果也一样
    rows = [[c for c, v in zip(frame.columns, row) if v]
            for row in frame.to_numpy()]
    assert_same_itemsets(apriori(rows, min_support, max_len), ref)


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


@pytest.mark.parametrize("seed", range(8))
def test_matches_mlxtend_on_sparse_generated_data(seed):
    """Bigger sparse baskets: long itemsets, all levels, the bitset path."""
    rng = np.random.default_rng(seed)
    data = generate_transactions(
        int(rng.integers(300, 1500)),
        avg_transaction_len=int(rng.integers(4, 12)),
        avg_pattern_len=int(rng.integers(2, 5)),
        n_items=int(rng.integers(30, 200)),
        n_patterns=int(rng.integers(20, 80)), seed=seed)
    frame = one_hot(data)
    min_support = float(rng.uniform(0.03, 0.08))
    ref = reference(frame, min_support, low_memory=True)
    assert max(map(len, ref)) >= 3
    assert_same_itemsets(apriori(data, min_support), ref)
    frequent_df = mlx_apriori(frame, min_support=min_support,
                              use_colnames=True, low_memory=True)
    ours = association_rules(apriori(data, min_support), 0.7)
    assert_same_rules(ours, reference_rules(frame, frequent_df, 0.7), 0.7)


@pytest.mark.parametrize("setting", ["tiny_chunks", "no_bitset_cache",
                                     "sorted_pair_counts"])
def test_memory_bounded_paths_match_mlxtend(monkeypatch, setting):
    """The chunked code paths (forced with tiny budgets) give the same result."""
    if setting == "tiny_chunks":
        monkeypatch.setattr(ap, "CHUNK_BYTES", 4096)
    elif setting == "no_bitset_cache":
        monkeypatch.setattr(ap, "BITSET_CACHE_BYTES", 0)
    else:  # F*F 个计数器超出预算：改为排序计数
        monkeypatch.setattr(ap, "CHUNK_BYTES", 64)
    data = generate_transactions(1500, avg_transaction_len=8, n_items=120,
                                 n_patterns=30, seed=11)
    ref = reference(one_hot(data), 0.02, low_memory=True)
    assert max(map(len, ref)) >= 4
    assert_same_itemsets(apriori(data, 0.02), ref)


def test_dense_and_sparse_pair_counting_agree_with_mlxtend(monkeypatch):
    calls = []
    for name in ("_count_pairs", "_count_pairs_dense"):
        real = getattr(ap, name)
        monkeypatch.setattr(ap, name, lambda *a, _f=real, _n=name:
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


# ---------------------------------------------------------------------------
# Edge cases
# ---------------------------------------------------------------------------

def test_one_transaction():
    out = apriori([["a", "b", "c"]], 0.5)
    assert out == reference(one_hot([["a", "b", "c"]]), 0.5)
    assert len(out) == 7 and all(v == 1.0 for v in out.values())


def test_empty_transaction_counts_in_the_denominator():
    data = [["a", "b"], [], ["a"], ["a", "b"]]
    frame = one_hot(data)
    assert_same_itemsets(apriori(data, 0.5), reference(frame, 0.5))
    assert apriori(data, 0.5)[frozenset({"a"})] == 0.75
    assert apriori([[], []], 0.5) == {}


def test_no_frequent_item():
    data = [["a"], ["b"], ["c"], ["d"]]
    assert apriori(data, 0.3) == {}
    assert reference(one_hot(data), 0.3) == {}


def test_min_support_one():
    data = [["a", "b", "c"], ["a", "b"], ["b", "a", "d"]]
    out = apriori(data, 1.0)
    assert out == reference(one_hot(data), 1.0)
    assert set(out) == {frozenset("a"), frozenset("b"), frozenset("ab")}


def test_max_len_one():
    data = generate_transactions(200, n_items=20, n_patterns=5, seed=1)
    out = apriori(data, 0.05, max_len=1)
    assert all(len(k) == 1 for k in out)
    assert_same_itemsets(out, reference(one_hot(data), 0.05, max_len=1))


@pytest.mark.parametrize("items", [
    ["牛奶", "面包", "尿布", "啤酒"],
    [3, 17, 250, 4096],
    [-5, 0, 2**40, 7],
    [2**70, -(2**70), 1, 2],
    [np.int64(1), np.int64(2), np.int64(3), np.int64(4)],
    [1.5, 2.5, 3.0, 4.25],
    [("a", 1), ("b", 2), ("c", 3), ("d", 4)],
    [1, "1", 2.5, None],
])
def test_item_types(items):
    rng = random.Random(0)
    data = [rng.sample(items, rng.randint(0, 4)) for _ in range(40)]
    labels = {i: item for i, item in enumerate(items)}
    # mlxtend 需要可排序的列名：按编号编码后再换回原来的物品
    coded = [[items.index(x) for x in t] for t in data]
    ref = {frozenset(labels[i] for i in k): v
           for k, v in reference(one_hot(coded), 0.1).items()}
    out = apriori(data, 0.1)
    assert_same_itemsets(out, ref)
    for itemset in out:  # 键里是原来的物品本身
        for item in itemset:
            assert any(item == x and type(item) is type(x) or
                       isinstance(x, np.integer) and item == x
                       for x in items)


def test_duplicates_inside_a_transaction_count_once():
    data = [["a", "a", "b"], ["b", "b", "b"], [1, 1, "a"]]
    deduped = [sorted(set(t), key=str) for t in data]
    coded = [[str(x) for x in t] for t in deduped]
    ref = {frozenset(int(x) if x == "1" else x for x in k): v
           for k, v in reference(one_hot(coded), 0.3).items()}
    assert_same_itemsets(apriori(data, 0.3), ref)
    assert apriori([[5, 5, 5, 2]], 1.0) == {
        frozenset({5}): 1.0, frozenset({2}): 1.0, frozenset({2, 5}): 1.0}


def test_iterable_inputs():
    data = [["x", "y"], ["y", "z"], ["x", "y", "z"]]
    expected = apriori(data, 0.5)
    assert apriori((iter(t) for t in data), 0.5) == expected
    assert apriori(tuple(set(t) for t in data), 0.5) == expected


def test_sparse_boolean_frame():
    rng = np.random.default_rng(4)
    dense = pd.DataFrame(rng.random((60, 8)) < 0.4,
                         columns=[f"c{j}" for j in range(8)])
    sparse = dense.astype(pd.SparseDtype(bool, False))
    ref = reference(dense, 0.1)
    assert_same_itemsets(apriori(sparse, 0.1), ref)
    assert_same_itemsets(reference(sparse, 0.1), ref)


def test_frame_with_no_columns():
    assert apriori(pd.DataFrame(index=range(3)), 0.5) == {}


def test_rules_order_is_deterministic():
    frequent = apriori(ap.BASKETS, 0.3)
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


# ---------------------------------------------------------------------------
# Bad inputs
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", [0, 0.0, -0.1, 1.0000001, 2, float("nan"),
                                   float("inf")])
def test_min_support_out_of_range(value):
    with pytest.raises(ValueError, match="min_support must lie in"):
        apriori([["a"]], value)


@pytest.mark.parametrize("value", ["0.5", None, True, [0.5]])
def test_min_support_wrong_type(value):
    with pytest.raises(TypeError, match="min_support"):
        apriori([["a"]], value)


@pytest.mark.parametrize("data", [[], (), iter([]), pd.DataFrame()])
def test_empty_input(data):
    with pytest.raises(ValueError, match="no transactions"):
        apriori(data, 0.5)


# 独热 DataFrame 的各种写法：布尔、0/1 整数或浮点、object、可空类型、稀疏
ONE_HOT_DTYPES = {
    "bool": lambda f: f,
    "int64": lambda f: f.astype(np.int64),
    "uint8": lambda f: f.astype(np.uint8),
    "int8": lambda f: f.astype(np.int8),
    "float64": lambda f: f.astype(np.float64),
    "float32": lambda f: f.astype(np.float32),
    "object of bools": lambda f: f.astype(object),
    "object of 0/1": lambda f: f.astype(int).astype(object),
    "nullable boolean": lambda f: f.astype("boolean"),
    "nullable Int64": lambda f: f.astype("Int64"),
    "nullable Float64": lambda f: f.astype("Float64"),
    "sparse bool": lambda f: f.astype(pd.SparseDtype(bool, False)),
    "sparse int": lambda f: f.astype(pd.SparseDtype(np.int64, 0)),
    "sparse uint8": lambda f: f.astype(pd.SparseDtype(np.uint8, 0)),
    "sparse float": lambda f: f.astype(pd.SparseDtype(np.float64, 0.0)),
    # 以下两种 mlxtend 不接受（to_coo 要求填充值为 0），这里照样能用
    "sparse float, NaN fill": lambda f: f.astype(float).astype(
        pd.SparseDtype(np.float64)),
    "sparse int, fill 1": lambda f: f.astype(pd.SparseDtype(np.int64, 1)),
    "half sparse": lambda f: pd.concat(
        [f.iloc[:, ::2].astype(pd.SparseDtype(bool, False)),
         f.iloc[:, 1::2].astype(np.int64)], axis=1)[f.columns],
}
MLXTEND_REFUSES = {"sparse float, NaN fill", "sparse int, fill 1"}


@settings(max_examples=60, deadline=None)
@given(datasets(max_items=8), st.sampled_from(sorted(ONE_HOT_DTYPES)))
def test_one_hot_frames_of_every_dtype_match_mlxtend(case, kind):
    frame, min_support, max_len = case
    converted = ONE_HOT_DTYPES[kind](frame)
    ref = reference(frame, min_support, max_len)
    assert_same_itemsets(apriori(converted, min_support, max_len), ref)
    # mlxtend 在同一个 DataFrame 上的结果。float32 列除外：mlxtend 以 float32
    # 求支持度，只有约 7 位有效数字，恰好等于阈值的项集可能落在阈值两侧
    if kind not in MLXTEND_REFUSES and kind != "float32":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            direct = reference(converted, min_support, max_len)
        assert_same_itemsets(apriori(converted, min_support, max_len),
                             direct)


def test_sparse_frame_from_scipy_matrix():
    import scipy.sparse

    rng = np.random.default_rng(9)
    dense = rng.random((200, 12)) < 0.3
    frame = pd.DataFrame.sparse.from_spmatrix(
        scipy.sparse.csr_matrix(dense.astype(np.int64)),
        columns=[f"c{j}" for j in range(12)])
    ref = reference(pd.DataFrame(dense, columns=frame.columns), 0.05)
    assert_same_itemsets(apriori(frame, 0.05), ref)


NOT_ONE_HOT = {
    "count 2": pd.DataFrame({"a": [1, 2, 0], "b": [1, 1, 0]}),
    "negative": pd.DataFrame({"a": [1, -1, 0]}),
    "float 0.5": pd.DataFrame({"a": [1.0, 0.5, 0.0]}),
    "NaN": pd.DataFrame({"a": [1.0, np.nan, 0.0]}),
    "None": pd.DataFrame({"a": [True, None, False]}),
    "pd.NA boolean": pd.DataFrame(
        {"a": pd.array([True, None, False], dtype="boolean")}),
    "pd.NA Int64": pd.DataFrame({"a": pd.array([1, None, 0],
                                               dtype="Int64")}),
    "strings": pd.DataFrame({"a": ["1", "0", "1"]}),
    "object strings": pd.DataFrame({"a": ["1", "0", "1"]}, dtype=object),
    "object 2": pd.DataFrame({"a": [True, 2, 0]}, dtype=object),
    "sparse 2": pd.DataFrame({"a": [2, 0, 1]}).astype(
        pd.SparseDtype(np.int64, 0)),
    "sparse NaN gaps": pd.DataFrame(
        {"a": pd.arrays.SparseArray([1.0, np.nan, 1.0])}),
    # mlxtend 会接受下面两种，但它们不是 0/1 数据：明确拒绝
    "category": pd.DataFrame({"a": pd.Categorical([1, 0, 1])}),
    "complex": pd.DataFrame({"a": [1 + 0j, 0j, 1 + 0j]}),
    "datetime": pd.DataFrame({"a": pd.to_datetime(["2020", "2021",
                                                   "2022"])}),
}


@pytest.mark.parametrize("kind", sorted(NOT_ONE_HOT))
def test_frame_values_other_than_0_1_are_refused(kind):
    frame = NOT_ONE_HOT[kind]
    with pytest.raises(ValueError, match="one-hot DataFrame must hold "
                                         "only True/False or 1/0"):
        apriori(frame, 0.5)
    if kind not in ("category", "complex"):  # mlxtend 同样拒绝
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            with pytest.raises((ValueError, TypeError)):
                mlx_apriori(frame, min_support=0.5, use_colnames=True)


def test_error_names_the_column_and_value():
    frame = pd.DataFrame({"牛奶": [1, 0, 1], "面包": [1, 3, 0]})
    with pytest.raises(ValueError, match="column '面包' holds 3"):
        apriori(frame, 0.5)
    with pytest.raises(ValueError, match="missing values"):
        apriori(pd.DataFrame({"x": [1.0, np.nan]}), 0.5)


def test_boolean_array_is_not_a_list_of_transactions():
    # 旧实现把每一行当成商品 True/False 的集合，静默地给出错误结果
    with pytest.raises(TypeError, match="DataFrame"):
        apriori(np.array([[True, False], [True, True]]), 0.5)
    # 整数数组的每一行仍是一个事务（商品编号）
    assert apriori(np.array([[1, 2], [2, 3]]), 1.0) == {frozenset({2}): 1.0}


def test_frame_duplicate_columns():
    frame = pd.DataFrame([[True, False]], columns=["a", "a"])
    with pytest.raises(ValueError, match="duplicate column"):
        apriori(frame, 0.5)


@pytest.mark.parametrize("data", ["abc", 5, None, ["ab", "cd"], [[1], 2],
                                  [[[1, 2]], [[3]]]])
def test_bad_transactions(data):
    with pytest.raises(TypeError):
        apriori(data, 0.5)


@pytest.mark.parametrize("max_len, error", [(0, ValueError), (-1, ValueError),
                                            (1.5, TypeError),
                                            ("2", TypeError)])
def test_bad_max_len(max_len, error):
    with pytest.raises(error, match="max_len"):
        apriori([["a"]], 0.5, max_len)


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
    frequent = apriori(ap.BASKETS, 0.3)
    default = association_rules(frequent, 0.7)
    assert list(default.columns) == RULE_COLUMNS
    every = association_rules(frequent, 0.7, return_metrics="all")
    assert list(every.columns) == ["antecedents", "consequents",
                                   *ap.METRICS]
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


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Demos and the committed benchmark results
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["show_baskets", "show_frequent_itemsets",
                                  "show_rules", "show_trace_summary",
                                  "show_trace", "show_benchmark",
                                  "show_benchmark_ratios",
                                  "show_benchmark_setup"])
def test_table_demos(name):
    out = getattr(ap, name)()
    assert isinstance(out, pd.DataFrame) and len(out) > 0


def test_text_and_figure_demos():
    import matplotlib.figure

    assert "popcount = 5" in ap.show_bitsets()
    assert isinstance(ap.plot_benchmark(), matplotlib.figure.Figure)
    with pytest.raises(ValueError, match="holds 2"):
        ap.show_bad_input()


def test_trace_agrees_with_the_result():
    """Frequent entries of the trace are exactly mlxtend's itemsets."""
    trace, items, min_count = ap._basket_trace()
    traced = {frozenset(items[i] for i in cand)
              for rec in trace
              for cand, pruned, count in zip(rec["candidates"],
                                             rec["pruned"], rec["counts"])
              if not pruned and count >= min_count}
    assert traced == set(reference(one_hot(ap.BASKETS), ap.BASKET_SUPPORT))


def test_committed_benchmark_results():
    path = Path(__file__).resolve().parent.parent / ap.BENCHMARK_RESULTS
    bench = json.loads(path.read_text(encoding="utf-8"))
    assert bench["dataset"]["n_transactions"] == 100_000
    assert [r["min_support"] for r in bench["results"]] == [0.01, 0.005,
                                                            0.0025]
    for res in bench["results"]:
        assert all(res["identical"].values())
        assert set(res["median_seconds"]) == set(ap.LIBRARIES)
