"""pytest integration: every reference on every page is a test.

Each ``exec`` block in a Markdown page under the test paths becomes an item
``docs/.../page.md::L42::snippets.mod:function``. It passes when the function
runs without error or warning (figures need alt text) and its outputs match
the approved snapshot in ``tests/snapshots/<page>/<module>.<function>.txt`` (a ``params=``
block: every combination's outputs, under ``### key=value`` headings, in ``….params.txt``):
exactly, or with its numbers within the block's ``rtol=``/``atol=`` when it declares them.
A post authored as a notebook is one item more, ``page.md::notebook``: it executes, and the
outputs of its cells match ``tests/snapshots/<page>/notebook.txt``.
``pytest --update-snapshots`` (or DOCEXEC_UPDATE_SNAPSHOTS=1) writes the
snapshots instead; review the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .notebook_post import CellFailure, executed, is_notebook_file
from .notebook_post import snapshot as notebook_snapshot
from .page_html import check_label, require_alt_text
from .outputs import snapshot_last_digit, snapshot_text
from .params import expand, snapshot
from .refs import TOLERANCE_OPTIONS, ReferenceError_, scan_file, tolerance_value
from .runner import Engine, Failure
from .settings import Settings, mkdocs_options
from .snapshot import compare

_ENGINE: Engine | None = None


def pytest_addoption(parser):
    group = parser.getgroup("docexec")
    group.addoption("--update-snapshots", action="store_true",
                    help="write the snapshots of executed references instead of comparing")
    parser.addini("docexec_snapshots", "folder of approved snapshots", default="tests/snapshots")
    parser.addini("docexec_docs", "folder of the Markdown pages", default="docs")


def _engine(config) -> Engine:
    global _ENGINE
    if _ENGINE is None:
        root = Path(config.rootpath)
        _ENGINE = Engine(Settings.resolve(flags={"root": root},
                                          config=mkdocs_options(root / "mkdocs.yml")))
    return _ENGINE


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix != ".md":
        return None
    docs = (Path(parent.config.rootpath) / parent.config.getini("docexec_docs")).resolve()
    if docs not in file_path.resolve().parents:
        return None
    if any(p.startswith(".") for p in file_path.relative_to(docs).parts):
        return None
    return PageFile.from_parent(parent, path=file_path)


class PageFile(pytest.File):
    def collect(self):
        root = Path(self.config.rootpath)
        for scanned in scan_file(self.path, root):
            label = scanned.ref.target if scanned.ref else "malformed"
            yield ReferenceItem.from_parent(self, name=f"L{scanned.line}::{label}", scanned=scanned)
        if is_notebook_file(self.path):
            yield NotebookItem.from_parent(self, name="notebook")


class DocexecFailed(Exception):
    pass


class ReferenceItem(pytest.Item):
    def __init__(self, *, scanned, **kwargs):
        super().__init__(**kwargs)
        self.scanned = scanned

    def _snapshot_path(self) -> Path:
        root = Path(self.config.rootpath)
        docs = root / self.config.getini("docexec_docs")
        page = self.path.resolve().relative_to(docs.resolve()).with_suffix("")
        module, _, func = self.scanned.ref.target.partition(":")
        grid = ".params" if self.scanned.ref.option("params") else ""  # every combination
        return root / self.config.getini("docexec_snapshots") / page / f"{module}.{func}{grid}.txt"

    def runtest(self):
        s = self.scanned
        if s.ref is None:
            raise DocexecFailed(f"{s.page}:{s.line}: {s.error}")
        combos = expand(s.ref)  # a params= block: each combination, in one snapshot
        results = _engine(self.config).run(combos)
        texts, last_digit = [], False
        for combo in combos:
            result = results[combo]
            if isinstance(result, Failure):
                raise DocexecFailed(result.report())
            if result.get("warnings"):  # `mkdocs build --strict` stops on them: so does the test
                raise DocexecFailed(f"{combo.where}: {combo.call} warned:\n  "
                                    + "\n  ".join(result["warnings"]))
            try:
                require_alt_text(result, combo)
                check_label(result, combo)  # a fig- label on a figure, a tbl- label on a table
            except ReferenceError_ as exc:
                raise DocexecFailed(f"{combo.where}: {exc}") from None
            texts.append(snapshot_text(result["outputs"], s.ref.option("alt")))
            last_digit = last_digit or snapshot_last_digit(result["outputs"])
        actual = snapshot(combos, texts) if s.ref.option("params") else texts[0]
        tol = {k: tolerance_value(k, s.ref.option(k, "0")) for k in TOLERANCE_OPTIONS}
        _check_snapshot(self.config, self._snapshot_path(), actual,
                        f"{s.ref.where}: {s.ref.target}", last_digit=last_digit, **tol)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, DocexecFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.scanned.line - 1, f"{self.scanned.page}:{self.scanned.line}"


def _check_snapshot(config, path: Path, actual: str, what: str, last_digit: bool = False,
                    **tol) -> None:
    """Compare ``actual`` with the approved snapshot at ``path``, or write it when updating."""
    expected = path.read_text(encoding="utf-8") if path.is_file() else None
    problem = None if expected is None else compare(expected, actual, **tol,
                                                    last_digit=last_digit)
    update = config.getoption("update_snapshots") or os.environ.get(
        "DOCEXEC_UPDATE_SNAPSHOTS") == "1"
    if update:
        # within tolerance the approved digits stay: no churn from machine to machine
        if expected is None or problem:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
        return
    if expected is None:
        raise DocexecFailed(
            f"{what}: no approved snapshot {path.relative_to(config.rootpath)};"
            " run `pytest --update-snapshots`, review and commit it")
    if problem:
        raise DocexecFailed(f"{what} {problem}\nIf the change is intended: pytest --update-snapshots")


class NotebookItem(pytest.Item):
    """A post authored as a notebook: it executes, and its outputs match the snapshot."""

    def runtest(self):
        root = Path(self.config.rootpath)
        page = self.path.resolve().relative_to(root.resolve()).as_posix()
        nb = executed(self.path, page, _engine(self.config).settings)
        if isinstance(nb, CellFailure):
            raise DocexecFailed(nb.report())
        docs = root / self.config.getini("docexec_docs")
        rel = self.path.resolve().relative_to(docs.resolve()).with_suffix("")
        path = root / self.config.getini("docexec_snapshots") / rel / "notebook.txt"
        _check_snapshot(self.config, path, notebook_snapshot(nb), f"{page}: the notebook")

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, DocexecFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"{self.path.name}::notebook"


def pytest_collection_modifyitems(session, config, items):
    """Execute the selected references' stale results in parallel before the items run."""
    refs = [i.scanned.ref for i in items if isinstance(i, ReferenceItem) and i.scanned.ref]
    if refs:
        _engine(config).run(refs)
