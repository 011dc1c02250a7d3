"""Figures: one theme, two palettes, deterministic SVG.

A demo builds its figure under the light theme (``theme_rc("light")``); the
engine writes it as SVG, then maps every colour of the light palette to its
dark counterpart and writes it again. The page shows the light file with
``#only-light`` and the dark one with ``#only-dark`` (Material's palette
switch). Backgrounds are transparent, so each variant sits on its page colour.
Text is converted to paths (no font needed by the reader) using DejaVu Sans
for Latin and the bundled subset of Noto Sans CJK SC for Chinese.

A phone shows a figure in a column about 360 px wide, where a 9-inch figure's text
would shrink to a third of its size; so a figure has a narrow variant
(``NARROW_WIDTH`` inches wide, light and dark) that the page serves below a breakpoint
(``outputs.NARROW_MEDIA``). A demo that returns ``docexec.Responsive(wide, narrow)``
draws it itself, in fewer columns; a plain figure with a single column of axes is
drawn again at the narrow width; a plain figure with axes side by side gets none (it
cannot be re-laid out without its demo: the phone test then fails and says so).
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
    """matplotlib rcParams of the blog's figure theme, its font registered with matplotlib."""
    register_font()
    return theme_params(palette)


def theme_params(palette: str = "light") -> dict:
    """The theme's rcParams alone: a notebook's set-up cell quotes them without importing
    matplotlib into the build."""
    from cycler import cycler

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
    from matplotlib.text import Text

    artists = fig.findobj()
    # a text's box (``bbox=dict(fc="white")``) is not among the figure's children
    artists += [a.get_bbox_patch() for a in artists
                if isinstance(a, Text) and a.get_bbox_patch() is not None]
    for artist in artists:
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


NARROW_WIDTH = 4.0  # inches: about 390 CSS px, a phone's column at 1:1
NARROW_ROW_HEIGHT = 3.2  # inches: the tallest a row of a re-laid-out figure is kept


def _side_by_side(fig) -> bool:
    """Whether two of the figure's axes (colour bars aside) sit side by side."""
    boxes = [ax.get_position() for ax in fig.axes
             if ax.get_visible() and getattr(ax, "_colorbar", None) is None]
    return any(a.x1 <= b.x0 and min(a.y1, b.y1) > max(a.y0, b.y0)
               for a in boxes for b in boxes if a is not b)


def _rows(fig) -> int:
    """How many rows of axes the figure has (axes whose vertical extents overlap share one)."""
    spans = sorted((ax.get_position().y0, ax.get_position().y1) for ax in fig.axes
                   if ax.get_visible() and getattr(ax, "_colorbar", None) is None)
    rows, top = 0, None
    for y0, y1 in spans:
        if top is None or y0 >= top:
            rows, top = rows + 1, y1
        else:
            top = max(top, y1)
    return max(rows, 1)


def _relaid_narrow(fig) -> bool:
    """Set a single-column figure to the narrow width (rows no taller than before nor than
    ``NARROW_ROW_HEIGHT``) and lay it out again; False when it is narrow already or has
    axes side by side."""
    import warnings

    width, height = fig.get_size_inches()
    if width <= NARROW_WIDTH * 1.1 or _side_by_side(fig):
        return False
    fig.set_size_inches(NARROW_WIDTH, min(height, _rows(fig) * NARROW_ROW_HEIGHT))
    if fig.get_layout_engine() is None:  # a demo's one-off tight_layout(): again at this size
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fig.tight_layout()
    return True


def _narrow_note(wide: str, narrow: str, fig) -> str:
    """The snapshot's line on a narrow layout drawn by its demo: its size, and whether it
    draws the same data as the wide one (the axes whose title, labels or limits differ
    are listed); when it does not, everything it draws."""
    w, h = fig.get_size_inches()
    head = f"narrow: {w:.1f} × {h:.1f} in, "
    a, b = wide.splitlines(), narrow.splitlines()
    headers = [x.startswith("axes ") and y.startswith("axes ") for x, y in zip(a, b)]
    if len(a) != len(b) or any(x != y and not h for x, y, h in zip(a, b, headers)):
        return head + "draws\n" + narrow
    changed = [y for x, y in zip(a, b) if x != y]
    return head + "the same data" + ("; axes that differ:\n" + "\n".join(changed)
                                     if changed else "")


_AUTO = object()  # a plain Figure: a narrow variant when it can be laid out again


def _files(out: dict, light: bytes, dark: bytes) -> dict:
    """``{"light": name, "dark": name}``; the bodies go into ``out["files"]``."""
    names = {}
    for variant, body in (("light", light), ("dark", dark)):
        name = f"{hashlib.sha256(body).hexdigest()[:20]}.svg"
        names[variant] = name
        out["files"][name] = body
    return names


def render_figure(value) -> dict:
    """Light and dark SVG of a figure built under the light theme, and of its narrow
    variant when it has one; ``value`` is a Figure or a ``docexec.Responsive`` (closes
    every figure)."""
    import matplotlib.pyplot as plt

    from . import Responsive
    from .figure_data import describe

    fig, narrow = (value.wide, value.narrow) if isinstance(value, Responsive) else (value, _AUTO)
    to_dark, to_light = palette_map("light", "dark"), palette_map("dark", "light")
    small = None
    try:
        light = to_svg(fig)
        data = describe(fig)  # after a draw: tick labels and limits are final
        recolor(fig, to_dark)
        dark = to_svg(fig)
        if narrow is _AUTO:
            if _relaid_narrow(fig):  # drawn dark now: its light variant maps back
                small_dark = to_svg(fig)
                recolor(fig, to_light)
                small = (to_svg(fig), small_dark, "narrow: the same figure laid out "
                         f"{NARROW_WIDTH:g} in wide")
        elif narrow is not None:
            other = narrow() if callable(narrow) else narrow
            try:
                small_light = to_svg(other)
                drawn = describe(other)
                recolor(other, to_dark)
                small = (small_light, to_svg(other), _narrow_note(data, drawn, other))
            finally:
                plt.close(other)
    finally:
        plt.close(fig)
    width, height = svg_size(light)
    out = {"kind": "figure", "width": width, "height": height, "data": data, "files": {}}
    out.update(_files(out, light, dark))
    if small is not None:
        n_width, n_height = svg_size(small[0])
        out["narrow"] = {"width": n_width, "height": n_height, **_files(out, *small[:2])}
        out["data"] += "\n" + small[2]
    return out

