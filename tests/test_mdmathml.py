"""Build-time math: arithmatex finds it, mdmathml turns it into MathML Core (Temml)."""

from __future__ import annotations

import json
import logging
import re

import markdown
import pytest

import mdmathml
from math_check import check_math
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
