"""Benchmark: ``rolling_ols`` against polars-ols and statsmodels ``RollingOLS``.

Data: a balanced panel of 500 assets x 2,500 trading days (1.25 million rows,
a few missing returns) from ``snippets.rolling_regression.data.make_panel``,
three factor regressors plus a constant, window 60.  Every timed call starts from
the long DataFrame, so all pandas work is included on every side (the
statsmodels loop splits the panel by asset with one groupby; the polars-ols
call converts the columns to a polars DataFrame, sorts it and runs
``least_squares.rolling_ols`` over each asset with ``.over("asset")``).

Conventions: polars-ols is called with ``null_policy="drop_window"`` (a row
with a missing value is left out of the windows holding it, as
``RollingOLS(missing="drop")``; its default ``"drop"`` would roll over the
last 60 complete rows instead) and its default ``min_periods`` (the number
of coefficients).  It then also estimates the first 59 dates of each asset
from the rows so far (``rolling_ols`` and statsmodels give NaN there), and it
would carry the last coefficients forward through a window with too few
complete rows (never the case here).  So the coefficients are compared on
the rows where both define a value; that polars-ols defines a value exactly
where ``rolling_ols(..., expanding=True)`` does is checked too.

The machine may be shared, so the methods are timed in interleaved rounds
(each sees a similar load) and both wall-clock and process CPU time are
recorded (polars may use several threads); the ratios use the wall-clock
medians.  The script checks that the coefficients agree, measures the peak
memory of one ``rolling_ols`` call with tracemalloc, prints medians and
ratios and writes ``benchmarks/results/rolling.json`` (machine, library
versions and date included), which the article reads; the site build never
times anything.

    .venv/bin/python benchmarks/bench_rolling.py            # full run, ~3-4 min
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

import polars as pl  # noqa: E402
import polars_ols  # noqa: E402,F401  (registers the least_squares namespace)

from snippets.rolling_regression.core import rolling_ols  # noqa: E402
from snippets.rolling_regression.data import make_panel  # noqa: E402

X = ["mkt", "smb", "hml"]
COEF = ["const"] + X
LABELS = {
    "rolling_ols": "rolling_ols（本文）",
    "polars_ols": "polars-ols rolling_ols",
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


def polars_ols_run(panel, window):
    """polars-ols from the same pandas panel; rows in (asset, date) order.

    pandas 3 keeps strings in its own "str" dtype, which ``pl.from_pandas``
    converts only with pyarrow: the columns go over as NumPy arrays (NaN
    becomes null, which polars-ols drops).
    """
    cols = ["asset", "date", "ret"] + X
    df = pl.DataFrame({c: panel[c].to_numpy() for c in cols},
                      nan_to_null=True)
    fit = pl.col("ret").least_squares.rolling_ols(
        *X, window_size=window, mode="coefficients", add_intercept=True,
        null_policy="drop_window")
    return (df.sort("asset", "date")
            .select("asset", "date", fit.over("asset").alias("coef"))
            .unnest("coef"))


def timed(fn):
    """(wall seconds, CPU seconds of this process, result) of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - w0, time.process_time() - c0, result


def check_polars_ols(panel, window, est, pol):
    """Compare polars-ols with ``rolling_ols`` where both give a value."""
    mine = est[COEF].to_numpy()
    theirs = pol.select(COEF).to_numpy()  # null -> NaN
    same_order = bool(
        np.array_equal(pol["asset"].to_numpy(),
                       est.index.get_level_values(0).to_numpy())
        and np.array_equal(pol["date"].to_numpy(),
                           est.index.get_level_values(1).to_numpy()))
    ours_ok, theirs_ok = ~np.isnan(mine).any(1), ~np.isnan(theirs).any(1)
    both = ours_ok & theirs_ok
    grown = rolling_ols(panel, "ret", X, window, expanding=True)[COEF]
    grown = grown.to_numpy()
    return {"max_abs_diff": float(np.abs(mine[both] - theirs[both]).max()),
            "same_row_order": same_order,
            "rows_compared": int(both.sum()),
            "rows_only_polars_ols": int((theirs_ok & ~ours_ok).sum()),
            "rows_only_rolling_ols": int((ours_ok & ~theirs_ok).sum()),
            "defined_as_expanding": bool(
                (np.isnan(grown) == np.isnan(theirs)).all()),
            "max_abs_diff_vs_expanding": float(
                np.nanmax(np.abs(grown - theirs)))}


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
    per_round = {"rolling_ols": 3, "polars_ols": 3,
                 "statsmodels_params_only": 1, "statsmodels_fit": 1}
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
        "polars_ols": lambda: polars_ols_run(panel, window),
        "statsmodels_params_only":
            lambda: statsmodels_loop(panel, window, True),
        "statsmodels_fit": lambda: statsmodels_loop(panel, window, False),
    }
    ours()  # 预热：导入、首次分配
    polars_ols_run(panel, window)
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
    pol_check = check_polars_ols(panel, window, est, out["polars_ols"])
    diffs["polars_ols"] = pol_check.pop("max_abs_diff")

    tracemalloc.start()
    ours()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()

    med = {k: statistics.median(v) for k, v in wall.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    ratios = {k: med[k] / med["rolling_ols"] for k in med
              if k != "rolling_ols"}
    ratios_cpu = {k: med_cpu[k] / med_cpu["rolling_ols"] for k in ratios}
    bars = {"fit_at_least_30x": ratios["statsmodels_fit"] >= 30,
            "params_only_at_least_30x":
                ratios["statsmodels_params_only"] >= 30,
            "polars_ols_at_least_2x": ratios["polars_ols"] >= 2,
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
    print(f"polars-ols: max |coefficient difference| "
          f"{diffs['polars_ols']:.2e} on the {pol_check['rows_compared']} "
          f"rows where both give a value; only polars-ols: "
          f"{pol_check['rows_only_polars_ols']} rows (before an asset's "
          f"first full window), only rolling_ols: "
          f"{pol_check['rows_only_rolling_ols']}; same (asset, date) order: "
          f"{pol_check['same_row_order']}; defined where "
          f"rolling_ols(expanding=True) is: "
          f"{pol_check['defined_as_expanding']} (max difference there "
          f"{pol_check['max_abs_diff_vs_expanding']:.2e})")
    print(f"rolling_ols peak memory (tracemalloc): {peak:.0f} MB; "
          f"the input panel itself: "
          f"{panel.memory_usage(deep=True).sum() / 2**20:.0f} MB")
    print("bars:", ", ".join(f"{k}={'OK' if v else 'FAIL'}"
                             for k, v in bars.items()))

    if output is not None:
        versions = {p: metadata.version(p)
                    for p in ("numpy", "pandas", "statsmodels", "polars",
                              "polars-ols")}
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
            "polars_ols_check": pol_check,
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
