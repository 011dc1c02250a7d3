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
