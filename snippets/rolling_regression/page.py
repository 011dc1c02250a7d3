"""The tables and figures of the rolling-regression post.

Each demo builds what it shows from the public API; the article's panel is
built once per process (``data.article_panel``) and only read here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from snippets._precision import bound
from snippets.rolling_regression.baseline import (window_sums_blocks,
                                                  window_sums_cumsum)
from snippets.rolling_regression.core import rolling_ols
from snippets.rolling_regression.data import (KINDS, article_panel,
                                              example_assets)
from snippets.rolling_regression.residuals import out_of_sample_residuals

# 由 benchmarks/bench_rolling.py 写入并提交；站点构建只读取它，从不计时
# the committed benchmark results, found from any working directory
BENCH_RESULTS = str(Path(__file__).resolve().parents[2]
                    / "benchmarks/results/rolling.json")


def show_panel_head():
    panel, _ = article_panel()
    df = panel.head(6).copy()
    df["date"] = df["date"].dt.strftime("%Y-%m-%d")
    for c in ("ret", "mkt", "smb"):
        df[c] = [f"{v:.5f}" for v in df[c]]
    return df.set_index(["asset", "date"])


def show_panel_summary():
    panel, truth = article_panel()
    info = truth.groupby(level="asset")[["kind", "late", "halted"]].first()
    rows = panel.groupby("asset").size()
    return "\n".join([
        f"资产数 {panel['asset'].nunique()}，交易日 "
        f"{panel['date'].nunique()}，共 {len(panel)} 行（长格式）",
        "贝塔类型：" + "，".join(f"{k} {int((info.kind == k).sum())} 只"
                                   for k in KINDS),
        f"晚上市 {int(info.late.sum())} 只，停牌过 "
        f"{int(info.halted.sum())} 只；每只资产的行数在 "
        f"{rows.min()} 到 {rows.max()} 之间",
        f"收益缺失（NaN）的行：{int(panel['ret'].isna().sum())}",
    ])


def _asset_axes(n):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(n, 1, figsize=(8.4, 2.3 * n), sharex=True)
    return fig, np.atleast_1d(axes)


def plot_true_betas():
    panel, truth = article_panel()
    fig, axes = _asset_axes(3)
    titles = ["缓慢漂移", "发生一次切换", "晚上市，中途停牌"]
    for ax, name, title in zip(axes, example_assets(truth), titles):
        tr = truth.loc[name]
        full = pd.Series(np.nan, index=pd.DatetimeIndex(
            panel["date"].unique()))
        full[tr.index] = tr["beta_mkt"]  # 没有行的日期留白
        ax.plot(full.index, full.to_numpy(), color="C0")
        ax.set_title(f"{name}：{title}", fontsize=10)
        ax.set_ylabel("市场贝塔")
    fig.tight_layout()
    return fig


def _fmt(v, digits=4):
    return "NaN" if np.isnan(v) else f"{v:.{digits}f}"


def _statsmodels_params(panel, name, window, x=("mkt", "smb"),
                        params_only=True):
    """statsmodels RollingOLS on one asset (rows sorted by date)."""
    import statsmodels.api as sm
    from statsmodels.regression.rolling import RollingOLS

    g = panel[panel["asset"] == name].sort_values("date")
    exog = sm.add_constant(g[list(x)], has_constant="add")
    res = RollingOLS(g["ret"], exog, window=window,
                     missing="drop").fit(params_only=params_only)
    params = res.params.set_axis(g["date"].to_numpy())
    return params, res


def show_statsmodels_table():
    panel, truth = article_panel()
    est = rolling_ols(panel, "ret", ["mkt", "smb"], window=60)
    rows = []
    for name in example_assets(truth):
        sm_params, _ = _statsmodels_params(panel, name, 60)
        ours = est.loc[name]
        for date in ours.index[[59, 60, len(ours) // 2, -1]]:
            for src, vals in (("rolling_ols", ours.loc[date]),
                              ("statsmodels", sm_params.loc[date])):
                rows.append({"资产": name,
                             "日期": date.strftime("%Y-%m-%d"),
                             "来源": src,
                             **{c: _fmt(vals[c], 6)
                                for c in ("const", "mkt", "smb")}})
    return pd.DataFrame(rows).set_index(["资产", "日期", "来源"])


def show_statsmodels_agreement():
    panel, _ = article_panel()
    est = rolling_ols(panel, "ret", ["mkt", "smb"], window=60)
    names = sorted(panel["asset"].unique())[::5]  # 每 5 只取 1 只
    worst, same_nan, windows = 0.0, True, 0
    for name in names:
        sm_params, _ = _statsmodels_params(panel, name, 60)
        ours = est.loc[name, ["const", "mkt", "smb"]].to_numpy()
        ref = sm_params[["const", "mkt", "smb"]].to_numpy()
        same_nan &= bool((np.isnan(ours) == np.isnan(ref)).all())
        ok = ~np.isnan(ref)
        windows += int(ok[:, 0].sum())
        worst = max(worst, float(np.abs(ours[ok] - ref[ok]).max()))
    return "\n".join([
        f"比较了 {len(names)} 只资产、{windows} 个窗口",
        f"NaN 的位置完全相同：{same_nan}",
        f"系数的最大绝对差：{bound(worst, 1e-12)}",
    ])


def _lstsq_centered(y, X, window):
    """Reference: per-window lstsq on window-centred data, then intercept."""
    T, k = X.shape
    out = np.full((T, k + 1), np.nan)
    for t in range(window - 1, T):
        xs, ys = X[t - window + 1:t + 1], y[t - window + 1:t + 1]
        xm, ym = xs.mean(axis=0), ys.mean()
        b = np.linalg.lstsq(xs - xm, ys - ym, rcond=None)[0]
        out[t] = np.r_[ym - xm @ b, b]
    return out


def _from_sums(y, X, window, sums):
    """Rolling OLS with a constant from window sums of raw products."""
    D = np.column_stack([np.ones(len(y)), X])
    P = np.einsum("ti,tj->tij", D, D)
    r = np.einsum("ti,t->ti", D, y)
    XtX, Xty = sums(P, window), sums(r, window)
    out = np.full(D.shape, np.nan)
    out[window - 1:] = np.linalg.solve(XtX[window - 1:],
                                       Xty[window - 1:, :, None])[..., 0]
    return out


# the relative error a correct double-precision fit can show here on any CPU:
# the reference lstsq itself is only that accurate
NOISE_LEVEL = 1e-11


def show_cancellation():
    from statsmodels.regression.rolling import RollingOLS

    rng = np.random.default_rng(1)
    T, window, k = 2000, 60, 3
    base = rng.random((T, k))  # 在 [0, 1) 内变化
    beta = np.array([0.5, -1.0, 2.0])
    noise = 0.1 * rng.standard_normal(T)
    rows = []
    for offset in (0.0, 1e2, 1e4, 1e6):
        X = offset + base
        y = 1.0 + X @ beta + noise
        ref = _lstsq_centered(y, X, window)
        df = pd.DataFrame({"asset": "a", "date": np.arange(T), "y": y,
                           "x1": X[:, 0], "x2": X[:, 1], "x3": X[:, 2]})
        ours = rolling_ols(df, "y", ["x1", "x2", "x3"], window)
        sm = RollingOLS(y, np.column_stack([np.ones(T), X]),
                        window=window).fit(params_only=True).params
        methods = {
            "累积和相减": _from_sums(y, X, window, window_sums_cumsum),
            "分块求和（不平移）": _from_sums(y, X, window, window_sums_blocks),
            "statsmodels": sm,
            "rolling_ols": ours.iloc[:, :k + 1].to_numpy(),
        }
        row = {"偏移量": f"{offset:.0e}" if offset else "0"}
        for label, est in methods.items():
            err = np.nanmax(np.abs(est[:, 1:] - ref[:, 1:]) / np.abs(ref[:, 1:]))
            # 舍入噪声只给上界；更大的误差是要展示的量级，只留 1 位有效数字
            row[label] = (bound(err, NOISE_LEVEL) if err < NOISE_LEVEL
                          else f"{err:.0e}")
        rows.append(row)
    return pd.DataFrame(rows).set_index("偏移量")


def plot_estimated_betas():
    panel, truth = article_panel()
    fits = {w: rolling_ols(panel, "ret", ["mkt", "smb"], window=w)
            for w in (60, 250)}
    fig, axes = _asset_axes(3)
    all_dates = pd.DatetimeIndex(panel["date"].unique())
    for ax, name in zip(axes, example_assets(truth)):
        def on_grid(s):  # 停牌期间没有行：在图上留出空白
            return s.reindex(all_dates).to_numpy()
        ax.plot(all_dates, on_grid(truth.loc[name, "beta_mkt"]),
                color="C0", lw=2, label="真实贝塔")
        for w, color in ((60, "C1"), (250, "C2")):
            ax.plot(all_dates, on_grid(fits[w].loc[name, "mkt"]),
                    color=color, lw=0.9, label=f"窗口 {w}")
        ax.set_title(name, fontsize=10)
        ax.set_ylabel("市场贝塔")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, ncol=3, fontsize=9, loc="upper center",
               frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    return fig


def show_tracking_error():
    panel, truth = article_panel()
    rows = []
    for w in (20, 60, 120, 250):
        est = rolling_ols(panel, "ret", ["mkt", "smb"], window=w)
        err = (est["mkt"] - truth["beta_mkt"]).dropna()
        kind = truth.loc[err.index, "kind"]
        rows.append({"窗口": w, **{
            f"{k}：RMSE": f"{np.sqrt((err[kind == k] ** 2).mean()):.3f}"
            for k in KINDS}})
    return pd.DataFrame(rows).set_index("窗口")


def show_residuals(window=60):
    panel, truth = article_panel()
    est = rolling_ols(panel, "ret", ["mkt", "smb"], window=window)
    oos = out_of_sample_residuals(panel, est, "ret", ["mkt", "smb"])
    mkt = panel.set_index(["asset", "date"])["mkt"]
    rows = []
    for name in example_assets(truth):
        r = est.loc[name, "residual"].dropna()
        r_out = oos.loc[name].dropna()
        sigma = truth.loc[name, "sigma"].iloc[0]
        corr = np.corrcoef(r, mkt.loc[name].loc[r.index])[0, 1]
        rows.append({"资产": name, "真实特质波动 σ": f"{sigma:.4f}",
                     "样本内 s": f"{r.std():.4f}",
                     "样本内 s / σ": f"{r.std() / sigma:.3f}",
                     "样本外 s": f"{r_out.std():.4f}",
                     "样本外 s / σ": f"{r_out.std() / sigma:.3f}",
                     "样本内残差与市场的相关": f"{corr:.3f}"})
    return pd.DataFrame(rows).set_index("资产")


def show_rank_deficient():
    from statsmodels.regression.rolling import RollingOLS

    rng = np.random.default_rng(2)
    T, window = 12, 5
    x1, x2 = rng.normal(size=T), rng.normal(size=T)
    x2[2:9] = 0.3  # 这段时间 x2 不变：与常数项共线
    y = 1 + 2 * x1 - x2 + 0.1 * rng.normal(size=T)
    df = pd.DataFrame({"asset": "a", "date": np.arange(1, T + 1),
                       "x1": x1, "x2": x2, "y": y})
    out = rolling_ols(df, "y", ["x1", "x2"], window=window)
    sm = RollingOLS(y, np.column_stack([np.ones(T), x1, x2]),
                    window=window).fit(params_only=True).params
    show = pd.DataFrame({
        "t": df["date"], "x2": [f"{v:.3f}" for v in x2],
        "rolling_ols: x1": [_fmt(v, 3) for v in out["x1"]],
        "rolling_ols: x2": [_fmt(v, 3) for v in out["x2"]],
        "statsmodels: x1": [_fmt(v, 3) for v in sm[:, 1]],
        "statsmodels: x2": [_fmt(v, 3) for v in sm[:, 2]]})
    return show.set_index("t")


def fail_duplicate_rows():
    panel, _ = article_panel()
    doubled = pd.concat([panel, panel.iloc[[100]]])
    return rolling_ols(doubled, "ret", ["mkt", "smb"], window=60)


# ---------------------------------------------------------------------------
# Benchmark results (written by benchmarks/bench_rolling.py)
# ---------------------------------------------------------------------------

def load_benchmark(path=BENCH_RESULTS):
    with open(Path(path), encoding="utf-8") as fh:
        return json.load(fh)


def _times(ratio):
    """3.5× but 54×: one decimal only where it matters."""
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:.0f}×"


def show_benchmark():
    res = load_benchmark()
    rows = []
    for r in res["results"]:
        rows.append({"方法": r["label"],
                     "中位数（秒）": f"{r['median_s']:.3f}",
                     "CPU 时间中位数（秒）": f"{r['median_cpu_s']:.3f}",
                     "重复次数": len(r["times_s"]),
                     "rolling_ols 快多少倍": (
                         "—" if r["name"] == "rolling_ols"
                         else _times(res["ratios"][r["name"]]))})
    return pd.DataFrame(rows).set_index("方法")


def show_benchmark_context():
    res = load_benchmark()
    m, cfg, pol = res["machine"], res["config"], res["polars_ols_check"]
    versions = "，".join(f"{k} {v}" for k, v in res["versions"].items())
    return "\n".join([
        f"数据：{cfg['n_assets']} 只资产 × {cfg['n_dates']} 个交易日，"
        f"共 {cfg['n_rows']} 行，其中 {cfg['missing_returns']} 行收益缺失",
        f"模型：{cfg['n_regressors']} 个回归变量加常数项，窗口 {cfg['window']}",
        f"机器：{m['cpu']}，{m['cores']} 核；{m['platform']}",
        f"版本：Python {m['python']}，{versions}",
        f"日期：{res['date']}",
        f"机器与其他任务共用（结束时 1 分钟平均负载 "
        f"{res['load_average_after'][0]:.1f}），各方法轮流计时",
        f"按进程 CPU 时间算的倍数：polars-ols "
        f"{_times(res['ratios_cpu']['polars_ols'])}，fit() "
        f"{_times(res['ratios_cpu']['statsmodels_fit'])}，params_only "
        f"{_times(res['ratios_cpu']['statsmodels_params_only'])}",
        f"rolling_ols 的峰值内存（tracemalloc）："
        f"{res['peak_memory_mb']:.0f} MB",
        f"与 statsmodels 系数的最大绝对差：fit() "
        f"{bound(res['max_abs_diff']['statsmodels_fit'], 1e-12)}，params_only "
        f"{bound(res['max_abs_diff']['statsmodels_params_only'], 1e-12)}",
        f"与 polars-ols 系数的最大绝对差（两边都有估计的 "
        f"{pol['rows_compared']} 行）："
        f"{bound(res['max_abs_diff']['polars_ols'], 1e-12)}；"
        f"polars-ols 另在 {pol['rows_only_polars_ols']} 行给出了"
        f"不满一个窗口的估计",
    ])


def plot_benchmark():
    import matplotlib.pyplot as plt

    res = load_benchmark()
    labels = [r["label"] for r in res["results"]][::-1]
    med = [r["median_s"] for r in res["results"]][::-1]
    fig, ax = plt.subplots(figsize=(8.4, 3.2))
    bars = ax.barh(labels, med, color=["C0", "C1", "C3", "C2"][:len(med)])
    ax.set_xscale("log")
    ax.set_xlabel("运行时间的中位数（秒，对数刻度）")
    for bar, v in zip(bars, med):
        ax.text(v * 1.08, bar.get_y() + bar.get_height() / 2, f"{v:.2f} s",
                va="center", fontsize=10)
    ax.set_xlim(min(med) / 2, max(med) * 4)
    fig.tight_layout()
    return fig
