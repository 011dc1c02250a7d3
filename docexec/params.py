"""``params=``: one demo over a small grid of keyword values, switched between in the page.

``params="min_support=0.2,0.3,0.4"`` calls the block's function three times, as
``f(min_support=0.2)`` … each in its own worker; ``params="a=1,2;b=x,y"`` calls it for
every combination (at most ``MAX_COMBINATIONS``). Values are Python literals (numbers,
``True``/``False``/``None``, quoted strings); anything else is a string (``x``).

Each combination is a ``Ref`` of its own (``expand``): the block's options plus an internal
``kwargs`` option holding its keyword arguments as JSON. So the engine runs, caches,
backgrounds and reports combinations exactly as it does blocks; the cache key of a block
without ``params`` does not change. The page shows the first combination; a radio group
per key (``params.js``) switches to the others, which are in the page, ``hidden``.
"""

from __future__ import annotations

import ast
import html
import itertools
import json
import keyword

from .refs import Ref, ReferenceError_

MAX_COMBINATIONS = 24
KWARGS_OPTION = "kwargs"  # set by ``expand`` only; a page cannot write it
_SCALARS = (bool, int, float, str, type(None))


def _value(text: str, key: str):
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text  # a bare word: a string
    if not isinstance(value, _SCALARS) or value != value:  # nan is no value to switch to
        raise ReferenceError_(f'params: {key}={text} is not a number, string, True, False or '
                              "None")
    return value


def parse_params(text: str) -> tuple[tuple[str, tuple], ...]:
    """``"a=1,2;b=x,y"`` -> ``(("a", (1, 2)), ("b", ("x", "y")))``, or a ReferenceError_."""
    grid: list[tuple[str, tuple]] = []
    for part in text.split(";"):
        key, eq, values = part.partition("=")
        key = key.strip()
        if not eq or not key.isidentifier() or keyword.iskeyword(key):
            raise ReferenceError_(f'params="{text}": "{part.strip()}" is not key=v1,v2,… '
                                  '(e.g. params="window=20,60,120"; keys separated by ";")')
        if any(k == key for k, _ in grid):
            raise ReferenceError_(f'params="{text}": the key {key} is given twice')
        items = [v.strip() for v in values.split(",")]
        if not any(items):
            raise ReferenceError_(f'params="{text}": {key} has an empty list of values')
        if not all(items):
            raise ReferenceError_(f'params="{text}": {key} has an empty value (two commas?)')
        parsed = tuple(_value(v, key) for v in items)
        if len({json.dumps(v) for v in parsed}) < len(parsed):
            raise ReferenceError_(f'params="{text}": {key} repeats a value')
        grid.append((key, parsed))
    count = 1
    for _, values in grid:
        count *= len(values)
    if count > MAX_COMBINATIONS:
        raise ReferenceError_(f'params="{text}" gives {count} combinations; at most '
                              f"{MAX_COMBINATIONS} (each is a call and an output in the page)")
    return tuple(grid)


def grid(ref: Ref) -> tuple[tuple[str, tuple], ...]:
    raw = ref.option("params")
    return parse_params(raw) if raw else ()


def expand(ref: Ref) -> list[Ref]:
    """The combinations of a ``params=`` block, first value first; ``[ref]`` without params
    (or when ``ref`` is a combination already)."""
    keys = grid(ref)
    if not keys or ref.option(KWARGS_OPTION):
        return [ref]
    names = [k for k, _ in keys]
    return [Ref(ref.target, ref.page, ref.line, tuple(sorted(
                (*ref.options, (KWARGS_OPTION, json.dumps(list(zip(names, combo))))))))
            for combo in itertools.product(*(values for _, values in keys))]


def expand_all(refs: list[Ref]) -> list[Ref]:
    return [combo for ref in refs for combo in expand(ref)]


def arguments(ref: Ref) -> str:
    """A combination's keyword arguments as Python source: ``min_support=0.4, mode='a'``."""
    raw = ref.option(KWARGS_OPTION)
    return ", ".join(f"{k}={v!r}" for k, v in json.loads(raw)) if raw else ""


def _shown(value) -> str:
    return value if isinstance(value, str) else repr(value)


def snapshot(combos: list[Ref], texts: list[str]) -> str:
    """One block's snapshot: each combination's outputs under a ``### key=value`` heading."""
    return "\n".join(f"### {arguments(c)}\n{t}" for c, t in zip(combos, texts))


def notebook_comment(ref: Ref) -> str | None:
    """A notebook comment naming the values the page also shows, or None without params."""
    keys = grid(ref)
    others = [f"{k}={', '.join(repr(v) for v in values[1:])}" for k, values in keys
              if len(values) > 1]
    if not others:
        return None
    return "# 文章里还可以切换到：" + "；".join(others)


def render_grid(ref: Ref, panels: list[str]) -> str:
    """The block's HTML: a radio group per key, then one panel per combination (in the order
    of ``expand``), all but the first ``hidden``; ``params.js`` shows the controls."""
    keys = grid(ref)
    groups = []
    for k, (key, values) in enumerate(keys):
        buttons = "".join(
            f'<button type="button" role="radio" class="docexec-params-value" '
            f'data-index="{i}" aria-checked="{"true" if i == 0 else "false"}" '
            f'tabindex="{0 if i == 0 else -1}">{html.escape(_shown(v))}</button>'
            for i, v in enumerate(values))
        groups.append(
            f'<div class="docexec-params-group" role="radiogroup" data-key="{k}" '
            f'aria-label="参数 {html.escape(key)}">'
            f'<span class="docexec-params-name" aria-hidden="true">{html.escape(key)}</span>'
            f"{buttons}</div>")
    first = "，".join(f"{key} = {_shown(values[0])}" for key, values in keys)
    out = [f'<div class="docexec-params" data-ref="{html.escape(ref.target)}" '
           "data-search-exclude>",
           f'<div class="docexec-params-controls" hidden>{"".join(groups)}</div>',
           f'<noscript><p class="docexec-params-note">下面是 {html.escape(first)} 时的结果；'
           "切换其他取值需要 JavaScript。</p></noscript>"]
    sizes = [len(values) for _, values in keys]
    for n, (combo, panel) in enumerate(zip(itertools.product(*map(range, sizes)), panels)):
        index = "-".join(map(str, combo))
        out.append(f'<div class="docexec-params-panel" data-combo="{index}"'
                   f'{" hidden" if n else ""}>\n{panel}\n</div>')
    return "\n".join(out) + "\n</div>"
