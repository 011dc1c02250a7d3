"""What a warm build reuses, and that reusing it never shows a stale result.

- each module's imports and path literals, kept by content in ``.cache/imports``;
- each block's key and each entry's check of its observed reads, once per build;
- the installed distributions, listed once per build;
- a notebook post's parse, once per text.
"""

from __future__ import annotations

import ast
import json

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

import docexec.record as record
from docexec import deps
from docexec.notebook_post import read_notebook
from docexec.refs import Ref
from docexec.settings import Settings
from test_engine import make_engine, project, ref, write  # noqa: F401 - a fixture


def _fresh_process():
    """What a new ``mkdocs build`` starts with: nothing parsed in memory."""
    deps._file_info.cache_clear()
    if deps._parsed is not None:
        deps._parsed._memory.clear()


@pytest.fixture(autouse=True)
def _new_process(monkeypatch):
    """Each test starts as a new build process would: other tests' projects hold the same
    module texts, and the store's memory (keyed by content) would answer for them."""
    _fresh_process()


def _no_parsing(monkeypatch):
    monkeypatch.setattr(ast, "parse", lambda *a, **k: pytest.fail("parsed again"))


# --- imports and path literals by content --------------------------------------------------------

def test_a_new_process_reads_the_imports_from_the_store_not_from_the_parser(project, monkeypatch):
    settings = Settings(root=project)
    first = deps.dependency_files("snippets.demo", settings)
    other = deps.dependency_files("snippets.other", settings)
    assert list((project / ".cache" / "imports").rglob("*.html"))
    _fresh_process()
    with monkeypatch.context() as m:
        _no_parsing(m)
        assert deps.dependency_files("snippets.demo", settings) == first
        # the data file a literal names is resolved again from the stored literal
        assert deps.dependency_files("snippets.other", settings) == other
        assert "data/numbers.json" in other


def test_an_edited_module_is_parsed_again(project, monkeypatch):
    settings = Settings(root=project)
    deps.dependency_files("snippets.other", settings)
    _fresh_process()
    write(project / "snippets" / "other.py", """
        from snippets import helper

        def read():
            return open("data/extra.csv").read()
    """)
    files = deps.dependency_files("snippets.other", settings)
    assert "snippets/helper.py" in files and "data/numbers.json" not in files
    write(project / "data" / "extra.csv", "a\n")
    assert "data/extra.csv" in deps.dependency_files("snippets.other", settings)


@pytest.mark.parametrize("damage", ["", "not json", '{"imports": [1], "literals": []}',
                                    '{"imports": "x"}', "[]"])
def test_a_damaged_or_foreign_store_entry_is_parsed_again(project, monkeypatch, damage):
    settings = Settings(root=project)
    truth = deps.dependency_files("snippets.demo", settings)
    stored = list((project / ".cache" / "imports").rglob("*.html"))
    assert stored
    for path in stored:
        key = path.read_text(encoding="utf-8").partition("\n")[0]
        path.write_text(f"{key}\n{damage}", encoding="utf-8")
    _fresh_process()
    assert deps.dependency_files("snippets.demo", settings) == truth


def test_the_same_text_as_another_module_is_keyed_by_its_name(project, monkeypatch):
    """A relative import means another module in another package: the name is in the key."""
    write(project / "snippets" / "a" / "__init__.py", "")
    write(project / "snippets" / "a" / "x.py", "from . import y\n")
    write(project / "snippets" / "a" / "y.py", "")
    write(project / "snippets" / "b" / "__init__.py", "")
    write(project / "snippets" / "b" / "x.py", "from . import y\n")
    write(project / "snippets" / "b" / "y.py", "")
    settings = Settings(root=project)
    assert "snippets/a/y.py" in deps.dependency_files("snippets.a.x", settings)
    _fresh_process()
    files = deps.dependency_files("snippets.b.x", settings)
    assert "snippets/b/y.py" in files and "snippets/a/y.py" not in files


NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda s: s not in {"if", "in", "is", "or", "as", "and", "not", "def", "for", "del", "try",
                        "with", "from", "else", "elif", "pass", "class", "while", "raise",
                        "yield", "async", "await", "break", "global", "lambda", "import",
                        "return", "assert", "except", "finally", "continue", "nonlocal"})


@given(plain=st.lists(st.lists(NAMES, min_size=1, max_size=3), max_size=4),
       froms=st.lists(st.tuples(st.lists(NAMES, min_size=1, max_size=2), NAMES), max_size=4),
       paths=st.lists(st.tuples(st.lists(NAMES, min_size=1, max_size=2),
                                st.sampled_from(["csv", "json", "txt", "parquet"])), max_size=4),
       others=st.lists(st.text(max_size=12), max_size=3))
