"""Benchmark: snippets.apriori against pyfim, mlxtend and efficient-apriori.

On T10.I4.D100K (100,000 transactions from the Agrawal & Srikant generator,
``snippets.apriori.generate_transactions``) at minimum supports 1 %, 0.5 %,
0.25 % and 0.1 %, times

* ``snippets.apriori.apriori`` on the list of transactions (its conversion
  of the input included),
* Christian Borgelt's C implementations from PyPI ``pyfim`` (``import
  fim``): ``fim.apriori`` and ``fim.fpgrowth`` on the same list, with
  ``supp`` in percent (its default unit; it keeps an itemset when
  count >= supp / 100 * n, the same ">=" as ours), ``zmin=1`` and
  ``report="a"`` (absolute counts),
* mlxtend ``apriori(low_memory=True)`` and ``fpgrowth`` on the one-hot
  DataFrame (the TransactionEncoder step is timed separately and NOT
  included, which favours mlxtend),
* ``efficient_apriori.apriori`` on the list, with ``max_length`` set to the
  longest transaction (its default of 8 silently drops longer itemsets) and
  ``min_confidence=1`` so that it builds few rules.

mlxtend's default ``apriori`` (``low_memory=False``) is not run: at level 2
it materialises a boolean array of shape (n, C(F, 2), 2); the script
reports that size. All libraries must return the same itemsets (supports
to 1e-12). Timings are medians of interleaved repeats (this implementation
and pyfim 7 times, the pure-Python libraries 3 times); the peak memory of
this implementation is measured with tracemalloc in a separate run. The
goal: at least as fast as pyfim's apriori at every support.

    python benchmarks/bench_apriori.py            # full run, writes the JSON
    python benchmarks/bench_apriori.py --quick    # 20,000 transactions

The full run writes benchmarks/results/apriori.json, which the article
reads (the site build never times anything).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from importlib import metadata
from math import comb
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import efficient_apriori  # noqa: E402
import fim  # noqa: E402  (PyPI: pyfim)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from mlxtend.frequent_patterns import apriori as mlx_apriori  # noqa: E402
from mlxtend.frequent_patterns import fpgrowth  # noqa: E402
from mlxtend.preprocessing import TransactionEncoder  # noqa: E402

from snippets.apriori import apriori, generate_transactions  # noqa: E402
from snippets.apriori.data import T10I4D100K  # noqa: E402
# 单独计时本文实现的输入转换：这是内部的一步，没有公开的接口
from snippets.apriori.encoding import _encode_iterable  # noqa: E402

SUPPORTS = (0.01, 0.005, 0.0025, 0.001)
MEMORY_BAR_MB = 1024
# 运行得快的实现多重复几次；纯 Python 的参考库每次要几秒到几十秒
FAST = ("numpy", "pyfim_apriori", "pyfim_fpgrowth")
MLXTEND = ("mlxtend_apriori_low_memory", "mlxtend_fpgrowth")


def one_hot(transactions):
    encoder = TransactionEncoder()
    matrix = encoder.fit(transactions).transform(transactions)
    return pd.DataFrame(matrix, columns=encoder.columns_)


def run_numpy(data, frame, ms, max_length):
    return apriori(data, ms)


def from_fim(patterns, n):
    return {frozenset(items): count / n for items, count in patterns}


def run_fim_apriori(data, frame, ms, max_length):
    # supp 是百分数；report="a" 报告绝对计数
    return from_fim(fim.apriori(data, supp=100 * ms, zmin=1, report="a"),
                    len(data))


def run_fim_fpgrowth(data, frame, ms, max_length):
    return from_fim(fim.fpgrowth(data, supp=100 * ms, zmin=1, report="a"),
                    len(data))


def run_mlxtend_low_memory(data, frame, ms, max_length):
    out = mlx_apriori(frame, min_support=ms, use_colnames=True,
                      low_memory=True)
    return dict(zip(out["itemsets"], out["support"]))


def run_fpgrowth(data, frame, ms, max_length):
    out = fpgrowth(frame, min_support=ms, use_colnames=True)
    return dict(zip(out["itemsets"], out["support"]))


def run_efficient_apriori(data, frame, ms, max_length):
    itemsets, _ = efficient_apriori.apriori(
        data, min_support=ms, min_confidence=1.0, max_length=max_length)
    n = len(data)
    return {frozenset(k): c / n for level in itemsets.values()
            for k, c in level.items()}


RUNNERS = {
    "numpy": run_numpy,
    "pyfim_apriori": run_fim_apriori,
    "pyfim_fpgrowth": run_fim_fpgrowth,
    "mlxtend_apriori_low_memory": run_mlxtend_low_memory,
    "mlxtend_fpgrowth": run_fpgrowth,
    "efficient_apriori": run_efficient_apriori,
}


def timed(fn, *args):
    gc.collect()
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def same_itemsets(a, b):
    return a.keys() == b.keys() and all(abs(a[k] - b[k]) <= 1e-12 for k in a)


def peak_memory_mb(data, ms):
    gc.collect()
    tracemalloc.start()
    apriori(data, ms)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = float("nan")
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = int(line.split()[1]) / 2**20
    except OSError:
        pass
    return {"cpu": cpu, "cpu_count": os.cpu_count(), "memory_gb": memory,
            "platform": platform.platform(terse=True),
            "python": platform.python_version()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="20,000 transactions, fewer repeats, no JSON")
    parser.add_argument("--repeats", type=int, default=None,
                        help="repeats of each reference library (default 3)")
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write the JSON (default: "
                             "benchmarks/results/apriori.json on full runs)")
    args = parser.parse_args()

    params = dict(T10I4D100K)
    if args.quick:
        params["n_transactions"] = 20_000
    ref_repeats = args.repeats or (1 if args.quick else 3)
    own_repeats = max(5, 2 * ref_repeats + 1)
    name = "T10.I4.D{}K".format(params["n_transactions"] // 1000)

    data = generate_transactions(**params)
    n = len(data)
    lens = np.fromiter(map(len, data), dtype=np.int64, count=n)
    max_length = int(lens.max())
    print(f"{name}: {n} transactions, mean length {lens.mean():.3f}, "
          f"longest {max_length}")
    encode_times = []
    for _ in range(3):
        seconds, frame = timed(one_hot, data)
        encode_times.append(seconds)
    encode = statistics.median(encode_times)
    print(f"mlxtend one-hot encoding (not counted): {encode:.3f} s")

    # 本文实现里“把事务列表转换成整数数组”这一步单独用了多久
    convert = statistics.median(timed(_encode_iterable, data)[0]
                                for _ in range(7))
    print(f"snippets.apriori input conversion alone: {convert:.3f} s")

    results, estimates = [], []
    for ms in SUPPORTS:
        times = {key: [] for key in RUNNERS}
        outputs = {}
        for round_ in range(max(own_repeats, ref_repeats)):
            for key, fn in RUNNERS.items():
                if round_ >= (own_repeats if key in FAST else ref_repeats):
                    continue
                seconds, out = timed(fn, data, frame, ms, max_length)
                times[key].append(seconds)
                outputs.setdefault(key, out)
        reference = outputs["numpy"]
        identical = {key: same_itemsets(reference, out)
                     for key, out in outputs.items()}
        median = {key: statistics.median(t) for key, t in times.items()}
        fastest = min((k for k in RUNNERS if k != "numpy"), key=median.get)
        speedup = median[fastest] / median["numpy"]
        mlxtend = min(MLXTEND, key=median.get)
        # 倍数 = 对方的中位数时间 / 本文实现的中位数时间；> 1 表示本文更快
        ratios = {"pyfim_apriori": median["pyfim_apriori"] / median["numpy"],
                  "pyfim_fpgrowth": median["pyfim_fpgrowth"]
                  / median["numpy"],
                  "fastest_mlxtend": median[mlxtend] / median["numpy"]}
        peak = peak_memory_mb(data, ms)
        n_frequent_items = sum(len(k) == 1 for k in reference)
        # mlxtend 默认模式在第 2 层建立 X[:, combin]：n × C(F,2) × 2 个布尔值
        gib = n * comb(n_frequent_items, 2) * 2 / 2**30
        estimates.append({"min_support": ms, "frequent_items":
                          n_frequent_items, "gib": gib})
        results.append({
            "min_support": ms, "n_itemsets": len(reference),
            "longest_itemset": max(map(len, reference)),
            "seconds": times, "median_seconds": median,
            "fastest_reference": fastest, "speedup": speedup,
            "fastest_mlxtend": mlxtend, "ratios": ratios,
            "peak_memory_mb": peak, "identical": identical,
        })
        print(f"\nmin_support {ms:.2%}: {len(reference)} itemsets "
              f"(longest {max(map(len, reference))})")
        for key in RUNNERS:
            ratio = median[key] / median["numpy"]
            print(f"  {key:<28} median {median[key]:8.3f} s  "
                  f"({len(times[key])} runs)  ratio {ratio:6.2f}x  "
                  f"same itemsets: {identical[key]}")
        print(f"  ratios: pyfim apriori {ratios['pyfim_apriori']:.2f}x, "
              f"pyfim fpgrowth {ratios['pyfim_fpgrowth']:.2f}x, "
              f"fastest mlxtend ({mlxtend}) "
              f"{ratios['fastest_mlxtend']:.1f}x")
        print(f"  fastest reference: {fastest} ({speedup:.2f}x)   "
              f"peak memory {peak:.0f} MB   "
              f"mlxtend default mode would allocate {gib:.0f} GiB")
        ok = ratios["pyfim_apriori"] >= 1 and peak < MEMORY_BAR_MB and all(
            identical.values())
        print(f"  goal (>= pyfim apriori, < {MEMORY_BAR_MB} MB, identical): "
              + ("PASS" if ok else "FAIL"))

    versions = {pkg: metadata.version(pkg) for pkg in
                ("numpy", "pandas", "pyfim", "mlxtend",
                 "efficient-apriori")}
    report = {
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "versions": versions,
        "dataset": {"name": name, "generator": params,
                    "n_transactions": n, "mean_len": float(lens.mean()),
                    "longest": max_length},
        "repeats": {"numpy": own_repeats, "pyfim": own_repeats,
                    "reference": ref_repeats},
        "encode_seconds": encode,
        "numpy_conversion_seconds": convert,
        "mlxtend_default_estimate": estimates,
        "results": results,
    }
    output = args.output or (None if args.quick else
                             ROOT / "benchmarks/results/apriori.json")
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, indent=1, ensure_ascii=False)
                          + "\n", encoding="utf-8")
        print(f"\nwrote {output}")


if __name__ == "__main__":
    main()
