"""The tables and figures of the Apriori article (the page executes these).

Demos use only the package's public API; ``fail_*`` demos raise on purpose.
"""

from __future__ import annotations

import json
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from docexec import Responsive

from .core import apriori, apriori_trace, item_bitsets
from .data import BASKETS, T10I4D100K, generator_patterns, t10i4d100k
from .rules import association_rules

BASKET_SUPPORT = 0.3
BASKET_CONFIDENCE = 0.7


def _fmt_set(itemset):
    return "{" + ", ".join(map(str, sorted(itemset))) + "}"


def show_baskets():
    rows = [{"事务": f"T{i + 1}", "商品": "、".join(t)}
            for i, t in enumerate(BASKETS)]
    return pd.DataFrame(rows).set_index("事务")


def show_frequent_itemsets():
    frequent = apriori(BASKETS, BASKET_SUPPORT)
    n = len(BASKETS)
    rows = [{"项集": _fmt_set(s), "长度": len(s),
             "出现次数": round(v * n), "支持度": f"{v:.2f}"}
            for s, v in frequent.items()]
    return pd.DataFrame(rows).set_index("项集")


def show_rules():
    rules = association_rules(apriori(BASKETS, BASKET_SUPPORT),
                              BASKET_CONFIDENCE)
    return pd.DataFrame({
        "前件": rules.antecedents.map(_fmt_set),
        "后件": rules.consequents.map(_fmt_set),
        "支持度": rules.support.map("{:.2f}".format),
        "置信度": rules.confidence.map("{:.3f}".format),
        "提升度": rules.lift.map("{:.3f}".format),
        # round first: a leverage of -1e-17 is 0, not "-0.000"
        "杠杆率": rules.leverage.map(lambda v: f"{round(v, 3) + 0.0:+.3f}"),
        # 置信度为 1 的规则确信度是无穷大
        "确信度": rules.conviction.map(
            lambda v: "∞" if np.isinf(v) else f"{v:.3f}"),
    }).set_index("前件")


def _level_sizes(levels, columns):
    """One row per level of ``apriori_trace``: how many candidates did what."""
    rows = []
    for level in levels:
        pruned, frequent = level["pruned"], level["frequent"]
        rows.append({"层 k": level["k"], "候选": len(pruned),
                     "被剪枝": int(pruned.sum()),
                     "实际计数": int((~pruned).sum()),
                     "计数后不频繁": int((~pruned & ~frequent).sum()),
                     "频繁": int(frequent.sum())})
    return pd.DataFrame(rows).set_index("层 k")[columns]


def show_trace_summary():
    _, levels = apriori_trace(BASKETS, BASKET_SUPPORT)
    return _level_sizes(levels, ["候选", "被剪枝", "计数后不频繁", "频繁"])


def show_trace():
    items, levels = apriori_trace(BASKETS, BASKET_SUPPORT)
    frequent = set()
    rows = []
    for rec in levels:
        for cand, pruned, count, ok in zip(rec["candidates"], rec["pruned"],
                                           rec["counts"], rec["frequent"]):
            itemset = frozenset(items[i] for i in cand)
            if rec["k"] >= 3 and pruned:
                bad = next(itemset - {x} for x in sorted(itemset)
                           if itemset - {x} not in frequent)
                verdict, shown = f"剪枝：子集 {_fmt_set(bad)} 不频繁", "—"
            else:
                verdict = "频繁" if ok else "不频繁"
                shown = str(count)
                if ok:
                    frequent.add(itemset)
            if rec["k"] >= 3:
                rows.append({"层 k": rec["k"], "候选项集": _fmt_set(itemset),
                             "计数": shown, "结论": verdict})
    return pd.DataFrame(rows).set_index("层 k")


def _pad(label, width):
    """Pad to a display width, counting a CJK character as two columns."""
    shown = sum(2 if ord(ch) > 0x2E80 else 1 for ch in label)
    return label + " " * (width - shown)


def show_bitsets():
    n = len(BASKETS)
    items, bits = item_bitsets(BASKETS)

    def line(label, word):
        marks = "".join("1" if int(word) >> t & 1 else "·" for t in range(n))
        return f"{_pad(label, 16)}{marks}   uint64 = {int(word):>4}"

    header = "".join(str(t % 10) for t in range(n))
    lines = [f"{_pad('第 t 位', 16)}{header}"]
    lines += [line(x, bits[i, 0]) for i, x in enumerate(items)]
    a, b = items.index("尿布"), items.index("啤酒")
    both = bits[a, 0] & bits[b, 0]
    count = int(np.bitwise_count(both))
    lines += ["", line("尿布 AND 啤酒", both),
              f"popcount = {count}，支持度 = {count} / {n} = {count / n}"]
    return "\n".join(lines)


