"""How articles are laid out: pages run demos of a page module (page.py, page_<topic>.py), demos use the public API,
demos that fail on purpose are named ``fail_*``, and no module outgrows a reader."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from docexec.refs import scan_tree

REPO = Path(__file__).resolve().parents[1]
REFS = [s.ref for s in scan_tree(REPO / "docs", REPO) if s.ref is not None]
ARTICLES = sorted(p.parent for p in (REPO / "snippets").glob("*/__init__.py"))
MAX_LINES = 400


def _is_page(name: str) -> bool:
    return name == "page" or name.startswith("page_")  # page.py, or page_<topic>.py when it grows


def test_every_reference_names_a_page_module_of_an_article():
    assert REFS
    for ref in REFS:
        parts = ref.module.split(".")
        assert len(parts) == 3 and parts[0] == "snippets" and _is_page(parts[2]), ref.where


def test_demos_that_fail_on_purpose_are_named_fail():
    raising = {ref.target for ref in REFS if ref.option("raises")}
    assert raising, "no page shows a failing demo"
    for target in raising:
        assert target.split(":")[1].startswith("fail_"), target
    for ref in REFS:
        if ref.function.startswith("fail_"):
            assert ref.target in raising, f"{ref.where}: {ref.target} has no raises= option"


PAGES = sorted(p for a in ARTICLES for p in a.glob("page*.py"))


@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.name)
def test_every_article_has_a_page_module(article):
    assert (article / "page.py").is_file(), f"{article.name} has no page.py"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_page_modules_use_only_the_public_api(page):
    for node in ast.walk(ast.parse(page.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            private = [a.name for a in node.names if a.name.startswith("_")]
            assert not private, f"{page.name} imports private {private} from {node.module}"
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.attr.startswith("_") and not node.attr.startswith("__"):
                assert node.value.id in ("self", "cls"), f"{page.name} uses {node.value.id}.{node.attr}"


@pytest.mark.parametrize("path", sorted((REPO / "snippets").rglob("*.py")) +
                         sorted((REPO / "docexec").rglob("*.py")),
                         ids=lambda p: p.relative_to(REPO).as_posix())
def test_no_module_is_over_400_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(REPO)} has {lines} lines"
