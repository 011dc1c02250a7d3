"""Penalty functions and the thresholding rules of an orthonormal design.

With X'X/n = I the penalised problem separates into one-coordinate problems
whose solutions are the rules compared in the article (Fan & Li 2001).
"""

from __future__ import annotations

import numpy as np

RULES = ("hard", "soft", "scad", "ridge", "garrote")

# --8<-- [start:scad_penalty]
def scad_penalty(theta, lam, a=3.7):
    """Fan-Li SCAD penalty p_{lam,a}(|theta|), elementwise."""
    t = np.abs(np.asarray(theta, dtype=float))
    middle = (2 * a * lam * t - t**2 - lam**2) / (2 * (a - 1))
    return np.where(t <= lam, lam * t,
                    np.where(t <= a * lam, middle, (a + 1) * lam**2 / 2))


def scad_derivative(theta, lam, a=3.7):
    """p'_{lam,a}(|theta|) = lam for |theta| <= lam, then decays to 0."""
    t = np.abs(np.asarray(theta, dtype=float))
    return np.where(t <= lam, lam, np.maximum(a * lam - t, 0.0) / (a - 1))
# --8<-- [end:scad_penalty]


def penalty_function(theta, kind, lam, a=3.7):
    """Value of one coordinate's penalty: "ridge", "lasso", "scad" or "hard".

    "hard" is the penalty lam^2 - (|theta| - lam)^2 1(|theta| < lam) of Fan &
    Li (2001), whose orthonormal-design solution is hard thresholding.
    """
    t = np.abs(np.asarray(theta, dtype=float))
    if kind == "ridge":
        return lam / 2 * t**2
    if kind == "lasso":
        return lam * t
    if kind == "scad":
        return scad_penalty(t, lam, a)
    if kind == "hard":
        return lam**2 - np.maximum(lam - t, 0.0) ** 2
    raise ValueError(f"unknown penalty {kind!r}; choose ridge, lasso, scad or hard")


# --8<-- [start:threshold]
def soft_threshold(z, t):
    """sign(z) * max(|z| - t, 0): the LASSO solution of one coordinate."""
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


def scad_threshold(z, lam, a=3.7, d=1.0):
    """argmin_b  d/2 (b - z)^2 + p_{lam,a}(|b|), elementwise.

    d = ||x_j||^2 / n. On each of the three pieces of the penalty the
    objective is a quadratic: take its minimiser clipped to the piece,
    then keep the best of the three candidates.
    """
    z, d = np.asarray(z, dtype=float), np.asarray(d, dtype=float)
    az = np.abs(z)
    b1 = np.clip(az - lam / d, 0.0, lam)            # |b| <= lam: 软阈值
    k = d * (a - 1) - 1                              # 中间段的曲率（乘 a-1）
    with np.errstate(divide="ignore", invalid="ignore"):
        b2 = (d * (a - 1) * az - a * lam) / k
    # 中间段是凹的（k <= 0）时极小点在端点上，端点已含在另两段里
    b2 = np.where(k > 0, np.clip(b2, lam, a * lam), b1)
    b3 = np.maximum(az, a * lam)                     # |b| > a lam: 不收缩
    cand = np.stack(np.broadcast_arrays(b1, b2, b3))
    obj = d / 2 * (cand - az) ** 2 + scad_penalty(cand, lam, a)
    best = np.take_along_axis(cand, obj.argmin(axis=0)[None], axis=0)[0]
    return np.sign(z) * best
# --8<-- [end:threshold]


def threshold(z, rule, lam, a=3.7):
    """Penalised estimate of one coordinate for an orthonormal design.

    With X'X/n = I the problem separates and z = x_j'y/n is the OLS
    estimate; "hard", "soft" (LASSO), "scad", "ridge" and "garrote" give
    the thresholding rules compared in the article.
    """
    z = np.asarray(z, dtype=float)
    if rule == "hard":
        return np.where(np.abs(z) > lam, z, 0.0)
    if rule == "soft":
        return soft_threshold(z, lam)
    if rule == "scad":
        return scad_threshold(z, lam, a)
    if rule == "ridge":
        return z / (1 + lam)
    if rule == "garrote":
        with np.errstate(divide="ignore", invalid="ignore"):
            shrink = np.maximum(1 - lam / z**2, 0.0)
        return np.where(z != 0, z * shrink, 0.0)
    raise ValueError(f"unknown rule {rule!r}; choose one of {RULES}")
