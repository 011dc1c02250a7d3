"""Dependencies observed while a call runs, cache integrity, and demos that write into the project.

Each test builds a throw-away project (``project`` from test_engine) and edits what a
demo read in a way that the static scan of the sources cannot see: the rebuilt page
must show the new value.
"""

from __future__ import annotations

import json
import logging

import pytest

from docexec.runner import Failure
from test_engine import _markdown, make_engine, project, ref, write  # noqa: F401 - a fixture

# each pattern reads a file whose name no string literal in the module spells out
READERS = """
    import importlib
    import os
    from pathlib import Path

    HERE = Path(__file__).parent

    def by_file_path():
        return (HERE / "data" / "prices.csv").read_text()

    def by_os_path_join():
        with open(os.path.join("snippets", "data", "x.csv")) as fh:
            return fh.read()

    def by_f_string():
        name = "rates"
        return Path(f"snippets/data/{name}.txt").read_text()

    def by_import_module():
        name = "table_data"
        return str(importlib.import_module(f"snippets.{name}").VALUE)

    def by_module_outside_the_packages():
        from tools import consts
        return str(consts.VALUE)

    def optional():
        name = "optional"
        try:
            return Path(f"data/{name}.txt").read_text()
        except FileNotFoundError:
            return "none"
"""

# (function, file it reads, its first content, an edit)
PATTERNS = [
    ("by_file_path", "snippets/data/prices.csv", "1.0\n", "22.5\n"),
    ("by_os_path_join", "snippets/data/x.csv", "a\n", "bb\n"),
    ("by_f_string", "snippets/data/rates.txt", "0.1\n", "0.25\n"),
    ("by_import_module", "snippets/table_data.py", "VALUE = 1\n", "VALUE = 222\n"),
    ("by_module_outside_the_packages", "tools/consts.py", "VALUE = 3\n", "VALUE = 444\n"),
]


@pytest.fixture
def readers(project):
    write(project / "snippets" / "readers.py", READERS)
    for _, path, first, _ in PATTERNS:
        write(project / path, first)
    write(project / "tools" / "__init__.py", "")
    return project


def _render(project, text, **settings) -> str:
    return _markdown(project, text, show_tracebacks=True, **settings)


def _text(result) -> str:
    assert not isinstance(result, Failure), result.report()
    return result["outputs"][-1]["text"]


@pytest.mark.parametrize("function, path, first, edited", PATTERNS, ids=[p[0] for p in PATTERNS])
def test_an_edited_dependency_that_no_literal_names_re_executes(readers, function, path,
                                                                 first, edited):
    r = ref(f"snippets.readers:{function}")
    assert _text(make_engine(readers).result(r)).strip() == first.strip().removeprefix("VALUE = ")
    warm = make_engine(readers)
    warm.result(r)
    assert warm.executed == 0  # what it observed is unchanged: nothing re-executes
    (readers / path).write_text(edited)
    rebuilt = make_engine(readers)
    assert _text(rebuilt.result(r)).strip() == edited.strip().removeprefix("VALUE = ")
    assert rebuilt.executed == 1


def test_a_serving_engine_sees_the_edit_without_restarting(readers):
    r = ref("snippets.readers:by_file_path")
    engine = make_engine(readers)  # one engine across rebuilds, as under mkdocs serve
    assert _text(engine.result(r)) == "1.0\n"
    (readers / "snippets" / "data" / "prices.csv").write_text("3.75\n")
    engine.forget_failures()
    assert _text(engine.result(r)) == "3.75\n"


def test_a_vanished_dependency_re_executes_and_fails_at_page_line(readers):
    r = ref("snippets.readers:by_os_path_join")
    make_engine(readers).result(r)
    (readers / "snippets" / "data" / "x.csv").unlink()
    failure = make_engine(readers).result(r)
    assert isinstance(failure, Failure) and "FileNotFoundError" in failure.error
    assert "docs/page.md:7" in failure.report()


def test_a_file_the_call_looked_for_and_did_not_find_is_a_dependency(readers):
    r = ref("snippets.readers:optional")
    assert _text(make_engine(readers).result(r)) == "none"
    write(readers / "data" / "optional.txt", "here\n")
    assert _text(make_engine(readers).result(r)) == "here\n"


def test_observed_dependencies_are_stored_with_the_entry_by_hash(readers):
    make_engine(readers).result(ref("snippets.readers:by_module_outside_the_packages"))
    (entry_path,) = (readers / ".cache" / "results").rglob("*.json")
    observed = json.loads(entry_path.read_text())["observed"]
    assert {"tools/consts.py", "tools/__init__.py", "snippets/readers.py"} <= set(observed)
    assert all(len(v) == 64 for v in observed.values())
    # never the engine, the interpreter's libraries or compiled bytecode
    assert not any(k.startswith(("docexec/", ".venv/")) or "__pycache__" in k for k in observed)


