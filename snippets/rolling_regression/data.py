"""A synthetic panel with known, time-varying betas, and the article's data."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from snippets._checks import integer
from snippets._shared import shared

FACTORS = ("mkt", "smb", "hml")
KINDS = ("漂移", "切换", "稳定")


def _fraction(name, value):
    if (isinstance(value, (bool, np.bool_))
            or not isinstance(value, numbers.Real)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not 0 <= value <= 1:
        raise ValueError(f"{name}={value!r} must lie between 0 and 1")
    return float(value)


def _panel_args(n_assets, n_dates, n_factors, late_start, gaps, missing):
    """Checks of ``make_panel``; returns the three sizes as ints."""
    sizes = []
    for name, v, low, high in (("n_assets", n_assets, 1, None),
                               ("n_dates", n_dates, 2, None),
                               ("n_factors", n_factors, 1, len(FACTORS))):
        v = integer(v, name)
        if v < low or (high is not None and v > high):
            span = f"at least {low}" if high is None else (
                f"between {low} and {high}")
            raise ValueError(f"{name} must be {span}, got {v}")
        sizes.append(v)
    for name, v in (("late_start", late_start), ("gaps", gaps),
                    ("missing", missing)):
        _fraction(name, v)
    return tuple(sizes)


# --8<-- [start:make_panel]
def make_panel(n_assets=200, n_dates=2000, n_factors=2, late_start=0.25,
               gaps=0.2, missing=0.003, seed=0):
    """Daily returns of many assets on ``n_factors`` factors.

    Returns ``(panel, truth)``: the long panel (asset, date, ret, factors)
    and the true betas indexed by (asset, date).  Market betas drift
    (slow cycles), switch regime once, or stay put, by asset; some assets
    start late, some are suspended for a while (their rows are absent) and
    a few returns are missing (NaN).
    """
    A, T, f = _panel_args(n_assets, n_dates, n_factors, late_start, gaps,
                          missing)
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2017-01-02", periods=T)
    t = np.arange(T)
    vol = np.array([0.010, 0.005, 0.005])[:f]
    F = rng.normal(0.0, 1.0, (T, f)) * vol  # 因子收益
    F[:, 0] += 0.0003
    kind = np.arange(A) % 3  # 0 漂移、1 切换、2 稳定
    B = np.empty((A, T, f))
    level = rng.uniform(0.6, 1.4, A)
    amp = rng.uniform(0.2, 0.5, A)
    period = rng.uniform(400, 1500, A)
    phase = rng.uniform(0, 2 * np.pi, A)
    cycle = level[:, None] + amp[:, None] * np.sin(
        2 * np.pi * t / period[:, None] + phase[:, None])
    before = rng.uniform(0.4, 0.9, A)
    after = rng.uniform(1.1, 1.6, A)
    flip = rng.random(A) < 0.5  # 一半资产是从高贝塔切到低贝塔
    before[flip], after[flip] = after[flip], before[flip]
    switch = rng.integers(int(0.3 * T), int(0.8 * T), A)
    regime = np.where(t < switch[:, None], before[:, None], after[:, None])
    B[..., 0] = np.select([kind[:, None] == 0, kind[:, None] == 1],
                          [cycle, regime], level[:, None])
    for j in range(1, f):  # 风格因子的暴露：常数加一点缓慢漂移
        B[..., j] = rng.uniform(-0.6, 0.6, (A, 1)) + 0.2 * np.sin(
            2 * np.pi * t / rng.uniform(600, 2000, (A, 1))
            + rng.uniform(0, 2 * np.pi, (A, 1)))
    sigma = rng.uniform(0.008, 0.02, A)  # 特质波动率
    noise = rng.normal(0.0, 1.0, (A, T)) * sigma[:, None]
    ret = np.einsum("atf,tf->at", B, F) + noise

    present = np.ones((A, T), dtype=bool)
    late = rng.random(A) < late_start  # 晚上市的资产
    first = rng.integers(int(0.1 * T), int(0.6 * T), A)
    present[late] = t >= first[late, None]
    halted = rng.random(A) < gaps  # 停牌：这段时间没有行
    g0 = rng.integers(0, T, A)
    g_len = rng.integers(5, 60, A)
    present[halted] &= ((t < g0[halted, None])
                        | (t >= (g0 + g_len)[halted, None]))
    ret[rng.random((A, T)) < missing] = np.nan  # 零星缺失的收益

    a, d = np.nonzero(present)
    width = len(str(A - 1))
    names = np.array([f"S{i:0{width}d}" for i in range(A)])
    panel = pd.DataFrame({"asset": names[a], "date": dates[d],
                          "ret": ret[a, d]})
    for j in range(f):
        panel[FACTORS[j]] = F[d, j]
    truth = pd.DataFrame({f"beta_{FACTORS[j]}": B[a, d, j]
                          for j in range(f)},
                         index=pd.MultiIndex.from_arrays(
                             [names[a], dates[d]],
                             names=["asset", "date"]))
    truth["sigma"] = sigma[a]
    truth["kind"] = np.array(KINDS)[kind[a]]
    truth["late"] = late[a]
    truth["halted"] = halted[a]
    return panel, truth
# --8<-- [end:make_panel]


@shared
def article_panel():
    """The article's panel: 200 assets, 2000 dates, 2 factors, seed 0.

    Built once per process and shared by the demos: treat it as read-only.
    """
    return make_panel(n_assets=200, n_dates=2000, n_factors=2, seed=0)


def example_assets(truth):
    """Three assets for the figures: a drifting, a switching, a late one.

    ``truth`` is the second value of ``make_panel``.  The late one also has
    a suspension well inside its history (more than 150 rows either side).
    """
    if not isinstance(truth, pd.DataFrame):
        raise TypeError(f"truth must be a pandas DataFrame, "
                        f"got {type(truth).__name__}")
    need = {"kind", "late", "halted"} - set(truth.columns)
    if need or list(truth.index.names) != ["asset", "date"]:
        raise ValueError("truth must be the second value of make_panel: "
                         "indexed by (asset, date), with columns kind, "
                         "late and halted")
    info = truth.groupby(level="asset")[["kind", "late", "halted"]].first()
    steady = ~info.late & ~info.halted
    found = []
    for kind in KINDS[:2]:
        names = info.index[(info.kind == kind) & steady]
        if len(names) == 0:
            raise ValueError(f"no {kind} asset that starts on time and is "
                             "never suspended")
        found.append(names[0])
    all_dates = truth.index.get_level_values("date").unique().sort_values()
    for name in info.index[info.late & info.halted
                           & (info.kind != "稳定")]:
        pos = all_dates.get_indexer(truth.loc[name].index)
        gap = int(np.argmax(np.diff(pos)))
        if gap > 150 and len(pos) - gap > 150:  # 停牌在中段
            return found + [name]
    raise ValueError("no late asset with a suspension in the middle")
