"""Build-time math: arithmatex finds it, mdmathml turns it into MathML Core (Temml)."""

from __future__ import annotations

import json
import logging
import re

import markdown
import pytest

import mdmathml
from math_check import check_math, italic_by_offset
from site_build import REPO


def convert(text: str, **config) -> str:
    md = markdown.Markdown(
        extensions=["pymdownx.arithmatex", "mdmathml"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}, "mdmathml": config})
    return md.convert(text)


def test_inline_math_becomes_mathml_with_its_structure():
    out = convert(r"比值 $\frac{a}{b}$ 与 $x^2$，范数 $\lvert \mathbf{w} \rvert$。")
    assert "<mfrac><mi>a</mi><mi>b</mi></mfrac>" in out
    assert re.search(r"<msup><mi>x</mi><mn[^>]*>2</mn></msup>", out)
    assert "<mi>𝐰</mi>" in out  # a bold vector: the Unicode mathematical bold letter
    assert out.count("<math data-search-exclude>") == 3  # formulas stay out of the index
    assert "arithmatex" not in out and "$" not in out and "\\" not in out
    assert 'display="block"' not in out  # inline math stays inline
    assert not check_math(out).problems


def test_display_math_is_a_block_in_display_mode():
    out = convert("$$\n\\sum_{i=1}^n i\n$$\n")
    assert out.count('<div class="math-block" data-search-exclude><math display="block"') == 1
    assert "<munderover>" in out and "∑" in out


def test_environments_and_operators_become_mathml():
    out = convert("$$\n\\operatorname{sign}(z) = \\begin{cases} 1 & z > 0 \\\\ -1 & \\text{否则}"
                  "\\end{cases}, \\quad \\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix}\n$$\n")
    assert "<mi>sign</mi>" in out and out.count("<mtable") == 2 and "<mtext>否则</mtext>" in out
    assert not check_math(out).problems


def test_macros_are_expanded():
    out = convert(r"$\RR$", macros={r"\RR": r"\mathbb{R}"})
    assert "<mi>ℝ</mi>" in out