def test_a_malformed_observed_record_is_recomputed(readers):
    r = ref("snippets.readers:by_file_path")
    make_engine(readers).result(r)
    (entry_path,) = (readers / ".cache" / "results").rglob("*.json")
    for bad in (["not", "a", "dict"], {"../outside": "x"}, {"/etc/passwd": "x"}):
        data = json.loads(entry_path.read_text())
        data["observed"] = bad
        entry_path.write_text(json.dumps(data))
        again = make_engine(readers)
        assert _text(again.result(r)) == "1.0\n" and again.executed == 1


# --- cache integrity ---------------------------------------------------------------------------

def _figure_files(project, entry):
    (out,) = entry["outputs"]
    return project / ".cache" / "figures" / out["light"], project / ".cache" / "figures" / out["dark"]


def test_a_truncated_figure_file_is_recomputed_and_repaired(project):
    r = ref("snippets.demo:figure", alt="a")
    light, _ = _figure_files(project, make_engine(project).result(r))
    good = light.read_bytes()
    light.write_bytes(good[: len(good) // 2])
    again = make_engine(project)
    again.result(r)
    assert again.executed == 1 and light.read_bytes() == good


def test_a_figure_file_replaced_by_another_figure_is_repaired(project):
    r = ref("snippets.demo:figure", alt="a")
    light, dark = _figure_files(project, make_engine(project).result(r))
    good = light.read_bytes()
    light.write_bytes(dark.read_bytes())  # same size class, a valid SVG, the wrong one
    again = make_engine(project)
    again.result(r)
    assert again.executed == 1 and light.read_bytes() == good


def test_force_rewrites_figure_files(project):
    r = ref("snippets.demo:figure", alt="a")
    light, _ = _figure_files(project, make_engine(project).result(r))
    good = light.read_bytes()
    light.write_bytes(b"<svg/>")
    make_engine(project, force=True).result(r)
    assert light.read_bytes() == good


def test_a_malformed_cached_output_does_not_crash_the_notebook(project):
    from docexec.notebook import page_notebook

    text = "# t\n\n```exec\nsnippets.demo:fine\n```\n"
    make_engine(project).result(ref("snippets.demo:fine"))
    (entry_path,) = (project / ".cache" / "results").rglob("*.json")
    data = json.loads(entry_path.read_text())
    data["outputs"] = [{"kind": "text"}]  # right key, no text
    entry_path.write_text(json.dumps(data))
    nb = page_notebook(text, {"title": "t"}, make_engine(project), "docs/page.md")
    (cell,) = [c for c in nb.cells if "from snippets.demo import fine" in c.source]
    assert cell.outputs == []  # recomputed by the next build, not published half


def test_an_unwritable_cache_is_an_error_naming_it_and_the_page_still_renders(project, caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs.docexec")
    blocker = write(project / "not-a-folder", "a file where the cache should be\n")
    html = _render(project, "# t\n\n```exec\nsnippets.demo:answer\n```\n\n"
                            "```exec\nsnippets.demo:fine\n```\n", cache_dir=blocker)
    assert "answer=42" in html and "fine" in html and "执行失败" not in html
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, errors  # said once, not once per call
    assert f"cannot write the result cache at {blocker}" in errors[0]
    assert "NotADirectoryError" in errors[0] and "Traceback" not in errors[0]


# --- demos that write into the project ---------------------------------------------------------

WRITERS = """
    import tempfile
    from pathlib import Path

    def writes_into_the_project():
        name = "out"  # (a path no literal spells: the static scan does not make it a key input)
        Path(f"snippets/{name}.txt").write_text("side effect")
        return "wrote"

    def writes_to_a_temporary_folder():
        with tempfile.TemporaryDirectory() as d:
            (Path(d) / "x.txt").write_text("fine")
        return "tmp"
"""


def test_a_demo_that_writes_into_the_project_is_reported_at_page_line(project, caplog):
    caplog.set_level(logging.WARNING, logger="mkdocs.docexec")
    write(project / "snippets" / "writers.py", WRITERS)
    html = _markdown(project, "# t\n\n```exec\nsnippets.writers:writes_into_the_project\n```\n\n"
                              "```exec\nsnippets.writers:writes_to_a_temporary_folder\n```\n")
    assert "wrote" in html and "tmp" in html
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    (warning,) = [m for m in messages if "wrote " in m]
    assert "docs/page.md:3" in warning and "snippets/out.txt" in warning
    assert "must not write into the repository" in warning
    # what it wrote is not a dependency: the next build executes nothing
    warm = make_engine(project)
    warm.result(ref("snippets.writers:writes_into_the_project"))
    assert warm.executed == 0
