"""The tables and figures of the penalized-regression post (public API only)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from docexec import Responsive
from snippets.penalized_regression import (BETA_TRUE, coefficient_paths,
                                           fan_li_data, fit,
                                           forward_stepwise_bic, ols_solve,
                                           path_problem, penalty_function,
                                           scad_derivative, select_by_gcv,
                                           simulate, threshold)

NAMES = {"ols": "最小二乘 OLS", "ridge": "岭回归 Ridge", "lasso": "LASSO",
         "scad": "SCAD", "garrote": "非负绞杀 garrote", "oracle": "Oracle"}

def _subset_label(subset):
    return "{" + ", ".join(f"x{j + 1}" for j in subset) + "}"


def show_stepwise_instability():
    rng = np.random.default_rng(1)
    X, y = fan_li_data(40, 3.0, 1, rng)
    X, y = X[0], y[0]
    counts: dict = {}
    n_boot = 200
    for _ in range(n_boot):
        idx = rng.integers(0, len(y), len(y))
        s = forward_stepwise_bic(X[idx], y[idx])
        counts[s] = counts.get(s, 0) + 1
    print(f"原始数据上前向逐步回归（BIC）选出：{_subset_label(forward_stepwise_bic(X, y))}")
    print(f"{n_boot} 次自助重抽样中出现了 {len(counts)} 种不同的模型，"
          "出现最多的 6 种：")
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:6]
    rows = [{"排名": i + 1, "选出的变量": _subset_label(s),
             "是否为真模型": "是" if s == (0, 1, 4) else "",
             "出现比例": f"{100 * c / n_boot:.1f}%"}
            for i, (s, c) in enumerate(top)]
    return pd.DataFrame(rows).set_index("排名")


def plot_penalties():
    import matplotlib.pyplot as plt

    lam, a = 1.0, 3.7
    theta = np.linspace(-5, 5, 801)
    kinds = [("ridge", "岭回归 (λ/2)θ²"), ("lasso", "LASSO λ|θ|"),
             ("scad", "SCAD (a = 3.7)"), ("hard", "硬阈值惩罚")]
    t = np.linspace(0, 5, 1001)

    def draw(narrow):  # 手机上两图上下排列
        fig, (left, right) = plt.subplots(
            *((2, 1) if narrow else (1, 2)),
            figsize=(4.0, 6.4) if narrow else (9.0, 3.6))
        for i, (kind, label) in enumerate(kinds):
            left.plot(theta, penalty_function(theta, kind, lam, a),
                      color=f"C{i}", label=label)
        left.set_ylim(0, 4)
        left.set_xlabel("θ")
        left.set_ylabel("p(|θ|)")
        left.set_title("惩罚函数（λ = 1）")
        left.legend(loc="upper center", fontsize=9)

        right.plot(t, lam * t, color="C0", label="岭回归 λθ")
        right.plot(t, np.full_like(t, lam), color="C1", label="LASSO λ")
        right.plot(t, scad_derivative(t, lam, a), color="C2", label="SCAD")
        right.plot(t, 2 * np.maximum(lam - t, 0), color="C3", label="硬阈值")
        right.axvline(a * lam, color="C7", linestyle=":", linewidth=1)
        right.annotate("aλ", (a * lam, 2.2), textcoords="offset points",
                       xytext=(4, 0))
        right.set_ylim(0, 2.6)
        right.set_xlabel("|θ|")
        right.set_ylabel("p'(|θ|)")
        right.set_title("导数：对大系数施加的“拉力”")
        right.legend(fontsize=9)
        fig.tight_layout()
        return fig

    return Responsive(draw(False), narrow=lambda: draw(True))


def plot_thresholding():
    import matplotlib.pyplot as plt

    lam = 1.0
    z = np.linspace(-5, 5, 2001)
    zp = np.linspace(0, 6, 1201)
    rules = [("hard", "硬阈值（子集选择）", lam),
             ("soft", "软阈值（LASSO）", lam),
             ("scad", "SCAD（a = 3.7）", lam),
             ("ridge", "岭回归", lam),
             ("garrote", "非负绞杀（garrote）", lam**2)]

    def draw(cols):  # 网页上 2 行 3 列，手机上 3 行 2 列
        fig, axes = plt.subplots(6 // cols, cols,
                                 figsize=(9.6, 6.0) if cols == 3 else (4.0, 6.3))
        title_size = 12 if cols == 3 else 10
        for i, (ax, (rule, title, level)) in enumerate(zip(axes.flat, rules)):
            ax.plot(z, z, color="C7", linestyle="--", linewidth=1)
            est = threshold(z, rule, level)
            if rule == "hard":  # 断开跳跃处，不画竖线
                est = np.where(np.abs(np.abs(z) - lam) < 3e-3, np.nan, est)
            ax.plot(z, est, color=f"C{i}")
            ax.set_title(title, fontsize=title_size)
            ax.set_xlim(-5, 5)
            ax.set_ylim(-5, 5)
            ax.set_aspect("equal")
            ax.set_xlabel("最小二乘估计 z")
            if i % cols == 0:
                ax.set_ylabel("惩罚估计 θ̂")
        ax = axes.flat[5]
        for i, (rule, title, level) in enumerate(rules):
            if rule == "ridge":
                continue
            bias = threshold(zp, rule, level) - zp
            if rule == "hard":
                bias = np.where(np.abs(zp - lam) < 3e-3, np.nan, bias)
            ax.plot(zp, bias, color=f"C{i}", label=title.split("（")[0])
        ax.set_xlim(0, 6)
        ax.set_ylim(-2.2, 0.2)
        ax.set_xlabel("z")
        ax.set_title("偏差 θ̂ − z（z > 0）", fontsize=title_size)
        ax.legend(fontsize=title_size - 2, loc="lower center", ncol=2,
                  handlelength=0.8, columnspacing=0.6)
        fig.tight_layout()
        return fig

    return Responsive(draw(3), narrow=lambda: draw(2))


def plot_coefficient_paths():
    import matplotlib.pyplot as plt

    paths = coefficient_paths(*path_problem())

    def draw(narrow):  # 手机上四图上下排列
        fig, axes = plt.subplots(*((4, 1) if narrow else (2, 2)), sharey=True,
                                 figsize=(4.0, 10.4) if narrow else (9.0, 6.4))
        for ax, (penalty, (lams, betas, best)) in zip(axes.flat, paths.items()):
            handles = []
            for j in range(betas.shape[1]):
                if BETA_TRUE[j] != 0:  # 真值非零的 β1、β2、β5 用彩色
                    (line,) = ax.plot(lams, betas[:, j], label=f"β{j + 1}",
                                      color=f"C{[0, 1, 4].index(j)}")
                    handles.append(line)
                else:
                    (zero,) = ax.plot(lams, betas[:, j], color="C7",
                                      linewidth=1.0, label="其余 5 个（真值 0）")
            handles.append(zero)
            handles.append(ax.axvline(lams[best], color="C3", linestyle="--",
                                      linewidth=1, label="GCV 选出的 λ"))
            ax.set_xscale("log")
            ax.invert_xaxis()
            ax.set_title(NAMES[penalty])
            ax.set_xlabel("λ（向右减小）")
            if narrow or ax in axes[:, 0]:
                ax.set_ylabel("系数")
        axes.flat[0].legend(handles=handles, fontsize=9, loc="upper left")
        fig.tight_layout()
        return fig

    return Responsive(draw(False), narrow=lambda: draw(True))


def show_single_fit():
    G, q, yy, n = path_problem()
    short = {"ols": "OLS", "ridge": "岭回归", "lasso": "LASSO",
             "scad": "SCAD", "garrote": "绞杀"}
    cols = {"真值": (BETA_TRUE, None), "OLS": (ols_solve(G, q)[0], None)}
    for penalty in ("ridge", "lasso", "scad", "garrote"):
        beta, lam = select_by_gcv(G, q, yy, n, penalty)
        cols[short[penalty]] = (beta[0], lam[0])
    index = [f"β{j + 1}" for j in range(len(BETA_TRUE))] + ["GCV 选出的 λ"]
    table = {}
    for name, (beta, lam) in cols.items():
        table[name] = [f"{b:.3f}" if b != 0 else "0" for b in beta]
        table[name].append("" if lam is None else f"{lam:.4f}")
    return pd.DataFrame(table, index=pd.Index(index, name="系数"))


def _format_simulation(df):
    out = pd.DataFrame({
        "方法": [NAMES[k] for k in df.index],
        "MRME (%)": [f"{v:.2f}" for v in df["mrme"]],
        "正确置零（满分 5）": [f"{v:.2f}" for v in df["correct_zeros"]],
        "错误置零（理想 0）": [f"{v:.2f}" for v in df["incorrect_zeros"]],
    })
    return out.set_index("方法")


def show_simulation_n40():
    return _format_simulation(simulate(40, 3.0))


def show_simulation_n60():
    return _format_simulation(simulate(60, 1.0))


def fail_bad_a():
    """SCAD needs a > 2: the page shows the error."""
    X, y = fan_li_data(20, 1.0, 1, np.random.default_rng(0))
    return fit(X[0], y[0], "scad", lam=0.5, a=2.0)
