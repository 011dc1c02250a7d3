"""What a figure draws, as text that an approved snapshot can compare.

An SVG differs from machine to machine in its last digits and says little to a
reviewer. This text names each axes (title, labels, limits) and what it holds:
lines, collections, images, bars, texts and legend entries, with their data.
Each array is printed at a fixed absolute resolution, four significant digits
of its largest magnitude, so near-zero rounding noise prints as 0; a snapshot
of a figure then allows one unit in the last printed digit (``snapshot.compare``).
Halving the data, swapping two series or dropping one changes the text.
"""

from __future__ import annotations

import math

SAMPLES = 9  # evenly spaced points printed per series (first and last included)
MAX_BARS = 30  # bar heights printed one by one up to this many


def _decimals(scale: float) -> int:
    """Decimals that give ``scale`` four significant digits (negative: round to tens, ...)."""
    return 3 - math.floor(math.log10(scale)) if scale > 0 else 0


def _fmt(v: float, decimals: int) -> str:
    if not math.isfinite(v):
        return str(v)
    v = round(v, decimals)
    text = f"{v:.{decimals}f}" if decimals > 0 else str(int(v))
    return "0" if float(text) == 0 else text  # no "-0.000"


def numbers(values) -> str:
    """Values at one resolution: four significant digits of the largest finite magnitude."""
    import numpy as np

    a = np.asarray(values, dtype=float).ravel()
    finite = a[np.isfinite(a)]
    d = _decimals(float(np.abs(finite).max())) if finite.size else 0
    return " ".join(_fmt(float(v), d) for v in a)


def _summary(name: str, values) -> str:
    """``name`` n=…: min, mean, max and evenly spaced samples of a 1-D or flattened array."""
    import numpy as np

    a = np.ma.filled(np.ma.asarray(values, dtype=float), np.nan).ravel()
    finite = a[np.isfinite(a)]
    text = f"{name} n={a.size}"
    if finite.size < a.size:
        text += f" nonfinite={a.size - finite.size}"
    if finite.size:
        text += f" min/mean/max {numbers([finite.min(), finite.mean(), finite.max()])}"
        idx = np.unique(np.linspace(0, a.size - 1, min(SAMPLES, a.size)).round().astype(int))
        text += f" samples {numbers(a[idx])}"
    return text


def _label(artist) -> str:
    label = artist.get_label() or ""
    return "" if label.startswith("_") else f' "{label}"'


def _axes_header(i: int, ax) -> str:
    parts = [f"axes {i}"]
    if ax.get_title():
        parts.append(f'title "{ax.get_title()}"')
    for axis in ("x", "y"):
        label = getattr(ax, f"get_{axis}label")()
        lim = numbers(getattr(ax, f"get_{axis}lim")())
        scale = getattr(ax, f"get_{axis}scale")()
        parts.append(f'{axis} "{label}" [{lim}]' + ("" if scale == "linear" else f" {scale}"))
    return " ".join(parts)


def _fixed_ticks(ax) -> list[str]:
    """Tick labels an author chose (categories, fixed names): they carry meaning."""
    from matplotlib.category import StrCategoryFormatter
    from matplotlib.ticker import FixedFormatter

    out = []
    for axis, name in ((ax.xaxis, "x"), (ax.yaxis, "y")):
        if isinstance(axis.get_major_formatter(), (FixedFormatter, StrCategoryFormatter)):
            labels = [t.get_text() for t in axis.get_ticklabels()]
            out.append(f"  {name} ticks: " + " | ".join(labels))
    return out


def _collection(c) -> list[str]:
    import numpy as np
    from matplotlib.collections import PathCollection, QuadMesh

    out = [f"  {type(c).__name__}{_label(c)}"]
    if isinstance(c, PathCollection):  # a scatter: its points are the offsets, paths are markers
        offsets = np.asarray(c.get_offsets())
        out += [f"    {_summary('x', offsets[:, 0])}", f"    {_summary('y', offsets[:, 1])}"]
    elif isinstance(c, QuadMesh):
        out.append("    grid " + "x".join(map(str, c.get_coordinates().shape[:2])))
    else:
        paths = c.get_paths()
        vertices = [p.vertices for p in paths if len(p.vertices)]
        if vertices:
            v = np.concatenate(vertices)
            out += [f"    paths={len(paths)} {_summary('x', v[:, 0])}", f"    {_summary('y', v[:, 1])}"]
    if c.get_array() is not None:
        out.append(f"    {_summary('values', c.get_array())}")
    return out


def _patches(ax) -> list[str]:
    from matplotlib.patches import Rectangle

    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    out = []
    if bars:
        heights = [b.get_height() for b in bars]
        widths = [b.get_width() for b in bars]
        if len(bars) <= MAX_BARS:
            out.append(f"  bars n={len(bars)} heights {numbers(heights)} widths {numbers(widths)}")
        else:
            out.append(f"  bars {_summary('heights', heights)}")
    others = sorted(type(p).__name__ for p in ax.patches if not isinstance(p, Rectangle))
    if others:
        out.append("  patches " + " ".join(others))
    return out


def _texts(ax) -> list[str]:
    """Texts, and annotations with the point they mark (an arrow may have no text at all)."""
    from matplotlib.text import Annotation

    out = []
    for t in ax.texts:
        text = t.get_text().strip()
        if isinstance(t, Annotation) and t.xycoords == "data":
            where = f" at ({numbers(t.xy)})"
            if t.xyann != t.xy and t.anncoords == "data":
                where += f" from ({numbers(t.xyann)})"
            out.append(f'  annotation "{text}"{where}')
        elif text:
            out.append(f'  text "{text}"')
    return out


def describe(fig) -> str:
    """The text of what ``fig`` draws (call it after the figure has been drawn once)."""
    lines = []
    if fig._suptitle is not None and fig._suptitle.get_text():
        lines.append(f'suptitle "{fig._suptitle.get_text()}"')
    for i, ax in enumerate(fig.axes):
        lines.append(_axes_header(i, ax))
        if getattr(ax, "_colorbar", None) is not None:
            lines[-1] += " colorbar"  # its limits are the colour scale; its contents follow from them
            continue
        lines += _fixed_ticks(ax)
        for line in ax.get_lines():
            x, y = line.get_xdata(orig=False), line.get_ydata(orig=False)
            lines.append(f"  line{_label(line)} {_summary('x', x)}")
            lines.append(f"    {_summary('y', y)}")
        for c in ax.collections:
            lines += _collection(c)
        for im in ax.images:
            a = im.get_array()
            shape = "x".join(map(str, a.shape))
            lines.append(f"  image {shape} {_summary('values', a)}")
        lines += _patches(ax)
        lines += _texts(ax)
        legend = ax.get_legend()
        if legend is not None:
            lines.append("  legend: " + " | ".join(t.get_text() for t in legend.get_texts()))
    return "\n".join(lines)
