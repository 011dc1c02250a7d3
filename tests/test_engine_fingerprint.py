"""The engine fingerprint (part of every cache key) covers the code that makes results and
nothing else: editing the renderer, the notebook writer or the CLI re-executes nothing."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

import docexec.deps as deps

ENGINE = Path(deps.__file__).resolve().parent


@pytest.fixture
def engine_copy(tmp_path, monkeypatch):
    copy = tmp_path / "docexec"
    shutil.copytree(ENGINE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(deps, "_ENGINE_DIR", copy)
    deps.engine_fingerprint.cache_clear()
    yield copy
    deps.engine_fingerprint.cache_clear()


def _fingerprint_after_editing(copy: Path, name: str) -> str:
    path = copy / name
    path.write_text(path.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    deps.engine_fingerprint.cache_clear()
    return deps.engine_fingerprint()


@pytest.mark.parametrize("name", ["extension.py", "page_html.py", "notebook.py", "__main__.py",
                                  "pytest_plugin.py", "build_state.py", "record.py"])
def test_editing_what_only_renders_or_reports_keeps_the_fingerprint(engine_copy, name):
    before = deps.engine_fingerprint()
    assert _fingerprint_after_editing(engine_copy, name) == before


@pytest.mark.parametrize("name", ["worker.py", "values.py", "figures.py", "figure_data.py",
                                  "observe.py", "runner.py", "notebook_post.py"])
def test_editing_what_makes_results_changes_the_fingerprint(engine_copy, name):
    before = deps.engine_fingerprint()
    assert _fingerprint_after_editing(engine_copy, name) != before


def test_a_font_change_changes_the_fingerprint(engine_copy):
    before = deps.engine_fingerprint()
    font = next((engine_copy / "fonts").glob("*.otf"))
    font.write_bytes(font.read_bytes() + b"\0")
    deps.engine_fingerprint.cache_clear()
    assert deps.engine_fingerprint() != before


def _package_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            names.add(node.module.split(".")[0] + ".py")
        elif isinstance(node, ast.ImportFrom) and node.module and \
                node.module.startswith("docexec."):
            names.add(node.module.split(".")[1] + ".py")
    return names


def test_everything_the_worker_imports_from_the_engine_is_in_the_fingerprint():
    todo, seen = ["worker.py", "notebook_post.py"], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(_package_imports(ENGINE / name) - seen)
    # notebook_post writes, bundles and scans in the parent; its kernel runs values only
    parent_side = {"bundle.py", "cache.py", "refs.py", "settings.py", "params.py"}
    assert seen - parent_side <= set(deps.RESULT_FILES)
