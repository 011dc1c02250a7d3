"""A figure's snapshot text: what it draws, at a resolution that holds on any machine."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from docexec.figure_data import describe, numbers  # noqa: E402
from docexec.snapshot import compare, last_digit_unit  # noqa: E402


def drawn(build):
    fig, ax = plt.subplots()
    build(ax)
    fig.canvas.draw()
    try:
        return describe(fig)
    finally:
        plt.close(fig)


@pytest.mark.parametrize("values, text", [
    ([3, 1.5, 0.25], "3.000 1.500 0.250"),        # largest 3: three decimals
    ([-120.04, 5], "-120.0 5.0"),                 # largest 120: one decimal
    ([123456, 7], "123500 0"),                    # largest 1.2e5: round to hundreds
    ([1e-17, -2e-17, 1.0], "0 0 1.000"),          # rounding noise near zero prints as 0
    ([0.0, 0.0], "0 0"),
    ([np.nan, 2.0], "nan 2.000"),
])
def test_numbers_have_four_significant_digits_of_the_largest(values, text):
    assert numbers(values) == text


def test_a_line_is_described_by_its_data():
    x = np.arange(5.0)
    text = drawn(lambda ax: ax.plot(x, x ** 2, label="square"))
    assert 'line "square" x n=5 min/mean/max 0 2.000 4.000 samples 0 1.000 2.000 3.000 4.000' in text
    # squares 0 1 4 9 16, mean 6: the largest is 16, so two decimals
    assert "y n=5 min/mean/max 0 6.00 16.00 samples 0 1.00 4.00 9.00 16.00" in text


def test_planted_changes_show_and_rounding_noise_does_not():
    rng = np.random.default_rng(0)
    y = rng.normal(size=200)
    base = drawn(lambda ax: ax.plot(y))
    assert drawn(lambda ax: ax.plot(y * (1 + 1e-13))) == base
    assert drawn(lambda ax: ax.plot(y / 2)) != base
    assert drawn(lambda ax: ax.plot(y[::-1])) != base
    assert drawn(lambda ax: (ax.plot(y), ax.plot(y))) != base


def test_bars_scatter_image_text_and_legend():
    def build(ax):
        ax.bar(["a", "b"], [2.0, 0.5], label="counts")
        ax.scatter([7.0], [8.0])  # one point: its position, not its marker's outline
        ax.imshow(np.arange(6).reshape(2, 3), extent=(0, 3, 0, 2))
        ax.text(0, 0, "peak")
        ax.legend()
        ax.set_title("标题")

    text = drawn(build)
    assert 'title "标题"' in text
    assert "x ticks: a | b" in text
    assert "bars n=2 heights 2.000 0.500 widths 0.8000 0.8000" in text
    assert "PathCollection\n    x n=1 min/mean/max 7.000 7.000 7.000" in text
    assert "image 2x3 values n=6 min/mean/max 0 2.500 5.000" in text
    assert 'text "peak"' in text and "legend: counts" in text


def test_a_colorbar_shows_only_its_range():
    fig, ax = plt.subplots()
    im = ax.imshow(np.array([[0.0, 4.0]]))
    fig.colorbar(im)
    fig.canvas.draw()
    text = describe(fig)
    plt.close(fig)
    assert text.splitlines()[-1] == 'axes 1 x "" [0 1.000] y "" [0 4.000] colorbar'


@pytest.mark.parametrize("number, unit", [
    ("3.14", 0.01), ("42", 1.0), ("-0.5", 0.1), ("2.5e-06", 1e-7), ("1E+3", 1000.0)])
def test_last_digit_unit(number, unit):
    assert last_digit_unit(number) == pytest.approx(unit)


def test_figure_numbers_may_move_one_unit_in_their_last_digit():
    approved = "[figure] alt\n  y samples 0.1235 12.00 7"
    assert compare(approved, "[figure] alt\n  y samples 0.1236 11.99 8", last_digit=True) is None
    assert compare(approved, "[figure] alt\n  y samples 0.1237 12.00 7", last_digit=True)
    assert compare(approved, "[figure] alt\n  y samples 0.1236 12.00 7")  # exact without it
    assert compare(approved, "[figure] alt\n  x samples 0.1235 12.00 7", last_digit=True)


def test_an_arrow_without_text_is_described_by_its_points():
    text = drawn(lambda ax: (ax.set_xlim(0, 4), ax.set_ylim(0, 4),
                             ax.annotate("", xy=(3.0, 2.0), xytext=(1.0, 0.5),
                                         arrowprops={"arrowstyle": "->"}),
                             ax.annotate("峰值", xy=(2.0, 4.0))))
    assert 'annotation "" at (3.000 2.000) from (1.000 0.500)' in text
    assert 'annotation "峰值" at (2.000 4.000)' in text


# --- the narrow variant (docexec.figures.render_figure) ----------------------------------------

def _render(value):
    from docexec.figures import render_figure, theme_rc

    with matplotlib.rc_context(theme_rc("light")):
        return render_figure(value)


def _two_panels(narrow=False):
    from docexec.figures import theme_rc

    with matplotlib.rc_context(theme_rc("light")):
        fig, (a, b) = plt.subplots(*((2, 1) if narrow else (1, 2)),
                                   figsize=(4, 6) if narrow else (9, 3))
        a.plot([0, 1, 2], [1, 0, 1], label="线")
        b.bar(["x", "y"], [2.0, 3.0])
        a.legend()
        return fig


def test_a_single_column_figure_is_laid_out_again_at_the_narrow_width():
    from docexec.figures import NARROW_WIDTH, svg_size

    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot([0, 1], [0, 1], color="C0")
    ax.set_title("标题")
    out = _render(fig)
    narrow = out["narrow"]
    assert set(out["files"]) == {out["light"], out["dark"], narrow["light"], narrow["dark"]}
    assert len(out["files"]) == 4  # four different files
    assert (narrow["width"], narrow["height"]) == svg_size(out["files"][narrow["light"]])
    assert narrow["width"] < 0.6 * out["width"]
    assert narrow["width"] == pytest.approx(NARROW_WIDTH * 96, rel=0.1)
    # each palette's colours: the narrow light file has the light ink, the dark one the dark
    light, dark = (out["files"][narrow[v]].decode() for v in ("light", "dark"))
    assert "#0969da" in light and "#58a6ff" not in light
    assert "#58a6ff" in dark and "#0969da" not in dark
    assert out["data"].endswith(f"narrow: the same figure laid out {NARROW_WIDTH:g} in wide")
    assert not plt.get_fignums()  # closed


def test_axes_side_by_side_get_no_narrow_variant_unless_the_demo_draws_one():
    from docexec import Responsive

    assert "narrow" not in _render(_two_panels())
    assert "narrow" not in _render(Responsive(_two_panels(), narrow=None))
    drawn = []
    out = _render(Responsive(_two_panels(), narrow=lambda: drawn.append(1) or _two_panels(True)))
    assert drawn == [1] and out["narrow"]["height"] > out["narrow"]["width"]
    assert out["data"].splitlines()[-1] == "narrow: 4.0 × 6.0 in, the same data"
    assert not plt.get_fignums()


def test_a_narrow_layout_that_draws_something_else_is_in_the_snapshot():
    from docexec import Responsive

    def other():
        fig = _two_panels(True)
        fig.axes[1].set_title("只在手机上")
        fig.axes[0].plot([0, 1], [5, 5])
        return fig

    data = _render(Responsive(_two_panels(), narrow=other))["data"]
    assert "narrow: 4.0 × 6.0 in, draws\naxes 0" in data
    relabelled = _two_panels(True)
    relabelled.axes[1].set_title("只在手机上")
    data = _render(Responsive(_two_panels(), narrow=relabelled))["data"]
    assert data.endswith('the same data; axes that differ:\naxes 1 title "只在手机上" x "" '
                         '[-0.490 1.490] y "" [0 3.150]')


def test_a_figure_small_enough_keeps_one_variant():
    fig, ax = plt.subplots(figsize=(4.2, 3))
    ax.plot([0, 1], [0, 1])
    assert "narrow" not in _render(fig)


def test_a_text_box_takes_the_dark_palette():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.text(0.5, 0.5, "+0.2", bbox=dict(fc="white", ec="none"))
    out = _render(fig)
    dark = out["files"][out["dark"]].decode()
    assert "#ffffff" not in dark and "#1e2129" in dark


def test_the_page_serves_the_narrow_variant_below_the_breakpoint():
    from docexec.outputs import KINDS, NARROW_MEDIA, figure_files, is_valid

    o = {"kind": "figure", "light": "w1.svg", "dark": "w2.svg", "width": 800, "height": 300,
         "data": "", "narrow": {"light": "n1.svg", "dark": "n2.svg", "width": 380,
                                "height": 500}}
    ctx = type("Ctx", (), {"prefix": "../", "alt": "图"})()
    html = KINDS["figure"].html(o, ctx)
    assert html.count("<picture>") == 2 and html.count("<img") == 2
    assert (f'<picture><source media="{NARROW_MEDIA}" srcset="../assets/figures/n2.svg" '
            'width="380" height="500"><img src="../assets/figures/w2.svg#only-dark" alt="图" '
            'width="800" height="300"') in html
    assert figure_files([o]) == {"w1.svg", "w2.svg", "n1.svg", "n2.svg"}
    assert is_valid(o) and not is_valid({**o, "narrow": {"light": "n1.svg"}})
    plain = {k: v for k, v in o.items() if k != "narrow"}
    assert is_valid(plain) and "<picture>" not in KINDS["figure"].html(plain, ctx)
    assert figure_files([plain]) == {"w1.svg", "w2.svg"}
