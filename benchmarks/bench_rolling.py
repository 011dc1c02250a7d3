"""Benchmark: ``rolling_ols`` against statsmodels ``RollingOLS`` looped over assets.

Data: a balanced panel of 500 assets x 2,500 trading days (1.25 million rows,
a few missing returns) from ``snippets.rolling_regression.data.make_panel``,
three factor regressors plus a constant, window 60.  Every timed call starts from
the long DataFrame, so all pandas work is included on both sides (the
statsmodels loop splits the panel by asset with one groupby).  The machine
may be shared, so the methods are timed in interleaved rounds (each sees a
similar load) and both wall-clock and process CPU time are recorded; the
ratios use the wall-clock medians.  The script
checks that the coefficients agree, measures the peak memory of one
``rolling_ols`` call with tracemalloc, prints medians and ratios and writes
``benchmarks/results/rolling.json`` (machine, library versions and date
included), which the article reads; the site build never times anything.

    .venv/bin/python benchmarks/bench_rolling.py            # full run, ~6 min
    .venv/bin/python benchmarks/bench_rolling.py --quick    # small, no file
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from statsmodels.regression.rolling import RollingOLS  # noqa: E402

from snippets.rolling_regression.core import rolling_ols  # noqa: E402
from snippets.rolling_regression.data import make_panel  # noqa: E402

X = ["mkt", "smb", "hml"]
COEF = ["const"] + X
LABELS = {
    "rolling_ols": "rolling_ols（本文）",
    "statsmodels_params_only": "statsmodels fit(params_only=True)",
    "statsmodels_fit": "statsmodels fit()",
}


def statsmodels_loop(panel, window, params_only):
    """RollingOLS asset by asset; coefficients stacked in (asset, date) order."""
    out = []
    ordered = panel.sort_values(["asset", "date"])
    for _, g in ordered.groupby("asset", sort=True):
        exog = np.column_stack([np.ones(len(g)), g[X].to_numpy()])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = RollingOLS(g["ret"].to_numpy(), exog, window=window,
                             missing="drop").fit(params_only=params_only)
        out.append(res.params)
    return np.concatenate(out)


def timed(fn):
    """(wall seconds, CPU seconds of this process, result) of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - w0, time.process_time() - c0, result


