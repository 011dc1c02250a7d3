"""Data that several demos share is computed once per build (docexec.memo), each call still gets
its own copy, and a demo that loaded the value observes what computing it read."""

from __future__ import annotations

import glob
import shutil
import tempfile
from pathlib import Path

from test_engine import make_engine, ref, write

REPO = Path(__file__).resolve().parents[1]


def _project(root: Path, count: Path) -> Path:
    write(root / "snippets" / "__init__.py", "")
    shutil.copy(REPO / "snippets" / "_shared.py", root / "snippets" / "_shared.py")
    write(root / "data" / "base.txt", "7\n")
    write(root / "snippets" / "data.py", f"""
        from pathlib import Path

        from snippets._shared import shared

        @shared
        def table(n):
            with open({str(count)!r}, "a") as fh:  # outside the project: not a dependency
                fh.write("x")
            import snippets.late  # imported while computing only
            return [int(Path("data/base.txt").read_text())] * n + [snippets.late.LATE]
    """)
    write(root / "snippets" / "late.py", "LATE = 0\n")
    write(root / "snippets" / "demos.py", """
        from snippets.data import table

        def first():
            return table(3)[0]

        def second():
            value = table(3)
            value.append(99)  # its own copy: no other demo sees this
            return len(value)

        def third():
            return len(table(3))

        def other_size():
            return len(table(5))
    """)
    return root


def test_a_shared_value_is_computed_once_per_build_and_copied_to_each_call(tmp_path):
    count = tmp_path / "computed"
    project = _project(tmp_path / "p", count)
    before = set(glob.glob(str(Path(tempfile.gettempdir()) / "docexec-memo-*")))
    refs = [ref(f"snippets.demos:{n}") for n in ("first", "second", "third", "other_size")]
    engine = make_engine(project, jobs=2)
    results = engine.run(refs)
    texts = [results[r]["outputs"][-1]["text"] for r in refs]
    assert texts == ["7", "5", "4", "6"]
    assert count.read_text() == "xx"  # table(3) once for three demos, table(5) once
    assert set(glob.glob(str(Path(tempfile.gettempdir()) / "docexec-memo-*"))) == before
    # every demo observed the data file and the module the computation imported
    for r in refs:
        observed = results[r]["observed"]
        assert "data/base.txt" in observed and "snippets/late.py" in observed, r.target

    # an edit to what the computation read makes every demo stale, and it is computed once more
    (project / "data" / "base.txt").write_text("8\n")
    again = make_engine(project, jobs=2).run(refs)
    assert [again[r]["outputs"][-1]["text"] for r in refs] == ["8", "5", "4", "6"]
    assert count.read_text() == "xxxx"
    (project / "snippets" / "late.py").write_text("LATE = 1\n")
    third = make_engine(project, jobs=2)
    third.run(refs)
    assert third.executed == 4


def test_outside_a_build_a_shared_generator_is_a_plain_cache(tmp_path, monkeypatch):
    import importlib
    import sys

    count = tmp_path / "computed"
    project = _project(tmp_path / "p", count)
    monkeypatch.chdir(project)
    monkeypatch.syspath_prepend(str(project))
    monkeypatch.delenv("DOCEXEC_MEMO_DIR", raising=False)
    for name in [m for m in sys.modules if m == "snippets" or m.startswith("snippets.")]:
        monkeypatch.delitem(sys.modules, name)
    demos = importlib.import_module("snippets.demos")
    assert (demos.first(), demos.third(), demos.third()) == (7, 4, 4)
    assert count.read_text() == "x"
