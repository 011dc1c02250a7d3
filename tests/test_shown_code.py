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


# --- the lighter code blocks (docs/.hooks/code_anchors.py) show every character as before --------

def _code_anchors():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "code_anchors", REPO / "docs" / ".hooks" / "code_anchors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _highlight_config() -> dict:
    """The ``pymdownx.highlight`` options of mkdocs.yml (its python tags are not needed here)."""
    import yaml

    class Lenient(yaml.SafeLoader):
        pass

    Lenient.add_multi_constructor("tag:yaml.org,2002:python/", lambda *a: None)
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Lenient)
    for ext in config["markdown_extensions"]:
        if isinstance(ext, dict) and "pymdownx.highlight" in ext:
            return ext["pymdownx.highlight"]
    raise AssertionError("mkdocs.yml has no pymdownx.highlight options")


def _render(code: str) -> str:
    import markdown

    md = markdown.Markdown(extensions=["pymdownx.highlight", "pymdownx.superfences"],
                           extension_configs={"pymdownx.highlight": _highlight_config()})
    return md.convert(f"````python\n{code}\n````")


def _painted(html: str, plain: frozenset) -> tuple[str, list[tuple[str, str]], list[str]]:
    """The text of the first <code>, each visible character with the token class that
    colours it (None: the code's own colour), and the line numbers it shows."""
    from html.parser import HTMLParser

    class Walk(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.stack, self.text, self.chars, self.numbers, self.inside = [], [], [], [], False

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "code":
                self.inside = True
                self.numbers += (attrs.get("data-linenos") or "").split("\n") if attrs.get(
                    "data-linenos") else []
            elif self.inside and tag == "span":
                if attrs.get("class") == "linenos":
                    self.numbers.append(attrs["data-linenos"])
                cls = attrs.get("class")
                self.stack.append(None if cls in plain else cls)

        def handle_endtag(self, tag):
            if tag == "code":
                self.inside = False
            elif self.inside and tag == "span":
                self.stack.pop()

        def handle_data(self, data):
            if self.inside:
                self.text.append(data)
                colour = next((c for c in reversed(self.stack) if c), None)
                self.chars += [(ch, colour) for ch in data if not ch.isspace()]

    walk = Walk()
    walk.feed(html)
    return "".join(walk.text), walk.chars, walk.numbers


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_lighter_code_blocks_keep_every_character_its_colour_and_line_number(module):
    """Each module highlighted as a page highlights it, then lightened: the same text, every
    visible character coloured by the same token class, the same line numbers, and fewer
    elements (line numbers in one attribute, plain tokens unwrapped)."""
    hook = _code_anchors()
    before = hook.strip_line_anchors(_render(module.read_text(encoding="utf-8")))
    after = hook.lighten_blocks(before)
    text_b, chars_b, numbers_b = _painted(before, hook.PLAIN)
    text_a, chars_a, numbers_a = _painted(after, hook.PLAIN)
    assert text_a == text_b
    assert chars_a == chars_b
    assert numbers_a == numbers_b and len(numbers_a) == text_a.rstrip("\n").count("\n") + 1
    assert after.count("<") < before.count("<") - len(numbers_b)
    for cls in hook.PLAIN:
        assert f'<span class="{cls}">' not in after


def test_lightening_merges_same_class_neighbours_and_keeps_other_markup():
    hook = _code_anchors()
    code = ('<span class="p">)</span><span class="w"> </span><span class="p">(</span>'
            '<span class="n">x</span><span class="p">,</span>\n<span class="p">)</span>'
            '<span class="hll"><span class="k">if</span> <span class="k">not</span></span>')
    assert hook.lighten_code(code) == (
        '<span class="p">) (</span>x<span class="p">,</span>\n<span class="p">)</span>'
        '<span class="hll"><span class="k">if not</span></span>')  # a newline ends a merge
    # special line numbers (linenums_special) are left as they are
    special = ('<pre><span></span><code><span class="linenos special" data-linenos="2 "></span>'
               '<span class="n">x</span></code></pre>')
    assert 'class="linenos special"' in hook.lighten_blocks(special)
    # text outputs (no Pygments wrapper) are not touched
    output = "<pre><code>a  b</code></pre>"
    assert hook.lighten_blocks(output) == output