def fail_not_one_hot():
    # 0/1 整数列可以接受（与 mlxtend 相同），购买数量 2 却不是独热编码
    frame = pd.DataFrame({"牛奶": [1, 0, 2], "面包": [1, 1, 0]})
    return apriori(frame, 0.5)


def show_generator_stats():
    data = t10i4d100k()
    lens = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
    counts = np.bincount(np.fromiter(chain.from_iterable(data), np.int64),
                         minlength=1000)
    top = np.sort(counts)[::-1]
    return "\n".join([
        f"事务条数          : {len(data)}",
        f"平均事务长度      : {lens.mean():.3f}（参数 |T| = 10）",
        f"最短 / 最长事务   : {lens.min()} / {lens.max()}",
        f"出现过的商品数    : {(counts > 0).sum()}（共 1000 种）",
        f"最常见商品的支持度: {top[0] / len(data):.4f}",
        f"支持度 ≥ 1% 的商品: {(counts >= 0.01 * len(data)).sum()} 种",
        f"支持度 ≥ 0.25% 的 : {(counts >= 0.0025 * len(data)).sum()} 种",
    ])


def plot_generator():
    import matplotlib.pyplot as plt
    from math import exp, lgamma, log

    data = t10i4d100k()
    lens = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
    counts = np.bincount(np.fromiter(chain.from_iterable(data), np.int64))

    def draw(narrow):  # 手机上两图上下排列
        fig, (left, right) = plt.subplots(
            *((2, 1) if narrow else (1, 2)),
            figsize=(4.0, 6.6) if narrow else (8.4, 3.4))
        k = np.arange(1, lens.max() + 1)
        left.bar(k, np.bincount(lens, minlength=k.max() + 1)[1:] / len(lens),
                 color="C0", alpha=0.8, label="生成的事务")
        pmf = [exp((j - 1) * log(9) - 9 - lgamma(j)) for j in k]
        left.plot(k, pmf, "o-", color="C1", ms=3, label="1 + Poisson(9)")
        left.set_xlabel("事务长度（去重后的商品数）")
        left.set_ylabel("比例")
        left.set_title("事务长度的分布")
        left.legend()
        support = np.sort(counts[counts > 0])[::-1] / len(data)
        right.loglog(np.arange(1, len(support) + 1), support, color="C0")
        for level, style in ((0.01, "--"), (0.005, "-."), (0.0025, ":")):
            right.axhline(level, color="C3", ls=style, lw=1,
                          label=f"最小支持度 {level:.2%}")
        right.set_xlabel("商品按支持度排名")
        right.set_ylabel("支持度")
        right.set_title("商品支持度")
        right.legend(fontsize=8)
        fig.tight_layout()
        return fig

    return Responsive(draw(False), narrow=lambda: draw(True))


def show_level_sizes():
    _, levels = apriori_trace(t10i4d100k(), 0.0025)
    return _level_sizes(levels, ["候选", "被剪枝", "实际计数", "频繁"])


def show_generated_rules():
    frequent = apriori(t10i4d100k(), 0.005)
    rules = association_rules(frequent, 0.8)
    top = rules.sort_values("lift", ascending=False, kind="stable").head(8)
    return pd.DataFrame({
        "前件": top.antecedents.map(_fmt_set),
        "后件": top.consequents.map(_fmt_set),
        "支持度": top.support.map("{:.4f}".format),
        "置信度": top.confidence.map("{:.3f}".format),
        "提升度": top.lift.map("{:.1f}".format),
    }).set_index("前件")


def show_generated_rules_summary():
    frequent = apriori(t10i4d100k(), 0.005)
    rules = association_rules(frequent, 0.8)
    sizes = pd.Series([len(s) for s in frequent]).value_counts().sort_index()
    # T10I4D100K 用的是生成器的默认模式参数：同一个种子给出同样的模式
    patterns = generator_patterns(T10I4D100K["avg_pattern_len"],
                                  seed=T10I4D100K["seed"])
    inside = sum(any(a | c <= p for p in patterns)
                 for a, c in zip(rules.antecedents, rules.consequents))
    return "\n".join([
        f"最小支持度 0.5% 的频繁项集: {len(frequent)} 个，按长度 "
        + "、".join(f"{k}:{v}" for k, v in sizes.items()),
        f"置信度 ≥ 0.8 的规则       : {len(rules)} 条",
        f"提升度的中位数 / 最小值   : {rules.lift.median():.1f} / "
        f"{rules.lift.min():.1f}",
        f"前件 ∪ 后件落在某个模式内 : {inside} 条",
    ])


# ---------------------------------------------------------------------------
# Benchmark results (written by benchmarks/bench_apriori.py, never timed here)
# ---------------------------------------------------------------------------

