"""The kinds of output a reference produces, each described once.

An output is a small dict with a ``kind`` (it crosses the process boundary and lives
in the cache as JSON). For each kind this module knows the fields it must have, its
HTML in a page, its text in an approved snapshot and its output in a notebook:

- ``text``: printed output (``stream``) or a returned string;
- ``table``: an HTML table and the Markdown text of the same cells;
- ``markdown``: Markdown source;
- ``figure``: content-addressed light and dark SVG files (``light``, ``dark``) with the
  figure's size and ``data``, the text of what it draws (``figure_data``), and maybe a
  ``narrow`` variant (its own light, dark and size) that phones are served; the worker
  sends the files' bytes alongside, in ``files``. Its snapshot is the alt text and that
  data, whose numbers may differ by one unit in their last printed digit.

What a demo returns is not trusted: Markdown's HTML is sanitized (``nh3``) before it is
published, every output has a size limit (``oversized``) and lone surrogates, which no
file can hold, are escaped visibly (``clean_text``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

FIGURE_DIR = "assets/figures"  # where a site serves the figure files
# a phone or a small tablet: Material's breakpoint (45em = 720 px). From 720 px up the content
# column is never narrower than 686 px, the width a wide figure is made to be read at
NARROW_MEDIA = "(max-width: 44.9375em)"
FOLD_LINES = 30  # longer text outputs are folded behind a summary line
LONE_SURROGATES = ("the output holds lone surrogates (not valid Unicode, e.g. from "
                   "os.fsdecode of a non-UTF-8 name); they are shown as \\udcff escapes")

# what Markdown, its tables and math (arithmatex spans for KaTeX, or MathML) need; nothing
# that runs script: no <script>, <style>, <iframe>, <svg>, no on* attributes, no javascript: URLs
_MATHML_TAGS = {"math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext",
                "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover",
                "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded",
                "mphantom", "menclose"}
_SAFE_TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i",
              "u", "s", "del", "ins", "mark", "small", "sub", "sup", "code", "pre", "kbd",
              "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "span", "div",
              "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup",
              "col", "abbr", "figure", "figcaption", "details", "summary"} | _MATHML_TAGS
_SAFE_ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href"}, "img": {"src", "alt", "width", "height"},
    "th": {"style", "align", "colspan", "rowspan"}, "td": {"style", "align", "colspan", "rowspan"},
    "ol": {"start"}, "math": {"display", "xmlns"}, "annotation": {"encoding"},
    "mo": {"stretchy", "fence", "separator", "lspace", "rspace"},
    "mstyle": {"displaystyle", "scriptlevel"}, "mspace": {"width"},
}


def sanitize_html(text: str) -> str:
    """HTML from a demo's Markdown, with everything that could run script removed."""
    import nh3

    return nh3.clean(text, tags=_SAFE_TAGS, attributes=_SAFE_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"},
                     filter_style_properties={"text-align"}, link_rel="noopener noreferrer")


def _text_html(o: dict, ctx) -> str:
    text = o["text"].rstrip()
    block = (f'<div class="highlight docexec-output"><pre><code>{html.escape(text)}'
             "</code></pre></div>")
    n = text.count("\n") + 1
    if n > FOLD_LINES:
        return (f'<details class="docexec-fold"><summary>输出共 {n} 行（点击展开）</summary>'
                f"{block}</details>")
    return block


