"""The engine inside real MkDocs runs: strict builds stop, serve keeps serving and stays fresh."""

from __future__ import annotations

import os
import re
import socket
import textwrap
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from test_engine import write

REPO = Path(__file__).resolve().parents[1]
MKDOCS = [sys.executable, "-m", "mkdocs"]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(REPO)}

CONFIG = f"""
site_name: engine test
theme: {{name: mkdocs}}
hooks:
  - {REPO / "docs/.hooks/docexec_glue.py"}
watch:
  - snippets
markdown_extensions:
  - pymdownx.arithmatex: {{generic: true}}
  - mdmathml
  - docexec.extension: {{timeout: 20}}
  - pymdownx.superfences:
      custom_fences:
        - !!python/object/apply:docexec.extension.exec_fence []
"""


@pytest.fixture
def site(tmp_path):
    write(tmp_path / "mkdocs.yml", CONFIG)
    write(tmp_path / "snippets" / "__init__.py", "")
    write(tmp_path / "snippets" / "demo.py", """
        def good():
            return "result-one"

        def bad():
            values = []
            return values[3]
    """)
    write(tmp_path / "docs" / "index.md", """
        # 首页

        公式 $a^2 + b^2$。

        ```exec
        snippets.demo:good
        ```
    """)
    return tmp_path


def _build(site: Path, *extra) -> subprocess.CompletedProcess:
    return subprocess.run([*MKDOCS, "build", "-d", str(site / "out"), *extra], cwd=site,
                          env=ENV, capture_output=True, text=True, timeout=300)


def test_good_page_builds_strict_with_result_and_static_math(site):
    run = _build(site, "--strict")
    assert run.returncode == 0, run.stderr
    html = (site / "out" / "index.html").read_text(encoding="utf-8")
    assert "result-one" in html
    assert "<math" in html and "arithmatex" not in html  # math rendered at build time


def test_failing_reference_stops_a_strict_build_with_page_line_and_traceback(site):
    page = site / "docs" / "index.md"
    page.write_text(page.read_text() + "\ntext\n\n```exec\nsnippets.demo:bad\n```\n")
    run = _build(site, "--strict")
    assert run.returncode != 0
    log = run.stderr
    assert "docs/index.md:11" in log and "snippets.demo:bad" in log
    assert "IndexError: list index out of range" in log
    assert 'File "snippets/demo.py", line 6, in bad' in log


def test_missing_function_and_module_stop_a_strict_build(site):
    page = site / "docs" / "index.md"
    page.write_text(page.read_text()
                    + "\n```exec\nsnippets.demo:absent\n```\n\n```exec\nsnippets.gone:f\n```\n")
    run = _build(site, "--strict")
    assert run.returncode != 0
    assert "has no function 'absent'" in run.stderr
    assert "No module named 'snippets.gone'" in run.stderr


def test_bad_formula_stops_a_strict_build(site):
    page = site / "docs" / "index.md"
    page.write_text(page.read_text() + "\n坏公式 $\\frac{1$。\n")
    run = _build(site, "--strict")
    assert run.returncode != 0 and "mdmathml: cannot render" in run.stderr


def test_non_strict_build_publishes_no_traceback(site):
    page = site / "docs" / "index.md"
    page.write_text(page.read_text() + "\n```exec\nsnippets.demo:bad\n```\n")
    run = _build(site)
    assert run.returncode == 0
    html = (site / "out" / "index.html").read_text(encoding="utf-8")
    assert "执行失败" in html and "Traceback" not in html and "result-one" in html


def test_an_unwritable_cache_still_publishes_the_page_and_its_figures(site):
    (site / "snippets" / "art.py").write_text(textwrap.dedent("""
        import matplotlib.pyplot as plt

        def figure():
            fig, ax = plt.subplots()
            ax.plot([0, 1], [1, 0])
            return fig
    """))
    page = site / "docs" / "index.md"
    page.write_text(page.read_text() + '\n```exec alt="一条下降的线"\nsnippets.art:figure\n```\n')
    blocker = site / "blocker"
    blocker.write_text("a file where the cache folder should be\n")
    run = subprocess.run([*MKDOCS, "build", "-d", str(site / "out")], cwd=site,
                         env={**ENV, "DOCEXEC_CACHE_DIR": str(blocker)},
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr  # not strict: the error is logged, the site is built
    assert f"cannot write the result cache at {blocker}" in run.stderr
    assert "Traceback" not in run.stderr
    html = (site / "out" / "index.html").read_text(encoding="utf-8")
    names = re.findall(r'assets/figures/([0-9a-f]+\.svg)#only-', html)
    assert len(names) == 2 and "result-one" in html
    for name in names:
        assert (site / "out" / "assets" / "figures" / name).read_bytes().startswith(b"<?xml")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode("utf-8")


def _wait_for(predicate, seconds: float, interval: float = 0.5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except OSError:
            pass
        time.sleep(interval)
    return None


def test_serve_shows_errors_keeps_serving_and_picks_up_snippet_edits(site):
    page = site / "docs" / "index.md"
    page.write_text(page.read_text() + "\n```exec\nsnippets.demo:bad\n```\n")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen([*MKDOCS, "serve", "-a", f"127.0.0.1:{port}"],
                            cwd=site, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        html = _wait_for(lambda: _get(url), 120)
        assert html, "mkdocs serve did not answer"
        assert "执行失败" in html and "IndexError" in html and "Traceback" in html
        assert "result-one" in html
        demo = site / "snippets" / "demo.py"
        demo.write_text(demo.read_text().replace("values[3]", '"fixed-now"')
                        .replace('"result-one"', '"result-two"'))
        fresh = _wait_for(lambda: (lambda h: h if "result-two" in h else None)(_get(url)), 120)
        assert fresh, "the edit did not reach the served page"
        assert "fixed-now" in fresh and "执行失败" not in fresh
        assert proc.poll() is None  # still serving
    finally:
        proc.terminate()
        proc.wait(timeout=30)
