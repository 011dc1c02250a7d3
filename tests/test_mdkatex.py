"""Build-time math: arithmatex finds it, mdkatex turns it into KaTeX HTML with MathML."""

from __future__ import annotations

import logging

import markdown

import mdkatex


def convert(text: str, **config) -> str:
    md = markdown.Markdown(
        extensions=["pymdownx.arithmatex", "mdkatex"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}, "mdkatex": config})
    return md.convert(text)


def test_inline_math_becomes_mathml_with_its_structure():
    out = convert(r"比值 $\frac{a}{b}$ 与 $x^2$。")
    assert "<mfrac><mi>a</mi><mi>b</mi></mfrac>" in out
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in out
    assert 'class="katex" data-search-exclude' in out  # formulas stay out of the index
    assert "arithmatex" not in out and "$" not in out


def test_display_math_is_a_block_in_display_mode():
    out = convert("$$\n\\sum_{i=1}^n i\n$$\n")
    assert out.count('<div class="katex-block" data-search-exclude>') == 1
    assert 'display="block"' in out and "<munderover>" in out


def test_macros_are_expanded():
    out = convert(r"$\RR$", macros={r"\RR": r"\mathbb{R}"})
    assert "<mi mathvariant=\"double-struck\">R</mi>" in out


def test_a_formula_katex_cannot_parse_is_logged_and_left_as_code(caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs.mdkatex")
    out = convert(r"坏的 $\frac{a}{$ 公式")
    assert '<code class="katex-error">' in out
    assert any("mdkatex: cannot render" in r.getMessage() for r in caplog.records)


def test_render_memoises_and_raises_on_bad_tex():
    assert mdkatex.render("x") is mdkatex.render("x")
    try:
        mdkatex.render(r"\frac{")
    except mdkatex.KatexError:
        pass
    else:
        raise AssertionError("bad TeX must raise KatexError")
