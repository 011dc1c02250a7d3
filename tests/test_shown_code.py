"""What a page shows of a snippet module (its marked sections) fits a laptop's code block."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MODULES = sorted((REPO / "snippets").rglob("*.py"))
MARKER = re.compile(r"# --8<-- \[(start|end):([\w-]+)\]")


def _width(line: str) -> int:
    # CJK characters take two columns
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_shown_sections_fit_79_columns_and_are_closed(module):
    inside = None
    for number, line in enumerate(module.read_text(encoding="utf-8").splitlines(), 1):
        marker = MARKER.search(line)
        if marker:
            kind, name = marker.groups()
            assert (kind == "start") == (inside is None), (number, line)
            inside = name if kind == "start" else None
        elif inside:
            assert _width(line) <= 79, (inside, number, line)
    assert inside is None, f"section {inside} is never closed"
