"""Snapshot comparison: exact text, numeric tolerance only where a block declares it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docexec.refs import ReferenceError_, parse_options, scan_text
from docexec.snapshot import compare

REPO = Path(__file__).resolve().parents[1]

# --- compare() ---------------------------------------------------------------------------------


def test_identical_text_matches_with_or_without_tolerance():
    text = "| 偏移量 | 误差 |\n| 1e+04 | 3e-04 |\n"
    assert compare(text, text) is None
    assert compare(text, text, rtol=0.5) is None


def test_without_tolerance_any_changed_digit_fails_and_shows_a_diff():
    problem = compare("损失 0.0130\n", "损失 0.0131\n")
    assert problem is not None
    assert "-损失 0.0130" in problem and "+损失 0.0131" in problem


def test_a_meaningful_number_outside_the_tolerance_fails_with_both_values():
    problem = compare("测试 MSE 0.0130，误差 3e-04\n", "测试 MSE 0.0150，误差 3e-04\n", rtol=0.05)
    assert problem is not None
    assert "rtol=0.05" in problem and "atol=0" in problem
    assert "approved 0.0130, executed 0.0150" in problem
    assert "测试 MSE 0.0150" in problem  # the line it is in


def test_numbers_within_the_tolerance_pass():
    assert compare("误差 6e-02 与 1e-13\n", "误差 7e-02 与 1e-13\n", rtol=0.5) is None
    assert compare("x = 0.0\n", "x = 1e-9\n", atol=1e-8) is None
    assert compare("x = 0.0\n", "x = 1e-7\n", atol=1e-8) is not None


def test_text_around_numbers_is_still_exact_under_a_tolerance():
    problem = compare("最大差 1e-04\n", "最小差 1e-04\n", rtol=1)
    assert problem is not None and "in its text" in problem
    # one number more or less is a change of text, whatever the tolerance
    assert compare("1, 2\n", "1, 2, 3\n", rtol=10) is not None


def test_sign_and_exponent_changes_are_numeric_changes():
    assert compare("Δ +0.16\n", "Δ -0.16\n", rtol=0.5) is not None
    assert compare("3e-04\n", "3e-05\n", rtol=0.5) is not None
    assert compare("3e-04\n", "3.2e-04\n", rtol=0.1) is None


def test_nan_in_the_executed_output_never_matches_a_number():
    assert compare("误差 1e-3\n", "误差 nan\n", rtol=1e9) is not None


_numbers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda v: f"{v:.4g}")


@given(st.lists(_numbers, min_size=1, max_size=6), st.sampled_from([0.0, 1e-3, 0.1, 1.0]))
def test_tolerance_decision_agrees_with_the_definition(values, rtol):
    """Against an independent statement of the rule, number by number."""
    shifted = [f"{float(v) * 1.05 + 0.01:.4g}" for v in values]
    expected = "值: " + " | ".join(values) + "\n"
    actual = "值: " + " | ".join(shifted) + "\n"
    inside = all(abs(float(a) - float(e)) <= rtol * abs(float(e))
                 for e, a in zip(values, shifted))
    assert (compare(expected, actual, rtol=rtol) is None) == (inside or expected == actual)


# --- the fence options -------------------------------------------------------------------------


def test_tolerance_options_are_parsed_from_the_fence():
    [found] = scan_text('```exec rtol="0.5" atol="1e-9"\nsnippets.demo:fine\n```\n')
    assert found.ref.option("rtol") == "0.5" and found.ref.option("atol") == "1e-9"


@pytest.mark.parametrize("info, message", [
    ('rtol="abc"', 'rtol="abc" must be a finite number >= 0'),
    ('atol="-1"', 'atol="-1" must be a finite number >= 0'),
    ('rtol="inf"', 'rtol="inf" must be a finite number >= 0'),
    ('rtol="nan"', 'rtol="nan" must be a finite number >= 0'),
    ('rtol="0.1" rtol="0.2"', "given twice: rtol"),
])
def test_bad_tolerance_options_are_rejected_by_name(info, message):
    with pytest.raises(ReferenceError_, match=message.replace("(", r"\(")):
        parse_options(info)


# --- end to end through the pytest plugin ------------------------------------------------------


def _run_pytest(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "docexec.pytest_plugin", "-p", "no:cacheprovider",
         "-q", "docs", *args],
        cwd=root, capture_output=True, text=True, timeout=300,
        env={**__import__("os").environ, "DOCEXEC_CACHE_DIR": str(root / ".cache"),
             "PYTHONPATH": f"{root}:{REPO}"})


@pytest.fixture
def page_project(tmp_path):
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "__init__.py").write_text("")
    (tmp_path / "snippets" / "demo.py").write_text(textwrap.dedent("""
        import os

        def loss():
            return f"测试 MSE {float(os.environ.get('LOSS', '0.0130')):.4f}"
    """))
    (tmp_path / "docs").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    return tmp_path


def _page(root: Path, info: str) -> None:
    (root / "docs" / "p.md").write_text(f"# 页\n\n```{info}\nsnippets.demo:loss\n```\n")


def test_plugin_fails_a_changed_number_and_passes_it_within_a_declared_tolerance(page_project):
    root = page_project
    _page(root, "exec")
    approve = _run_pytest(root, "--update-snapshots")
    assert approve.returncode == 0, approve.stdout + approve.stderr
    snapshot = root / "tests" / "snapshots" / "p" / "snippets.demo.loss.txt"
    assert snapshot.read_text(encoding="utf-8") == "测试 MSE 0.0130\n"

    (root / "snippets" / "demo.py").write_text(
        (root / "snippets" / "demo.py").read_text().replace("'0.0130'", "'0.0131'"))
    exact = _run_pytest(root)
    assert exact.returncode == 1
    assert "+测试 MSE 0.0131" in exact.stdout

    _page(root, 'exec rtol="0.01"')
    assert _run_pytest(root).returncode == 0
    # updating within the tolerance keeps the approved digits (no churn between machines)
    assert _run_pytest(root, "--update-snapshots").returncode == 0
    assert snapshot.read_text(encoding="utf-8") == "测试 MSE 0.0130\n"

    (root / "snippets" / "demo.py").write_text(
        (root / "snippets" / "demo.py").read_text().replace("'0.0131'", "'0.0150'"))
    outside = _run_pytest(root)
    assert outside.returncode == 1
    assert "approved 0.0130, executed 0.0150" in outside.stdout
    assert "rtol=0.01" in outside.stdout


def test_plugin_reports_a_bad_tolerance_with_page_and_line(page_project):
    _page(page_project, 'exec rtol="lots"')
    run = _run_pytest(page_project)
    assert run.returncode == 1
    assert "docs/p.md:3" in run.stdout and 'rtol="lots"' in run.stdout


def test_plugin_fails_a_block_that_warns_as_the_strict_build_does(page_project):
    root = page_project
    _page(root, "exec")
    assert _run_pytest(root, "--update-snapshots").returncode == 0
    (root / "snippets" / "demo.py").write_text(textwrap.dedent("""
        import warnings

        def loss():
            warnings.warn("old API", DeprecationWarning)
            return "测试 MSE 0.0130"
    """))
    run = _run_pytest(root)
    assert run.returncode == 1
    assert "docs/p.md:3: snippets.demo:loss warned:" in run.stdout
    assert "DeprecationWarning: old API" in run.stdout