BENCHMARK_RESULTS = "benchmarks/results/apriori.json"
LIBRARIES = {
    "numpy": "本文实现",
    "pyfim_apriori": "pyfim apriori",
    "pyfim_fpgrowth": "pyfim fpgrowth",
    "mlxtend_apriori_low_memory": "mlxtend apriori (low_memory)",
    "mlxtend_fpgrowth": "mlxtend fpgrowth",
    "efficient_apriori": "efficient-apriori",
}


def load_benchmark():
    """The committed benchmark results (a small JSON file)."""
    path = Path(__file__).resolve().parents[2] / BENCHMARK_RESULTS
    if not path.is_file():
        path = Path("benchmarks/results/apriori.json")
    return json.loads(path.read_text(encoding="utf-8"))


def show_benchmark():
    bench = load_benchmark()
    rows = []
    for res in bench["results"]:
        row = {"最小支持度": f"{res['min_support']:.2%}",
               "频繁项集": res["n_itemsets"]}
        row.update({label: f"{res['median_seconds'][key]:.3f}"
                    for key, label in LIBRARIES.items()})
        rows.append(row)
    return pd.DataFrame(rows).set_index("最小支持度")


def show_benchmark_ratios():
    bench = load_benchmark()
    rows = []
    for res in bench["results"]:
        ratios = res["ratios"]
        mlx = LIBRARIES[res["fastest_mlxtend"]].removeprefix("mlxtend ")
        rows.append({
            "最小支持度": f"{res['min_support']:.2%}",
            "pyfim apriori": f"{ratios['pyfim_apriori']:.2f}×",
            "pyfim fpgrowth": f"{ratios['pyfim_fpgrowth']:.2f}×",
            "最快的 mlxtend": f"{ratios['fastest_mlxtend']:.1f}×（{mlx}）",
            "项集全部相同": "是" if all(res["identical"].values()) else "否",
            "峰值内存": f"{res['peak_memory_mb']:.0f} MB",
        })
    return pd.DataFrame(rows).set_index("最小支持度")


def show_benchmark_verdict():
    """Which supports meet the goal (not slower than pyfim's apriori)."""
    bench = load_benchmark()

    def supports(test):
        picked = [f"{r['min_support']:.2%}" for r in bench["results"]
                  if test(r["ratios"])]
        return "、".join(picked) if picked else "无"

    same = all(all(r["identical"].values()) for r in bench["results"])
    return "\n".join([
        "不慢于 pyfim apriori 的支持度 : "
        + supports(lambda r: r["pyfim_apriori"] >= 1),
        "慢于 pyfim apriori 的支持度   : "
        + supports(lambda r: r["pyfim_apriori"] < 1),
        "慢于 pyfim fpgrowth 的支持度  : "
        + supports(lambda r: r["pyfim_fpgrowth"] < 1),
        "六种实现的项集与支持度        : "
        + ("全部相同" if same else "存在差异"),
    ])


def show_benchmark_setup():
    bench = load_benchmark()
    m, data = bench["machine"], bench["dataset"]
    rows = [
        ("日期", bench["date"]),
        ("处理器", f"{m['cpu']}，{m['cpu_count']} 核"),
        ("内存", f"{m['memory_gb']:.0f} GB"),
        ("系统", f"{m['platform']}，Python {m['python']}"),
        ("版本", "，".join(f"{k} {v}" for k, v in bench["versions"].items())),
        ("数据", f"{data['name']}：{data['n_transactions']} 条事务，"
                 f"平均长度 {data['mean_len']:.2f}，最长 {data['longest']}"),
        ("重复次数", f"本文实现与 pyfim 各 {bench['repeats']['numpy']} 次，"
                   f"mlxtend 与 efficient-apriori 各 "
                   f"{bench['repeats']['reference']} 次，交替运行，取中位数"),
        ("本文实现的输入转换",
         f"{bench['numpy_conversion_seconds']:.3f} s（已计入本文实现）"),
        ("mlxtend 的独热编码",
         f"{bench['encode_seconds']:.3f} s（未计入 mlxtend）"),
        ("mlxtend 默认模式第 2 层的临时数组",
         "，".join(f"{e['min_support']:.2%} 时 {e['gib']:.0f} GiB"
                  for e in bench["mlxtend_default_estimate"])),
    ]
    return pd.DataFrame(rows, columns=["项目", "内容"]).set_index("项目")


def plot_benchmark():
    import matplotlib.pyplot as plt

    bench = load_benchmark()
    support = [r["min_support"] * 100 for r in bench["results"]]
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for (key, label), marker in zip(LIBRARIES.items(), "osDv^P"):
        ax.plot(support, [r["median_seconds"][key] for r in bench["results"]],
                marker=marker, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(support, [f"{s:g}%" for s in support])
    ax.minorticks_off()
    ax.invert_xaxis()  # 从左到右支持度越来越低、任务越来越重
    ax.set_xlabel("最小支持度")
    ax.set_ylabel("运行时间（秒，中位数）")
    ax.set_title(f"{bench['dataset']['name']} 上的运行时间")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