@hsettings(max_examples=60, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_stored_names_are_what_the_source_says(tmp_path_factory, plain, froms, paths, others):
    """Generated sources: the stored names equal the imports and paths written into them."""
    root = tmp_path_factory.mktemp("p")
    lines = [f"import {'.'.join(p)}" for p in plain]
    lines += [f"from {'.'.join(m)} import {n}" for m, n in froms]
    literals = ["/".join(parts) + "." + ext for parts, ext in paths]
    lines += [f"P{i} = {s!r}" for i, s in enumerate(literals + others)]
    data = "\n".join(lines).encode()
    expected_imports = {".".join(p) for p in plain}
    expected_imports |= {".".join(m) for m, _ in froms} | {f"{'.'.join(m)}.{n}" for m, n in froms}
    expected_literals = set(literals) | {s for s in others if deps._PATH_LITERAL.match(s)
                                         and not s.endswith(".py")}
    for _ in range(2):  # computed, then read back from the store
        if deps._parsed is not None:
            deps._parsed._memory.clear()
        imports, found = deps._parsed_names(data, deps.sha256_bytes(data), "m", False, root)
        assert set(imports) == expected_imports
        assert set(found) == expected_literals


# --- keys and checks once per build ------------------------------------------------------------

def test_a_build_works_out_each_key_once_and_the_next_build_sees_an_edit(project, monkeypatch):
    engine = make_engine(project)
    refs = [ref("snippets.demo:answer"), ref("snippets.demo:fine")]
    engine.run(refs)
    calls = []
    real = deps.cache_key
    monkeypatch.setattr("docexec.runner.cache_key", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    engine.begin_build()
    keys = [engine.key(r) for r in refs]
    for _ in range(3):
        engine.run(refs)
        assert [engine.key(r) for r in refs] == keys
    assert sorted(c.target for c in calls) == sorted(r.target for r in refs)
    engine.end_build()
    helper = project / "snippets" / "helper.py"
    helper.write_text(helper.read_text().replace("VALUE = 41", "VALUE = 7"))
    engine.begin_build()
    results = engine.run(refs)
    engine.end_build()
    assert [engine.key(r) for r in refs][0] != keys[0]
    assert results[refs[0]]["outputs"][1]["text"] == "answer=8"


def test_an_entry_is_checked_once_per_build_and_again_in_the_next(project, monkeypatch):
    r = ref("snippets.other:from_data")
    engine = make_engine(project)
    engine.run([r])
    checks = []
    real = deps.observed_changes
    monkeypatch.setattr("docexec.runner.observed_changes",
                        lambda *a: checks.append(1) or real(*a))
    engine.begin_build()
    for _ in range(4):
        assert engine.cached(r) is not None
    assert len(checks) == 1
    engine.end_build()
    (project / "data" / "numbers.json").write_text("[9]\n")
    engine.begin_build()
    assert engine.cached(r) is None  # the next build checks again and finds the edit
    result = engine.run([r])[r]
    engine.end_build()
    assert result["outputs"][0]["text"] == "[9]\n"


def test_outside_a_build_every_call_looks_again(project):
    r = ref("snippets.other:from_data")
    engine = make_engine(project)
    engine.run([r])
    assert engine.cached(r) is not None
    (project / "data" / "numbers.json").write_text("[5]\n")
    assert engine.cached(r) is None
    assert engine.run([r])[r]["outputs"][0]["text"] == "[5]\n"


# --- installed distributions once per build ----------------------------------------------------

def test_distributions_are_listed_once_per_build(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / "alpha-1.0.dist-info").mkdir()
    monkeypatch.setattr("sys.path", [str(site)])
    record.new_build()
    first = record.installed_distributions()
    assert [p.split(":")[0] for p in first] == [str(site / "alpha-1.0.dist-info")]
    (site / "beta-2.0.dist-info").mkdir()
    assert record.installed_distributions() == first  # the same build: listed once
    record.new_build()  # the next build sees the install
    assert len(record.installed_distributions()) == 2
    record.new_build()


# --- a notebook post parsed once per text -----------------------------------------------------

POST = """---
jupyter:
  kernelspec:
    name: python3
    display_name: Python 3
    language: python
---

# 标题

```python
x = 1
```
"""


def test_a_notebook_is_parsed_once_per_text_and_each_reader_gets_its_own(tmp_path):
    path = tmp_path / "post.md"
    path.write_text(POST, encoding="utf-8")
    a = read_notebook(path)
    a.cells.insert(0, a.cells[0])  # what executing does to its copy
    b = read_notebook(path)
    assert len(b.cells) == len(a.cells) - 1
    assert [c.source for c in b.cells if c.cell_type == "code"] == ["x = 1"]
    path.write_text(POST.replace("x = 1", "x = 2"), encoding="utf-8")  # same size, same instant
    assert [c.source for c in read_notebook(path).cells if c.cell_type == "code"] == ["x = 2"]
    assert json.loads(json.dumps(read_notebook(path)))["nbformat"] == 4


def test_a_module_the_parser_refuses_gets_a_key_and_a_reported_failure(project):
    """A null byte or a syntax error: the key still names the file; the worker says why."""
    (project / "snippets" / "nul.py").write_bytes(b"def f():\n    return 1\x00\n")
    write(project / "snippets" / "broken.py", "def f(:\n")
    settings = Settings(root=project)
    for name in ("nul", "broken"):
        files = deps.dependency_files(f"snippets.{name}", settings)
        assert f"snippets/{name}.py" in files
        result = make_engine(project).run([ref(f"snippets.{name}:f")])
        (outcome,) = result.values()
        assert type(outcome).__name__ == "Failure"
        assert "Error" in outcome.report()
