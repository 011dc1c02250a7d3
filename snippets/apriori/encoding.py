"""Input validation and encoding for apriori.

Transactions (an iterable of iterables, or a one-hot DataFrame as mlxtend
takes) become (n, indptr, codes, items): a CSR-like layout where row t's
item codes, sorted and unique, are ``codes[indptr[t]:indptr[t + 1]]`` and
``items[code]`` is the original item. The miner works on these integers.
"""

from __future__ import annotations

import math
import numbers
from array import array
from collections.abc import Iterable
from itertools import chain

import numpy as np
import pandas as pd


def _check_min_support(min_support):
    if isinstance(min_support, bool) or not isinstance(min_support, numbers.Real):
        raise TypeError("min_support must be a real number in (0, 1], "
                        f"got {type(min_support).__name__}")
    if not (0.0 < float(min_support) <= 1.0):
        raise ValueError(f"min_support must lie in (0, 1], got {min_support!r}")
    return float(min_support)


def _min_count(min_support, n):
    """Smallest count c with c / n >= min_support (the float comparison)."""
    c = max(1, math.ceil(min_support * n))
    while c > 1 and (c - 1) / n >= min_support:
        c -= 1
    while c / n < min_support:
        c += 1
    return c


def _is_zero_or_one(value):
    """True/False or a real number equal to 0 or 1 (mlxtend's rule)."""
    if isinstance(value, (bool, np.bool_)):
        return True
    return isinstance(value, numbers.Real) and value in (0, 1)


def _check_one_hot_column(name, column):
    """Raise ValueError unless a column holds only True/False or 1/0.

    Accepted, as by mlxtend: bool, integer and float columns, object
    columns of bools and numbers, pandas' nullable boolean/Int/Float
    columns, and sparse versions of these. Missing values (NaN, pd.NA)
    and any other value, such as a count of 2, are refused; so are
    strings, categories, dates and complex numbers.
    """
    def fail(what):
        raise ValueError(f"column {name!r} {what}: a one-hot DataFrame "
                         "must hold only True/False or 1/0")

    dtype = column.dtype
    if isinstance(dtype, pd.SparseDtype):
        # 稀疏列：检查存储的值；有空位时填充值也算数据
        values = np.asarray(column.sparse.sp_values)
        if column.sparse.npoints < len(column):
            values = np.r_[values, np.asarray([dtype.fill_value],
                                              dtype=values.dtype)]
        kind = dtype.subtype.kind
    elif isinstance(dtype, np.dtype):
        values, kind = column.to_numpy(), dtype.kind
    else:  # pandas 的扩展类型：只接受可空的 boolean、Int、Float
        kind = dtype.kind if dtype.kind in "biuf" else "?"
        if kind != "?":
            if column.isna().any():
                fail("has missing values (pd.NA)")
            values = column.to_numpy(dtype=np.float64)
    if kind not in "biufO":
        fail(f"has dtype {dtype}")
    if kind == "b":
        return
    if kind == "O":
        bad = [v for v in values if not _is_zero_or_one(v)]
        if bad:
            missing = pd.api.types.is_scalar(bad[0]) and pd.isna(bad[0])
            fail("has missing values (NaN)" if missing
                 else f"holds {bad[0]!r}")
        return
    if kind == "f" and np.isnan(values).any():
        fail("has missing values (NaN)")
    bad = (values != 0) & (values != 1)
    if bad.any():
        fail(f"holds {values[bad][0].item()!r}")


def _encode_frame(df):
    """One-hot DataFrame -> (n, indptr, codes, items).

    The columns are the items; each must hold only True/False or 1/0
    (see ``_check_one_hot_column``), dense or sparse.
    """
    if df.shape[0] == 0:
        raise ValueError("no transactions: the DataFrame has no rows")
    if df.columns.has_duplicates:
        dup = df.columns[df.columns.duplicated()][0]
        raise ValueError(f"duplicate column {dup!r}: columns are the items")
    dtypes = list(df.dtypes)
    if not all(dt == np.bool_ for dt in dtypes):
        for j, name in enumerate(df.columns):
            _check_one_hot_column(name, df.iloc[:, j])
    sparse = [isinstance(dt, pd.SparseDtype) for dt in dtypes]
    if sparse and all(sparse) and all(
            not dt.fill_value for dt in dtypes):
        # 全部是以 0/False 填充的稀疏列：直接取 CSR，不展开成稠密矩阵
        csr = df.sparse.to_coo().tocsr()
        csr.sum_duplicates()
        csr.sort_indices()
        csr.eliminate_zeros()
        indptr = csr.indptr.astype(np.int64)
        codes = csr.indices.astype(np.int64)
    else:
        if any(sparse) or not all(dt == np.bool_ for dt in dtypes):
            matrix = np.empty(df.shape, dtype=bool)
            for j in range(df.shape[1]):
                matrix[:, j] = df.iloc[:, j].to_numpy(dtype=bool)
        else:
            matrix = df.to_numpy(dtype=bool)
        rows, codes = np.nonzero(matrix)  # 按行主序，行内有序
        indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=len(df)))]
    return df.shape[0], indptr, codes, list(df.columns)


