"""The math font a build serves: only the glyphs its formulas draw.

The vendored font (``docs/assets/math/latinmodern-math-subset.woff2``, written by
``mdmathml/vendor.py``) covers every Unicode block a formula may use and weighs 256 KB; a
phone on a slow network waits for it before the first formula shows, so a page's first paint
waited for it too. A build instead serves a subset of it cut to the characters its pages' formulas
draw (about 60 KB for today's posts), named by its content hash: a new symbol in a post gives a
new file, never a stale one in a reader's cache. ``docs/.hooks/math_font.py`` does this after
each build; Zensical, which runs no hooks, serves the vendored font.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import unicodedata
from importlib import metadata

# what a formula draws: its token elements' text, <mtext> too (Latin in \text{} is drawn in the
# math font; Chinese is not in it and falls back to the body font), not the TeX source Temml
# keeps in <annotation>
_MATH = re.compile(r"<math\b.*?</math>", re.S)
_SKIPPED = re.compile(r"<annotation\b[^>]*>.*?</annotation>", re.S)
_TAG = re.compile(r"<[^>]*>")
_RADICAL = re.compile(r"<m(?:sqrt|root)\b")

# GSUB features a math layout engine applies: script-style glyphs in sub- and superscripts
# (Firefox) and dotless i/j under accents; 'aalt' (every alternate, for font menus) is not one
LAYOUT_FEATURES = ("ssty", "dtls")


def drawn_codepoints(page_html: str) -> set[int]:
    """The code points a browser draws with the math font for a page's formulas.

    A browser draws a one-letter <mi> in its italic form (U+1D44E 𝑎 for ``a``): each letter's
    Mathematical Italic code point is added, whether or not it stands alone. <msqrt> and <mroot>
    draw the radical sign √ (U+221A), which is in no text node.
    """
    points: set[int] = set()
    for formula in _MATH.findall(page_html):
        text = html.unescape(_TAG.sub("", _SKIPPED.sub("", formula)))
        points.update(ord(c) for c in text if not c.isspace())
        if _RADICAL.search(formula):  # the one glyph MathML Core draws that is not in the text
            points.add(0x221A)
    return points | {p for p in map(italic_form, points) if p is not None}


def italic_form(point: int) -> int | None:
    """The Mathematical Italic code point of a letter (or ∂, ∇), None when it has none."""
    if point == ord("h"):
        return 0x210E  # PLANCK CONSTANT: the italic h the Mathematical block leaves out
    name = unicodedata.name(chr(point), "")
    name = re.sub(r"^(LATIN|GREEK) ", "", name).replace("LETTER ", "").replace("LUNATE ", "")
    try:
        return ord(unicodedata.lookup(f"MATHEMATICAL ITALIC {name}"))
    except KeyError:
        return None


def subset_key(source: bytes, points: set[int]) -> str:
    """What a subset is a pure function of: the source font, the code points, fontTools' version."""
    parts = (hashlib.sha256(source).hexdigest(), sorted(points), LAYOUT_FEATURES,
             metadata.version("fonttools"))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def subset_woff2(source: bytes, points: set[int]) -> bytes:
    """``source`` (an OpenType math font, WOFF2 or not) cut to ``points`` and what drawing them
    needs: their MATH size variants and stretch assemblies, and their script-style and dotless
    forms. Code points the source lacks are left out. The same input gives the same bytes."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = list(LAYOUT_FEATURES)
    options.notdef_outline = True
    options.name_IDs = ["*"]  # the family name and the licence notice stay
    options.hinting = False
    font = TTFont(io.BytesIO(source), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=points | {0x20})  # the space: the face's metrics and gaps
    subsetter.subset(font)
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