def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="60 assets x 1,000 dates, one repeat; writes no file "
                         "unless --output is given")
    ap.add_argument("--output", type=Path, default=None,
                    help="where to write the JSON results (default for a "
                         "full run: benchmarks/results/rolling.json)")
    args = ap.parse_args(argv)

    if args.quick:
        n_assets, n_dates, rounds = 60, 1000, 1
    else:
        n_assets, n_dates, rounds = 500, 2500, 3
    per_round = {"rolling_ols": 3, "statsmodels_params_only": 1,
                 "statsmodels_fit": 1}
    window = 60
    output = args.output
    if output is None and not args.quick:
        output = ROOT / "benchmarks" / "results" / "rolling.json"

    panel, _ = make_panel(n_assets=n_assets, n_dates=n_dates, n_factors=3,
                          late_start=0.0, gaps=0.0, missing=0.002, seed=1)
    print(f"panel: {n_assets} assets x {n_dates} dates = {len(panel)} rows, "
          f"{int(panel['ret'].isna().sum())} missing returns, window {window}")

    def ours():
        return rolling_ols(panel, "ret", X, window)

    methods = {
        "rolling_ols": ours,
        "statsmodels_params_only":
            lambda: statsmodels_loop(panel, window, True),
        "statsmodels_fit": lambda: statsmodels_loop(panel, window, False),
    }
    ours()  # 预热：导入、首次分配
    # 机器与别人共用、负载随时间变化：各方法轮流计时，让它们经历相近的负载
    wall = {k: [] for k in methods}
    cpu = {k: [] for k in methods}
    out = {}
    for r in range(rounds):
        for name, fn in methods.items():
            for _ in range(per_round[name]):
                w, c, out[name] = timed(fn)
                wall[name].append(w)
                cpu[name].append(c)
                print(f"round {r + 1}/{rounds}  {name:<24} wall {w:8.3f} s"
                      f"  cpu {c:8.3f} s", flush=True)
    est, p_po, p_fit = (out["rolling_ols"], out["statsmodels_params_only"],
                        out["statsmodels_fit"])

    mine = est[COEF].to_numpy()
    diffs, same_nan = {}, True
    for name, ref in (("statsmodels_fit", p_fit),
                      ("statsmodels_params_only", p_po)):
        same_nan &= bool((np.isnan(mine) == np.isnan(ref)).all())
        diffs[name] = float(np.nanmax(np.abs(mine - ref)))

    tracemalloc.start()
    ours()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()

    med = {k: statistics.median(v) for k, v in wall.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    ratios = {k: med[k] / med["rolling_ols"]
              for k in ("statsmodels_fit", "statsmodels_params_only")}
    ratios_cpu = {k: med_cpu[k] / med_cpu["rolling_ols"] for k in ratios}
    bars = {"fit_at_least_30x": ratios["statsmodels_fit"] >= 30,
            "params_only_at_least_10x":
                ratios["statsmodels_params_only"] >= 10,
            "max_diff_at_most_1e-8": max(diffs.values()) <= 1e-8,
            "peak_memory_under_1GB": peak < 1024}

    print()
    print(f"{'method':<26}{'runs':>5}{'wall median':>13}{'ratio':>8}"
          f"{'cpu median':>12}{'ratio':>8}")
    for name in med:
        r = "" if name == "rolling_ols" else f"{ratios[name]:.1f}x"
        rc = "" if name == "rolling_ols" else f"{ratios_cpu[name]:.1f}x"
        print(f"{name:<26}{len(wall[name]):>5}{med[name]:>12.3f}s{r:>8}"
              f"{med_cpu[name]:>11.3f}s{rc:>8}")
    print(f"max |coefficient difference|: fit() {diffs['statsmodels_fit']:.2e}, "
          f"params_only {diffs['statsmodels_params_only']:.2e}; "
          f"NaN pattern identical: {same_nan}")
    print(f"rolling_ols peak memory (tracemalloc): {peak:.0f} MB; "
          f"the input panel itself: "
          f"{panel.memory_usage(deep=True).sum() / 2**20:.0f} MB")
    print("bars:", ", ".join(f"{k}={'OK' if v else 'FAIL'}"
                             for k, v in bars.items()))

    if output is not None:
        versions = {p: metadata.version(p)
                    for p in ("numpy", "pandas", "statsmodels")}
        result = {
            "benchmark": "benchmarks/bench_rolling.py",
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"),
            "machine": {"cpu": cpu_name(), "cores": os.cpu_count(),
                        "platform": platform.platform(),
                        "python": platform.python_version()},
            "versions": versions,
            "config": {"n_assets": n_assets, "n_dates": n_dates,
                       "n_rows": len(panel), "n_regressors": len(X),
                       "window": window, "quick": args.quick,
                       "rounds": rounds, "calls_per_round": per_round,
                       "missing_returns": int(panel["ret"].isna().sum())},
            "results": [{"name": k, "label": LABELS[k],
                         "median_s": round(med[k], 4),
                         "median_cpu_s": round(med_cpu[k], 4),
                         "times_s": [round(t, 4) for t in wall[k]],
                         "cpu_times_s": [round(t, 4) for t in cpu[k]]}
                        for k in med],
            "ratios": {k: round(v, 2) for k, v in ratios.items()},
            "ratios_cpu": {k: round(v, 2) for k, v in ratios_cpu.items()},
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "max_abs_diff": diffs,
            "nan_pattern_equal": same_nan,
            "peak_memory_mb": round(peak, 1),
            "bars": bars,
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, ensure_ascii=False, indent=2)
                          + "\n", encoding="utf-8")
        print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
