"""The reproducibility record (docexec.record) and ``python -m docexec report``."""

from __future__ import annotations

import subprocess
import sys

import numpy
import pandas
import pytest

from docexec.record import library_versions, page_record, record_html, repo_state
from docexec.refs import Ref
from docexec.report import format_report, report_rows
from test_engine import make_engine, project, ref, write  # noqa: F401 - project is a fixture


def _git(root, *args):
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_repo_state_names_the_commit_and_only_tracked_changes(tmp_path):
    _git(tmp_path, "init", "-q")
    write(tmp_path / "a.txt", "one\n")
    _git(tmp_path, "add", "a.txt")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "x")
    head = _git(tmp_path, "rev-parse", "HEAD")
    assert repo_state(tmp_path) == {"commit": head, "dirty": False}
    write(tmp_path / "untracked.txt", "caches and sites are not sources\n")
    assert repo_state(tmp_path)["dirty"] is False
    write(tmp_path / "a.txt", "two\n")
    assert repo_state(tmp_path) == {"commit": head, "dirty": True}


def test_repo_state_outside_git_is_unknown(tmp_path):
    assert repo_state(tmp_path) == {"commit": "unknown", "dirty": None}


def test_library_versions_are_the_third_party_imports_of_the_page_modules(project):
    write(project / "snippets" / "libs.py", """
        import json
        import numpy as np
        from pandas import DataFrame
        from snippets import helper
        from . import state
    """)
    settings = make_engine(project).settings
    assert library_versions(["snippets.libs"], settings) == {
        "numpy": numpy.__version__, "pandas": pandas.__version__}
    # helper imports nothing: a module without third-party imports lists none
    assert library_versions(["snippets.helper"], settings) == {}


def test_the_record_is_deterministic_and_names_every_block(project):
    engine = make_engine(project)
    refs = [ref("snippets.demo:answer"), Ref("snippets.other:independent", "docs/page.md", 12)]
    first, second = page_record(refs, engine), page_record(refs, engine)
    assert first == second
    assert [b["call"] for b in first["blocks"]] == ["snippets.demo:answer",
                                                    "snippets.other:independent"]
    keys = [b["key"] for b in first["blocks"]]
    assert len(set(keys)) == 2 and all(len(k) == 12 for k in keys)
    assert first["python"] == ".".join(map(str, sys.version_info[:3]))
    assert "pandas" in first["libraries"] and first["torch_cpu"] is None  # no torch imported
    html = record_html(first)
    assert html.startswith('<details class="repro"') and "复现信息" in html
    assert keys[0] in html and "<td>12</td>" in html


def test_report_says_what_ran_and_what_came_from_the_cache(project):
    engine = make_engine(project)
    refs = [ref("snippets.demo:answer"), ref("snippets.demo:boom")]
    rows = report_rows(engine, refs)
    assert {r["call"]: r["status"] for r in rows} == {"snippets.demo:answer": "ran",
                                                      "snippets.demo:boom": "failed"}
    again = report_rows(make_engine(project), refs)
    assert {r["call"]: r["status"] for r in again}["snippets.demo:answer"] == "cache"
    answer = next(r for r in again if r["status"] == "cache")
    assert answer["bytes"] > 0 and answer["seconds"] >= 0
    text = format_report(again)
    assert text.splitlines()[-1].startswith("total: 2 calls, 0 ran, 1 from the cache, 1 failed")
    assert [r["seconds"] for r in again] == sorted((r["seconds"] for r in again), reverse=True)


def test_report_command_line(project):
    write(project / "docs" / "page.md", "# t\n\n```exec\nsnippets.demo:answer\n```\n")
    run = subprocess.run([sys.executable, "-m", "docexec", "report", "docs", "--root", "."],
                         cwd=project, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "docs/page.md:3" in run.stdout and "snippets.demo:answer" in run.stdout
    assert "total: 1 calls, 1 ran" in run.stdout


# --- facts of the machine, kept by what decides them ------------------------------------------

from types import SimpleNamespace  # noqa: E402

from docexec import record  # noqa: E402


def test_a_machine_fact_is_found_once_and_kept_by_what_decides_it(tmp_path, monkeypatch):
    monkeypatch.setattr(record, "_facts", record.TextStore())
    settings = SimpleNamespace(root=tmp_path)
    calls = []

    def compute(value):
        def run():
            calls.append(value)
            return value
        return run

    assert record._machine_fact(settings, "fact", ["a"], compute({"x": 1})) == {"x": 1}
    record._facts._memory.clear()  # the next build: from .cache/record, not found out again
    assert record._machine_fact(settings, "fact", ["a"], compute({"x": 2})) == {"x": 1}
    assert calls == [{"x": 1}]
    assert record._machine_fact(settings, "fact", ["b"], compute({"x": 3})) == {"x": 3}
    record._facts._memory.clear()
    [stored] = [p for p in (tmp_path / ".cache" / "record").rglob("*") if p.is_file()
                and p.read_text().endswith('{"x": 1}')]
    stored.write_text(stored.read_text()[:-3])  # damaged: found out again
    assert record._machine_fact(settings, "fact", ["a"], compute({"x": 4})) == {"x": 4}


def test_stored_distributions_and_torch_kernel_are_what_the_libraries_say(tmp_path, monkeypatch):
    import torch
    from importlib import metadata

    monkeypatch.setattr(record, "_facts", record.TextStore())
    settings = SimpleNamespace(root=tmp_path)
    truth = metadata.packages_distributions()
    assert record._distributions(settings) == {k: sorted(v) for k, v in truth.items()}
    assert record.torch_kernel(settings) == torch.backends.cpu.get_cpu_capability()
    record._facts._memory.clear()
    monkeypatch.setattr(metadata, "packages_distributions", lambda: pytest.fail("not kept"))
    assert record._distributions(settings)["torch"] == ["torch"]
    # another kernel asked for (ATEN_CPU_CAPABILITY) is another fact, not the stored one
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", "default")
    monkeypatch.setattr(record, "_torch_capability", lambda: "asked again")
    assert record.torch_kernel(settings) == "asked again"