def _as_row(t):
    if isinstance(t, (list, tuple, set, frozenset)):
        return t
    if isinstance(t, (str, bytes)) or not isinstance(t, Iterable):
        raise TypeError("each transaction must be an iterable of items "
                        f"(a list, tuple or set), got {t!r}")
    return tuple(t)


def _encode_iterable(transactions):
    """Iterable of iterables -> (n, indptr, codes, items), rows sorted/unique."""
    if isinstance(transactions, (str, bytes)) or not isinstance(
            transactions, Iterable):
        raise TypeError("transactions must be an iterable of iterables of "
                        "items or a one-hot pandas DataFrame, got "
                        f"{type(transactions).__name__}")
    if isinstance(transactions, np.ndarray) and transactions.dtype == bool:
        # 否则每一行会被当成商品 True/False 的集合，结果悄悄出错
        raise TypeError("a boolean array looks like a one-hot matrix: pass "
                        "it as a pandas DataFrame whose columns name the "
                        "items")
    rows = transactions if isinstance(transactions, list) \
        else list(transactions)
    if not set(map(type, rows)) <= {list, tuple, set, frozenset}:
        rows = [_as_row(t) for t in rows]
    n = len(rows)
    if n == 0:
        raise ValueError("no transactions: the input is empty")
    lens = np.fromiter(map(len, rows), dtype=np.int64, count=n)
    flat = list(chain.from_iterable(rows))
    codes = values = None
    if flat and isinstance(flat[0], (int, np.integer)):
        try:  # array("q") 只收整数：浮点数、字符串都会报 TypeError
            values = np.frombuffer(array("q", flat), dtype=np.int64)
        except (TypeError, OverflowError):
            pass
    if values is not None and values.ndim == 1 and values.dtype.kind == "i":
        # 全是整数：用数组运算编码，不必逐个查字典
        lo, hi = int(values.min()), int(values.max())
        if lo >= 0 and hi < 4 * len(flat) + 1024:
            present = np.bincount(values, minlength=hi + 1) > 0
            uniq = np.flatnonzero(present)
            codes = (np.cumsum(present) - 1)[values]
        else:
            uniq, codes = np.unique(values, return_inverse=True)
        items = uniq.tolist()
    if codes is None:
        mapping = {}
        try:
            codes = np.fromiter(
                (mapping.setdefault(x, len(mapping)) for x in flat),
                dtype=np.int64, count=len(flat))
        except TypeError as exc:
            raise TypeError(f"items must be hashable: {exc}") from None
        items = list(mapping)
        try:  # 能排序就按商品本身排序，输出顺序更自然
            order = sorted(range(len(items)), key=items.__getitem__)
        except TypeError:
            order = None
        if order is not None:
            new_code = np.empty(len(items), dtype=np.int64)
            new_code[order] = np.arange(len(items))
            codes = new_code[codes]
            items = [items[i] for i in order]
    # 每行内排序并去重：重复出现的商品只算一次
    n_codes = max(len(items), 1)
    key = np.repeat(np.arange(n, dtype=np.int64), lens) * n_codes + codes
    if key.size > 1 and not (key[1:] > key[:-1]).all():
        key = _unique(key)
        row = key // n_codes
        codes = key - row * n_codes
        lens = np.bincount(row, minlength=n)
    return n, np.r_[0, np.cumsum(lens)], codes, items


def _unique(a, counts=False):
    """Sorted unique values (and counts) by sorting: no hashing."""
    a = np.sort(a)
    start = np.flatnonzero(np.r_[True, a[1:] != a[:-1]]) if a.size else \
        np.empty(0, np.int64)
    if counts:
        return a[start], np.diff(np.r_[start, a.size])
    return a[start]