def test_a_formula_temml_cannot_parse_is_logged_and_left_as_code(caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs.mdmathml")
    out = convert(r"坏的 $\frac{a}{$ 公式，未知 $\nosuchmacro{x}$")
    assert out.count('<code class="math-error">') == 2 and "<math" not in out
    assert sum("mdmathml: cannot render" in r.getMessage() for r in caplog.records) == 2
    assert check_math(out).problems  # the site tests fail on such a page


def test_render_memoises_and_raises_on_bad_tex():
    assert mdmathml.render("x") is mdmathml.render("x")
    with pytest.raises(mdmathml.MathError):
        mdmathml.render(r"\frac{")


def test_the_raw_tex_check_finds_what_a_renderer_left():
    for page in (r"<p>见 \(x^2\) 式</p>", "<p>价格 $x$ 元</p>", r"<p>\frac{a}{b}</p>",
                 '<div class="arithmatex">\\[x\\]</div>', "<math><merror><mtext>x</mtext></merror></math>",
                 r"<math><mtext>\alpha</mtext></math>"):
        assert check_math(page).problems, page
    assert not check_math(r"<pre><code>$x$ \frac</code></pre><p>5$ 与 6$</p>").problems


def test_the_vendored_temml_is_the_one_package_json_pins():
    pinned = json.loads((REPO / "package.json").read_text())["dependencies"]["temml"]
    css = (REPO / "docs" / "assets" / "math" / "temml.css").read_text()
    assert f"Temml {pinned} " in css
    installed = REPO / "node_modules" / "temml" / "dist" / "temml.min.js"
    if not installed.exists():
        pytest.skip("node_modules not installed (npm ci)")
    assert installed.read_bytes() == mdmathml.TEMML_JS.read_bytes(), "run python -m mdmathml.vendor"


# --- the math font a build serves (mdmathml/font.py) -----------------------------------------

from hypothesis import given, strategies as st  # noqa: E402

from mdmathml import font as math_font  # noqa: E402
from mdmathml.vendor import FONT  # noqa: E402

VENDORED = REPO / "docs" / "assets" / "math" / FONT


@given(st.sampled_from([chr(p) for p in [*range(0x41, 0x5B), *range(0x61, 0x7B),
                                          *range(0x391, 0x3AA), *range(0x3B1, 0x3CA)] if p != 0x3A2]))
def test_italic_form_of_latin_and_greek_letters(letter):
    assert math_font.italic_form(ord(letter)) == italic_by_offset(letter)


@pytest.mark.parametrize("char, italic", [("∂", 0x1D715), ("∇", 0x1D6FB), ("ϵ", 0x1D716),
                                          ("1", None), ("+", None), ("中", None), ("∑", None)])
def test_italic_form_of_symbols(char, italic):
    assert math_font.italic_form(ord(char)) == italic


def test_drawn_codepoints_reads_formulas_only():
    page = ('<p>text outside ∞</p><math><mi>x</mi><mo>&lt;</mo><mn>2</mn>'
            '<mtext>if 中</mtext><annotation encoding="application/x-tex">\\zeta</annotation></math>'
            '<p>between ∮</p><math display="block"><mi mathvariant="normal">Σ</mi><mo>&#x2211;</mo></math>')
    points = math_font.drawn_codepoints(page)
    drawn = set("x<2if中Σ∑")
    italics = {italic_by_offset(c) for c in drawn} - {None}
    assert points == {ord(c) for c in drawn} | italics
    assert math_font.drawn_codepoints("<p>no formula: x &lt; y</p>") == set()
    # a square root draws √ though no text holds it; an nth root too
    for root in ("<msqrt><mn>2</mn></msqrt>", "<mroot><mn>2</mn><mn>3</mn></mroot>"):
        assert 0x221A in math_font.drawn_codepoints(f"<math>{root}</math>")
    assert 0x221A not in math_font.drawn_codepoints("<math><mn>2</mn></math><p>msqrt</p>")


def _cmap(data: bytes) -> set[int]:
    import io

    from fontTools.ttLib import TTFont
    return set(TTFont(io.BytesIO(data)).getBestCmap())


@pytest.fixture(scope="module")
def vendored() -> bytes:
    return VENDORED.read_bytes()


def test_subset_holds_exactly_the_asked_characters_the_source_has(vendored):
    asked = {ord(c) for c in "x(=∑√中"} | {0x1D465}
    data = math_font.subset_woff2(vendored, asked)
    assert data[:4] == b"wOF2"
    held = _cmap(data)
    assert (asked & _cmap(vendored)) | {0x20} <= held <= _cmap(vendored)
    assert not held & {ord(c) for c in "QZ∫∮ωℵ"}  # not asked, not drawn with what was
    assert len(data) < len(vendored) / 10


def test_subset_keeps_what_drawing_needs(vendored):
    import io

    from fontTools.ttLib import TTFont
    font = TTFont(io.BytesIO(math_font.subset_woff2(vendored, {ord("("), ord("∑"), ord("x")})))
    variants = font["MATH"].table.MathVariants
    paren = font.getBestCmap()[ord("(")]
    index = variants.VertGlyphCoverage.glyphs.index(paren)
    construction = variants.VertGlyphConstruction[index]
    assert construction.VariantCount > 1  # taller parentheses for taller contents
    glyphs = set(font.getGlyphOrder())
    assert all(r.VariantGlyph in glyphs for r in construction.MathGlyphVariantRecord)
    features = {r.FeatureTag for r in font["GSUB"].table.FeatureList.FeatureRecord}
    assert "ssty" in features  # script-style forms in sub- and superscripts (Firefox)
    assert font["MATH"].table.MathConstants.AxisHeight == \
        TTFont(io.BytesIO(vendored))["MATH"].table.MathConstants.AxisHeight


def test_subset_is_the_same_bytes_each_time_and_keyed_by_its_inputs(vendored):
    asked = {ord(c) for c in "abc"}
    assert math_font.subset_woff2(vendored, asked) == math_font.subset_woff2(vendored, set(asked))
    key = math_font.subset_key(vendored, asked)
    assert key == math_font.subset_key(vendored, set(asked))
    assert key != math_font.subset_key(vendored, asked | {ord("d")})
    assert key != math_font.subset_key(b"\0" + vendored, asked)