def _markdown_html(o: dict, ctx) -> str:
    import markdown

    md = markdown.Markdown(
        extensions=["tables", "attr_list", "pymdownx.arithmatex"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    return f'<div class="docexec-markdown">\n{sanitize_html(md.convert(o["markdown"]))}\n</div>'


def _size(o: dict) -> str:
    return f' width="{o["width"]}" height="{o["height"]}"' if o.get("width") else ""


def _figure_html(o: dict, ctx) -> str:
    """One ``<img>`` per palette (Material shows the one whose URL ends in ``#only-`` its
    palette); with a narrow variant each is in a ``<picture>`` whose ``<source>`` serves
    the narrow file below ``NARROW_MEDIA`` (the ``<img>``, its alt text and its URL stay)."""
    narrow = o.get("narrow")
    parts = []
    for v in ("light", "dark"):
        img = (f'<img src="{ctx.prefix}{FIGURE_DIR}/{o[v]}#only-{v}" alt="{html.escape(ctx.alt)}"'
               f'{_size(o)} loading="lazy" decoding="async">')
        if narrow:
            img = (f'<picture><source media="{NARROW_MEDIA}" '
                   f'srcset="{ctx.prefix}{FIGURE_DIR}/{narrow[v]}"{_size(narrow)}>{img}'
                   "</picture>")
        parts.append(img)
    return f'<figure class="docexec-figure">{"".join(parts)}</figure>'


def _nb_text(o: dict, nb):
    text = o["text"] if o["text"].endswith("\n") else o["text"] + "\n"
    return nb.new_output("stream", name="stdout", text=text)


def _nb_table(o: dict, nb):
    return nb.new_output("execute_result", execution_count=nb.count,
                         data={"text/html": o["html"], "text/plain": o["text"]})


def _nb_markdown(o: dict, nb):
    return nb.new_output("display_data", data={"text/markdown": o["markdown"],
                                               "text/plain": o["markdown"]})


def _nb_figure(o: dict, nb):
    return nb.new_output("display_data", data={"image/svg+xml": nb.figure_svg(o["light"]),
                                               "text/plain": "<Figure>"})


@dataclass(frozen=True)
class Kind:
    name: str
    fields: dict[str, type]  # what an output of this kind must hold
    html: Callable  # (output, context with .prefix and .alt) -> HTML
    snapshot: Callable  # (output, alt) -> the text an approved snapshot compares
    notebook: Callable  # (output, notebook context) -> an nbformat output
    last_digit: bool = False  # snapshot numbers printed at a fixed resolution may differ by one unit


KINDS = {k.name: k for k in (
    Kind("text", {"text": str}, _text_html,
         lambda o, alt: o["text"].rstrip(), _nb_text),
    Kind("table", {"html": str, "text": str},
         lambda o, ctx: f'<div class="docexec-table">\n{o["html"]}\n</div>',
         lambda o, alt: o["text"].rstrip(), _nb_table),
    Kind("markdown", {"markdown": str}, _markdown_html,
         lambda o, alt: o["markdown"].rstrip(), _nb_markdown),
    Kind("figure", {"light": str, "dark": str, "width": int, "height": int, "data": str},
         _figure_html, lambda o, alt: f"[figure] {alt or ''}\n{o['data']}", _nb_figure,
         last_digit=True),
)}


_NARROW_FIELDS = {"light": str, "dark": str, "width": int, "height": int}


def is_valid(o) -> bool:
    """Whether ``o`` is a well-formed output (a cache entry's outputs are checked with it)."""
    kind = KINDS.get(o.get("kind")) if isinstance(o, dict) else None
    if kind is None or not all(isinstance(o.get(f), t) for f, t in kind.fields.items()):
        return False
    narrow = o.get("narrow")  # a figure's narrow variant, when it has one
    return narrow is None or (isinstance(narrow, dict) and all(
        isinstance(narrow.get(f), t) for f, t in _NARROW_FIELDS.items()))


def figure_files(outputs: list[dict]) -> set[str]:
    """The figure files a list of outputs refers to (narrow variants included)."""
    return {f[v] for o in outputs if o["kind"] == "figure"
            for f in (o, o.get("narrow") or {}) if f for v in ("light", "dark")}


def snapshot_text(outputs: list[dict], alt: str | None) -> str:
    """What an approved snapshot holds: each output's text, in order."""
    return "\n\n".join(KINDS[o["kind"]].snapshot(o, alt) for o in outputs) + "\n"


def snapshot_last_digit(outputs: list[dict]) -> bool:
    """Whether a snapshot's numbers may differ by one unit in their last digit (a figure's data)."""
    return any(KINDS[o["kind"]].last_digit for o in outputs)


def oversized(outputs: list[dict], max_text: int, max_figure: int) -> str | None:
    """Why an output is over its size limit (text in UTF-8, each figure file), or None."""
    for o in outputs:
        for name, body in o.get("files", {}).items():
            size = len(body)
            if size > max_figure:
                return (f"the figure file {name} is {size / 1e6:.1f} MB; the limit is "
                        f"{max_figure / 1e6:g} MB per figure (max_figure_bytes, "
                        "DOCEXEC_MAX_FIGURE_BYTES)")
        for value in o.values():
            if isinstance(value, str) and len(value) > max_text // 4:  # cheap before encoding
                size = len(value.encode("utf-8", "backslashreplace"))
                if size > max_text:
                    return (f"a {o.get('kind')} output is {size / 1e6:.1f} MB; the limit is "
                            f"{max_text / 1e6:g} MB per output (max_text_bytes, "
                            "DOCEXEC_MAX_TEXT_BYTES)")
    return None


def clean_text(value):
    """``value`` with lone surrogates (``"\\udcff"``, not valid Unicode, which no UTF-8 file
    holds) escaped visibly as ``\\udcff``, in every string of nested dicts and lists; and
    whether there was any."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value, False
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8"), True
    if isinstance(value, dict):
        pairs = {k: clean_text(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(hit for _, hit in pairs.values())
    if isinstance(value, list):
        pairs = [clean_text(v) for v in value]
        return [v for v, _ in pairs], any(hit for _, hit in pairs)
    return value, False
