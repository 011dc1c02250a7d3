"""snippets/apriori/encoding.py: the inputs apriori accepts and refuses.

One-hot DataFrames of every dtype mlxtend takes (dense, sparse, nullable)
against mlxtend on the boolean frame and a brute-force count.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mlxtend.frequent_patterns import apriori as mlx_apriori

from apriori.reference import (assert_same_itemsets, brute_force, datasets,
                               reference, rows_of)
from snippets.apriori import apriori


def test_sparse_boolean_frame():
    rng = np.random.default_rng(4)
    dense = pd.DataFrame(rng.random((60, 8)) < 0.4,
                         columns=[f"c{j}" for j in range(8)])
    sparse = dense.astype(pd.SparseDtype(bool, False))
    ref = brute_force(rows_of(dense), 0.1)
    assert_same_itemsets(apriori(sparse, 0.1), ref)


@settings(max_examples=40, deadline=None)
@given(datasets(max_items=8), st.integers(0, 2**32 - 1))
def test_sparse_frame_with_stored_zeros(case, seed):
    """A scipy matrix may store explicit zeros: they are not purchases."""
    import scipy.sparse

    frame, min_support, max_len = case
    dense = frame.to_numpy()
    # 在一些 False 的位置显式存 0（CSR 里有这个位置，值却是 0）
    stored = dense | (np.random.default_rng(seed).random(dense.shape) < 0.3)
    matrix = scipy.sparse.csr_matrix(stored.astype(np.int64))
    matrix.data[~dense[stored]] = 0
    sparse = pd.DataFrame.sparse.from_spmatrix(matrix, columns=frame.columns)
    assert_same_itemsets(apriori(sparse, min_support, max_len),
                         brute_force(rows_of(frame), min_support, max_len))


def test_frame_with_no_columns():
    assert apriori(pd.DataFrame(index=range(3)), 0.5) == {}



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
