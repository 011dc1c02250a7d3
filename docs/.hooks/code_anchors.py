"""Lighter code blocks: line anchors only where links point, and fewer elements per line.

``pymdownx.highlight`` (``linenums_style: pymdownx-inline``, ``line_anchors``) writes, for every
line of every code block, an empty ``<a id="__codelineno-B-N">``, an empty
``<span class="linenos" data-linenos=" N ">`` whose ``::before`` shows the number, and a
``<span>`` per Pygments token, colour or not. A post has 75–310 lines of code, and these made
more than half of its elements. Here, without changing what a reader sees or copies:

- line anchors stay only in the snippet source pages (``src/``), where the code titles link
  (``source_pages.py``); the other pages drop them;
- the line numbers move into one ``data-linenos`` attribute of the block's ``<code>``, one
  number per line (``\\n`` between them). Material's own rule
  ``.highlight [data-linenos]::before`` draws them, as before, now as one sticky column;
  being generated content, they are still left out of a selection and of the copy button's
  text (``innerText``);
- the spans of tokens drawn in the code's own colour (``PLAIN``: names, whitespace,
  ``None``/``True``, string prefixes, magic names; Material gives them
  ``--md-code-hl-name-color``, which is ``--md-code-fg-color``, or no rule at all) are unwrapped
  to their text;
- neighbouring spans of one class, apart only by spaces, become one span (the spaces take the
  colour, which shows nothing);
- Pygments' empty ``<span></span>`` before ``<code>`` goes (it guards a leading newline right
  after ``<pre>``, and ``<code>`` already stands there).

``tests/test_shown_code.py`` highlights every snippet module, lightens it and checks that each
visible character keeps the token class that colours it and each line its number;
``tests/test_reader_budgets.py`` checks in the browser that every ``PLAIN`` class is drawn in
the code's colour in both palettes, that the numbers line up with the lines, and that the copy
button copies exactly the included section.
"""

from __future__ import annotations

import functools
import html as html_lib
import re

from mkdocs.plugins import event_priority

_ANCHOR = re.compile(r'<a id="__codelineno-\d+-\d+" name="__codelineno-\d+-\d+"></a>')
# a block as pymdownx.highlight writes it (docexec's text outputs have no Pygments span)
_BLOCK = re.compile(r"<pre><span></span><code>(.*?)</code></pre>", re.S)
_LINENO = re.compile(r'<span class="linenos" data-linenos="([^"]*)"></span>')
# one token: a leaf span (class, text), any other tag, or text
_TOKEN = re.compile(r'<span class="([\w-]+)">([^<]*)</span>|(<[^>]*>)|([^<]+)')

PLAIN = frozenset({
    "n",   # Name
    "w",   # Text.Whitespace
    "kc",  # Keyword.Constant: None, True, False (Material: --md-code-hl-name-color)
    "sa",  # String.Affix: the f of f"..."
    "fm",  # Name.Function.Magic: __init__
    "vm",  # Name.Variable.Magic: __name__
    "nx",  # Name.Other
    "py",  # Name.Property
})


def strip_line_anchors(html: str) -> str:
    return _ANCHOR.sub("", html)


def _tokens(code: str):
    """(class, text) for a leaf span, (None, markup) for any other tag, ("", text) for text."""
    for m in _TOKEN.finditer(code):
        if m.group(1) is not None:
            yield m.group(1), m.group(2)
        elif m.group(3) is not None:
            yield None, m.group(3)
        else:
            yield "", m.group(4)


def lighten_code(code: str) -> str:
    """The inside of one ``<code>``: plain tokens unwrapped, same-class neighbours merged."""
    out: list[str] = []
    open_class = None  # class of the span at the end of ``out``, still open to merging
    pending = ""  # spaces after that span, not yet written
    for cls, text in _tokens(code):
        if cls in PLAIN:
            cls = ""
        if cls == "" and open_class is not None and not text.strip(" "):
            pending += text  # spaces only (a newline ends the merge: lines stay apart)
            continue
        if cls and cls == open_class:
            out[-1] = out[-1][:-len("</span>")] + pending + text + "</span>"
            pending = ""
            continue
        out.append(pending)
        pending = ""
        if cls:
            out.append(f'<span class="{cls}">{text}</span>')
            open_class = cls
        else:
            out.append(text)
            open_class = None
    out.append(pending)
    return "".join(out)


def _block(match: re.Match) -> str:
    code = match.group(1)
    numbers = _LINENO.findall(code)
    attrs = ""
    if numbers and 'class="linenos' not in _LINENO.sub("", code):
        code = _LINENO.sub("", code)
        attrs = f' data-linenos="{html_lib.escape(chr(10).join(numbers))}"'
    return f"<pre><code{attrs}>{lighten_code(code)}</code></pre>"


@functools.lru_cache(maxsize=256)  # a pure function of the page's HTML: serve rebuilds reuse it
def lighten_blocks(html: str) -> str:
    """Every highlighted block of a page, lightened; other ``<pre>`` are left alone."""
    return _BLOCK.sub(_block, html)


@event_priority(60)  # before the other hooks, the blog plugin and the feeds read the HTML
def on_page_content(html, page, config, files):
    if not page.file.src_uri.startswith("src/"):
        html = strip_line_anchors(html)
    return lighten_blocks(html)
