"""A demo's return value as outputs (runs in the worker; the kinds are in ``outputs``).

- a ``str`` becomes ``text``, and so does the ``repr`` of anything else whose repr is
  stable (numbers, lists, dicts, numpy arrays; a set's items sorted); a value whose repr
  holds a memory address (a generator, a lock, an object without ``__repr__``) is an error
  naming its type: the page would change on every build;
- a ``pandas.DataFrame``/``Series`` becomes a ``table``: HTML plus a Markdown rendering
  of the same cells (for snapshots);
- an object with ``_repr_markdown_`` (``docexec.Markdown``) becomes ``markdown``;
- a matplotlib ``Figure`` becomes a ``figure``: light and dark SVG, and the same for
  its narrow layout (``docexec.Responsive(wide, narrow)``, or one the engine lays out).
"""

from __future__ import annotations

import html
import math
import numbers
import re
import sys

from . import Responsive

# a number as a cell shows it, or a bound on one ("< 1e-6"): such columns align right
_ADDRESS_RE = re.compile(r"\bat 0x[0-9a-fA-F]{4,}|<[^<>]* object at |0x[0-9a-fA-F]{8,}>")
_NUMERIC_RE = re.compile(
    r"^(?:[<>≤≥]\s*)?[-+−]?(\d[\d,]*\.?\d*|\.\d+)([eE][-+]?\d+)?%?(\s*[×x]?)?$")


def format_cell(value) -> str:
    if isinstance(value, (frozenset, set)):
        return "{" + ", ".join(sorted(map(str, value))) + "}"
    if isinstance(value, (tuple, list)):
        return ", ".join(map(format_cell, value))
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v):
            return "NaN"
        return format(v, ".6g")
    if value is None:
        return ""
    return str(value)


def _is_numeric_column(cells: list[str]) -> bool:
    filled = [c for c in cells if c not in ("", "NaN")]
    return bool(filled) and all(_NUMERIC_RE.match(c.strip()) for c in filled)


def table_output(df) -> dict:
    import pandas as pd

    if isinstance(df, pd.Series):
        df = df.to_frame(name=df.name if df.name is not None else "value")
    show_index = not (isinstance(df.index, pd.RangeIndex) and df.index.name is None
                      and df.index.start == 0 and df.index.step == 1)
    if isinstance(df.columns, pd.MultiIndex):
        columns = [" / ".join(map(str, c)) for c in df.columns]
    else:
        columns = [str(c) for c in df.columns]
    index_names = [str(n) if n is not None else "" for n in df.index.names]
    header = (index_names if show_index else []) + columns
    rows = []
    for idx, row in zip(df.index, df.itertuples(index=False, name=None)):
        idx_cells = [format_cell(i) for i in (idx if isinstance(idx, tuple) else (idx,))]
        rows.append((idx_cells if show_index else []) + [format_cell(v) for v in row])
    n_index = len(index_names) if show_index else 0
    right = [
        j >= n_index and _is_numeric_column([r[j] for r in rows]) for j in range(len(header))
    ]

    def cell(tag, text, j):
        style = ' style="text-align: right"' if right[j] else ""
        return f"<{tag}{style}>{html.escape(text)}</{tag}>"

    head = "".join(cell("th", h, j) for j, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(cell("th" if j < n_index else "td", c, j) for j, c in enumerate(r))
        + "</tr>\n" for r in rows
    )
    table_html = f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>"

    def md_cell(s):
        return s.replace("|", "\\|").replace("\n", " ")

    md_lines = ["| " + " | ".join(md_cell(h) for h in header) + " |",
                "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    md_lines += ["| " + " | ".join(md_cell(c) for c in r) + " |" for r in rows]
    return {"kind": "table", "html": table_html, "text": "\n".join(md_lines)}


def value_outputs(value) -> list[dict]:
    """Outputs for a returned value (None shows nothing)."""
    if value is None:
        return []
    if isinstance(value, str) and not hasattr(value, "_repr_markdown_"):
        return [{"kind": "text", "text": value}]
    if hasattr(value, "_repr_markdown_"):
        return [{"kind": "markdown", "markdown": str(value._repr_markdown_())}]
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(value, (pd.DataFrame, pd.Series)):
        return [table_output(value)]
    mpl_figure = sys.modules.get("matplotlib.figure")
    if isinstance(value, Responsive) or (
            mpl_figure is not None and isinstance(value, mpl_figure.Figure)):
        from .figures import render_figure

        return [render_figure(value)]
    if isinstance(value, (set, frozenset)):  # a set's order follows string hashing, per run
        try:
            items = sorted(value)
        except TypeError:  # mixed types
            items = sorted(value, key=repr)
        text = "{" + ", ".join(map(repr, items)) + "}" if value else repr(value)
    else:
        text = repr(value)
    if _ADDRESS_RE.search(text):
        kind = type(value)
        raise TypeError(
            f"the returned {kind.__module__}.{kind.__qualname__} has no stable rendering (its "
            f"repr shows a memory address: {text[:80]}); return a str, a number, a pandas "
            "table, a matplotlib Figure or docexec.Markdown")
    return [{"kind": "text", "text": text}]
