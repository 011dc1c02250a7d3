"""What the site and Zensical tests check of the math on a built page: MathML, never an error or raw TeX."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# TeX that a renderer should have consumed: delimiters arithmatex leaves, or a control word
_RAW_TEX = re.compile(r"\\[()\[\]]|\$\$|\$[^$\s<][^$<]*\$|\\(?:frac|sum|int|prod|mathbf|mathrm|mathbb|"
                      r"operatorname|begin|end|left|right|boldsymbol|lvert|rvert|hat|top|cdot|"
                      r"alpha|beta|sigma|lambda|theta|partial|nabla|sqrt|text|cases)\b")
_SKIP = {"code", "pre", "script", "style", "textarea", "kbd", "samp"}


class _MathText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.formulas = 0
        self.math_chars: set[str] = set()

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "merror" or "math-error" in classes or "arithmatex" in classes:
            self.problems.append(f"<{tag} class={' '.join(classes)}>")
        if tag == "math":
            self.formulas += 1
        if tag not in {"br", "img", "hr", "input", "meta", "link", "source", "wbr", "mspace"}:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if _SKIP & set(self.stack):
            return
        if "math" in self.stack:
            if self.stack[-1] != "annotation":
                if "\\" in data and re.search(r"\\[A-Za-z]", data):  # a command left as text
                    self.problems.append(f"TeX inside MathML: {data[:80]!r}")
                if self.stack[-1] != "mtext":  # mtext is prose (Chinese) in the body font
                    self.math_chars |= set(data)
            return
        for m in _RAW_TEX.finditer(data):
            self.problems.append(f"raw TeX in text: {data[max(0, m.start() - 30):m.end() + 30]!r}")


def check_math(html: str) -> _MathText:
    """Parse a page: ``.problems`` lists every formula left as an error or as raw TeX,
    ``.formulas`` counts the <math> elements, ``.math_chars`` the characters they draw."""
    parser = _MathText()
    parser.feed(html)
    parser.close()
    return parser


def italic_by_offset(c: str) -> int | None:
    """The Mathematical Italic a browser draws a one-letter <mi> with, by the layout of the
    Unicode blocks (not by character names, as mdmathml/font.py finds it)."""
    p = ord(c)
    if c == "h":
        return 0x210E
    if "a" <= c <= "z":
        return 0x1D44E + p - ord("a")
    if "A" <= c <= "Z":
        return 0x1D434 + p - ord("A")
    if 0x3B1 <= p <= 0x3C9:
        return 0x1D6FC + p - 0x3B1
    if 0x391 <= p <= 0x3A9 and p != 0x3A2:
        return 0x1D6E2 + p - 0x391
    return None
