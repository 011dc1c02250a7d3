"""Comparing an executed block's output with its approved snapshot.

Text is compared exactly. A block that declares ``rtol=`` / ``atol=`` (its numbers
legitimately vary by platform) has the numbers in its output compared within that
tolerance, ``|executed - approved| <= atol + rtol * |approved|``; everything between
the numbers, and how many numbers there are, is still compared exactly. Numbers
printed at a fixed resolution (a figure's data) may also differ by one unit in
their last printed digit (``last_digit=True``): the value rounded on either side
of a rounding boundary.
"""

from __future__ import annotations

import difflib
import math
import re

# a decimal number as printed: optional sign, digits with an optional fraction, optional exponent
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def _split(text: str) -> tuple[list[str], list[str]]:
    """The text between numbers, and the numbers (as printed)."""
    return _NUMBER.split(text), _NUMBER.findall(text)


def _diff(expected: str, actual: str) -> str:
    return "".join(difflib.unified_diff(
        expected.splitlines(True), actual.splitlines(True), "approved", "executed"))


def _line_of(text: str, numbers_before: int) -> str:
    """The line holding the n-th number of ``text`` (for the report)."""
    for i, match in enumerate(_NUMBER.finditer(text)):
        if i == numbers_before:
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.end())
            return text[start:end if end >= 0 else len(text)]
    return ""


def last_digit_unit(number: str) -> float:
    """One unit in the last printed digit: 0.01 for "3.14", 1 for "42", 1e-07 for "2.5e-06"."""
    mantissa, _, exponent = number.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def compare(expected: str, actual: str, rtol: float = 0.0, atol: float = 0.0,
            last_digit: bool = False) -> str | None:
    """None when ``actual`` matches ``expected``; otherwise what differs, for a person to read."""
    if expected == actual:
        return None
    if rtol == 0 and atol == 0 and not last_digit:
        return "output differs from the approved snapshot\n" + _diff(expected, actual)
    tolerance = f"tolerance rtol={rtol:g} atol={atol:g}" + (
        " or one unit in the last digit" if last_digit else "")
    text_e, num_e = _split(expected)
    text_a, num_a = _split(actual)
    if text_e != text_a:
        return (f"output differs from the approved snapshot in its text ({tolerance} applies "
                "to numbers only)\n" + _diff(expected, actual))
    outside = []
    for i, (e, a) in enumerate(zip(num_e, num_a)):
        fe, fa = float(e), float(a)
        allowed = atol + rtol * abs(fe)
        if last_digit:
            # a hair over one unit: the difference of two printed decimals is not exact in binary
            allowed = max(allowed, last_digit_unit(e) * (1 + 1e-9))
        if not (math.isfinite(fa) and abs(fa - fe) <= allowed):
            outside.append(f"  approved {e}, executed {a}: |difference| {abs(fa - fe):.3g} > "
                           f"{allowed:.3g}, in: {_line_of(actual, i).strip()}")
    if not outside:
        return None
    return (f"{len(outside)} number(s) outside the {tolerance}:\n" + "\n".join(outside)
            + "\n" + _diff(expected, actual))
