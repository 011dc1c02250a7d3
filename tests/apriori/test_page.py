"""snippets/apriori/page.py: what the snapshots cannot vouch for.

The page's tests compare every demo's output with its approved snapshot;
here the numbers of the bitset demo are derived again from the baskets,
the failing demo fails for the stated reason, and the committed benchmark
results hold what the demos read.
"""

import json
import re
from pathlib import Path

import pytest

from snippets.apriori import page
from snippets.apriori.data import BASKETS


def test_bitset_demo_matches_the_baskets():
    lines = page.show_bitsets().splitlines()
    rows = {}
    for line in lines[1:]:
        found = re.fullmatch(r"(\S+(?: \S+ \S+)?)\s+([1·]+)\s+uint64 =\s*(\d+)",
                             line)
        if found:
            rows[found[1]] = (found[2], int(found[3]))
    items = sorted({x for t in BASKETS for x in t})
    both = [{"尿布", "啤酒"} <= set(t) for t in BASKETS]
    want = {x: [x in t for t in BASKETS] for x in items}
    want["尿布 AND 啤酒"] = both
    assert rows.keys() == want.keys()
    for label, bits in want.items():
        marks = "".join("1" if b else "·" for b in bits)
        value = sum(1 << t for t, b in enumerate(bits) if b)
        assert rows[label] == (marks, value), label
    count, n = sum(both), len(BASKETS)
    assert lines[-1] == (f"popcount = {count}，支持度 = {count} / {n} = "
                         f"{count / n}")


def test_failing_demo_names_the_bad_value():
    with pytest.raises(ValueError, match="column '牛奶' holds 2"):
        page.fail_not_one_hot()


def test_committed_benchmark_results():
    path = Path(__file__).resolve().parents[2] / page.BENCHMARK_RESULTS
    bench = json.loads(path.read_text(encoding="utf-8"))
    assert bench == page.load_benchmark()
    assert bench["dataset"]["n_transactions"] == 100_000
    assert [r["min_support"] for r in bench["results"]] == [
        0.01, 0.005, 0.0025, 0.001]
    for res in bench["results"]:
        assert all(res["identical"].values())
        assert set(res["median_seconds"]) == set(page.LIBRARIES)
        assert set(res["ratios"]) == {"pyfim_apriori", "pyfim_fpgrowth",
                                      "fastest_mlxtend"}
