"""Figures: one theme, two palettes, deterministic SVG.

A demo builds its figure under the light theme (``theme_rc("light")``); the
engine writes it as SVG, then maps every colour of the light palette to its
dark counterpart and writes it again. The page shows the light file with
``#only-light`` and the dark one with ``#only-dark`` (Material's palette
switch). Backgrounds are transparent, so each variant sits on its page colour.
Text is converted to paths (no font needed by the reader) using DejaVu Sans
for Latin and the bundled subset of Noto Sans CJK SC for Chinese.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "BlogNotoSansSC-Regular.otf"
CJK_FAMILY = "Blog Noto Sans SC"

# Colour-blind-friendly hues with >= 3:1 contrast on white (light) and on
# Material's slate background #1e2129 (dark); the i-th colours correspond.
PALETTES = {
    "light": {
        "ink": "#1f2328", "muted": "#59636e", "grid": "#d1d9e0", "bg": "#ffffff",
        "cycle": ["#0969da", "#bc4c00", "#1a7f37", "#cf222e", "#8250df",
                  "#9a6700", "#1b7c83", "#6e7781"],
    },
    "dark": {
        "ink": "#e6edf3", "muted": "#9198a1", "grid": "#3d444d", "bg": "#1e2129",
        "cycle": ["#58a6ff", "#ffa657", "#3fb950", "#ff7b72", "#d2a8ff",
                  "#e3b341", "#39c5cf", "#b1bac4"],
    },
}

_font_registered = False


def register_font() -> None:
    global _font_registered
    if not _font_registered:
        from matplotlib import font_manager

        font_manager.fontManager.addfont(str(FONT_FILE))
        _font_registered = True


def theme_rc(palette: str = "light") -> dict:
    """matplotlib rcParams of the blog's figure theme."""
    from cycler import cycler

    register_font()
    p = PALETTES[palette]
    return {
        # a list of families: glyphs missing from the first come from the next
        "font.family": ["DejaVu Sans", CJK_FAMILY],
        "font.size": 10,
        "axes.unicode_minus": True,
        "text.color": p["ink"],
        "axes.labelcolor": p["ink"],
        "axes.titlecolor": p["ink"],
        "axes.edgecolor": p["muted"],
        "xtick.color": p["muted"],
        "ytick.color": p["muted"],
        "xtick.labelcolor": p["ink"],
        "ytick.labelcolor": p["ink"],
        "axes.facecolor": "none",
        "figure.facecolor": "none",
        "savefig.facecolor": "none",
        "savefig.edgecolor": "none",
        "savefig.transparent": True,
        "legend.facecolor": p["bg"],
        "legend.edgecolor": p["grid"],
        "legend.framealpha": 0.9,
        "grid.color": p["grid"],
        "grid.linewidth": 0.6,
        "axes.grid": True,
        "axes.axisbelow": True,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": cycler(color=p["cycle"]),
        "lines.linewidth": 1.8,
        "figure.figsize": (6.4, 3.6),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "image.cmap": "viridis",
        "svg.fonttype": "path",
        "svg.hashsalt": "docexec",
        "svg.image_inline": True,
    }


def _rgb_key(rgba) -> tuple:
    return tuple(round(float(c), 3) for c in rgba[:3])


def palette_map(src: str = "light", dst: str = "dark") -> dict:
    from matplotlib.colors import to_rgba

    a, b = PALETTES[src], PALETTES[dst]
    pairs = [(a[k], b[k]) for k in ("ink", "muted", "grid", "bg")]
    pairs += list(zip(a["cycle"], b["cycle"]))
    return {_rgb_key(to_rgba(x)): to_rgba(y) for x, y in pairs}


def _map_color(value, mapping):
    """The mapped colour (alpha kept), or None when ``value`` is not in the palette."""
    import numpy as np
    from matplotlib.colors import to_rgba, to_rgba_array

    if value is None or (isinstance(value, str) and value in ("none", "auto", "face")):
        return None
    try:
        arr = to_rgba_array(value)
    except (ValueError, TypeError):
        return None
    if arr.ndim != 2 or len(arr) == 0:
        return None
    out = arr.copy()
    changed = False
    for i, rgba in enumerate(arr):
        if rgba[3] == 0:
            continue
        new = mapping.get(_rgb_key(rgba))
        if new is not None:
            out[i, :3] = new[:3]
            changed = True
    if not changed:
        return None
    if len(out) == 1 and not (isinstance(value, np.ndarray) and value.ndim == 2):
        return to_rgba(tuple(out[0]))
    return out


def recolor(fig, mapping: dict) -> None:
    """Replace palette colours of every artist in ``fig`` (colormapped data is left alone)."""
    from matplotlib.collections import Collection

    for artist in fig.findobj():
        is_mapped = isinstance(artist, Collection) and artist.get_array() is not None
        for prop in ("color", "facecolor", "edgecolor", "markerfacecolor", "markeredgecolor"):
            if prop == "facecolor" and is_mapped:
                continue
            getter = getattr(artist, f"get_{prop}", None)
            setter = getattr(artist, f"set_{prop}", None)
            if getter is None or setter is None:
                continue
            try:
                new = _map_color(getter(), mapping)
            except Exception:  # an artist whose getter needs a renderer
                continue
            if new is not None:
                setter(new)
    for ax in fig.axes:
        # ticks created after this point copy these settings
        for axis in (ax.xaxis, ax.yaxis):
            ticks = axis.get_major_ticks()
            if ticks:
                tick = ticks[0]
                kw = {}
                c = _map_color(tick.tick1line.get_color(), mapping)
                if c is not None:
                    kw["color"] = c
                c = _map_color(tick.label1.get_color(), mapping)
                if c is not None:
                    kw["labelcolor"] = c
                if kw:
                    axis.set_tick_params(which="both", **kw)


_SIZE_RE = re.compile(rb'<svg[^>]*?width="([\d.]+)pt"[^>]*?height="([\d.]+)pt"', re.S)


def to_svg(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.05,
                metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def svg_size(svg: bytes) -> tuple[int, int]:
    """Width and height in CSS pixels (1pt = 4/3 px)."""
    m = _SIZE_RE.search(svg[:2000])
    if not m:
        return (0, 0)
    return (round(float(m[1]) * 4 / 3), round(float(m[2]) * 4 / 3))


def render_figure(fig) -> dict:
    """Light and dark SVG of a figure built under the light theme (closes the figure)."""
    import matplotlib.pyplot as plt

    from .figure_data import describe

    try:
        light = to_svg(fig)
        data = describe(fig)  # after a draw: tick labels and limits are final
        recolor(fig, palette_map("light", "dark"))
        dark = to_svg(fig)
    finally:
        plt.close(fig)
    width, height = svg_size(light)
    out = {"kind": "figure", "width": width, "height": height, "data": data, "files": {}}
    for variant, body in (("light", light), ("dark", dark)):
        name = f"{hashlib.sha256(body).hexdigest()[:20]}.svg"
        out[variant] = name
        out["files"][name] = body
    return out
