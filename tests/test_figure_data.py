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
