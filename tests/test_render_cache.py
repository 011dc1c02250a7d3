"""``docs/.hooks/render_cache.py``: while serving, a page is converted again only when something
it was converted from changed, and what a rebuild writes equals a fresh build, file for file.

The builds run as ``mkdocs serve`` runs them (one process, ``on_startup("serve")``, the config
loaded again for each rebuild), in a subprocess on a copy of the repository: the hook patches
MkDocs' page conversion for the life of its process.
"""

from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from site_build import copy_repository

pytestmark = pytest.mark.site

# Builds the site into argv[1] once per item of argv[2] (a JSON list of edits to make before
# that build: [path, old, new], old null to write the whole file) and prints each build's
# conversion counts.
DRIVER = textwrap.dedent('''
    import json, os, sys
    from pathlib import Path
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    def main():
        site, steps = sys.argv[1], json.loads(sys.argv[2])
        def config():
            c = load_config("mkdocs.yml", site_dir=site)
            c.site_url = "http://127.0.0.1:8000/"
            return c
        first = config()
        first.plugins.on_startup(command="serve", dirty=False)
        for i, edits in enumerate(steps):
            for path, old, new in edits:
                p = Path(path)
                if old is None:  # a new file, or all of it
                    p.write_text(new, encoding="utf-8")
                    continue
                text = p.read_text(encoding="utf-8")
                assert old in text, (path, old)
                p.write_text(text.replace(old, new, 1), encoding="utf-8")
            build(first if i == 0 else config(), serve_url="http://127.0.0.1:8000/")
            stats = sys.modules["docs/.hooks/render_cache.py"].STATS
            print("STATS " + json.dumps(stats), flush=True)
        first.plugins.on_shutdown()

    if __name__ == "__main__":
        main()
''')

CE = "docs/blog/posts/2026-11-20-cross-entropy-loss.md"
CE_URL = "blog/2026/11/20/cross-entropy-loss/"


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    root = copy_repository(tmp_path_factory.mktemp("render-cache") / "repo")
    (root / "serve_driver.py").write_text(DRIVER, encoding="utf-8")
    return root


def _serve_builds(repo: Path, site: Path, steps: list) -> list[dict]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DOCEXEC_PROGRESS": "0",
           "PYTHONPATH": str(repo)}
    run = subprocess.run([sys.executable, "serve_driver.py", str(site), json.dumps(steps)],
                         cwd=repo, env=env, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stderr[-4000:]
    assert "Traceback" not in run.stderr, run.stderr[-4000:]
    return [json.loads(line[6:]) for line in run.stdout.splitlines() if line.startswith("STATS ")]


def _differences(a: Path, b: Path) -> list[str]:
    out = []
    cmp = filecmp.dircmp(a, b)
    stack = [(cmp, "")]
    while stack:
        node, prefix = stack.pop()
        out += [f"{prefix}{n} (only one side)" for n in node.left_only + node.right_only]
        _, mismatch, errors = filecmp.cmpfiles(node.left, node.right, node.common_files,
                                               shallow=False)
        out += [prefix + n for n in mismatch + errors]
        stack += [(sub, f"{prefix}{name}/") for name, sub in node.subdirs.items()]
    return sorted(out)


def _fresh(repo: Path, tmp_path: Path, name: str) -> Path:
    site = tmp_path / name
    _serve_builds(repo, site, [[]])
    return site


def test_rebuilds_reuse_every_page_and_write_what_a_fresh_build_writes(repo, tmp_path):
    site = tmp_path / "served"
    stats = _serve_builds(repo, site, [[], [], []])
    first, *again = stats
    assert first["reused"] == 0 and first["converted"] > 50
    for s in again:  # nothing changed: no page and no excerpt is converted again
        assert s["converted"] == 0 and s["reused"] == first["converted"], stats
        assert s["excerpts_converted"] == 0 and s["excerpts_reused"] > 0, stats
    # the third build (all reused) writes the same files as one fresh build: pages, feeds
    # (each post listed once), notebooks, figures, search index
    assert _differences(site, _fresh(repo, tmp_path, "fresh")) == []


@pytest.mark.parametrize("what, path, old, new", [
    ("the page's prose, in its excerpt", CE, "这个损失函数内部到底做了哪几步",
     "这个损失函数的内部到底做了哪几步"),
    ("the bibliography an unchanged page cites",  # the first post that cites it, and a later one
     "docs/references.bib", "Variable Selection via Nonconcave Penalized Likelihood",
     "Variable Selection via Nonconcave Penalized Likelihood (edited)"),
    ("the bibliography a later post cites", "docs/references.bib",
     "title     = {Deep Learning}", "title     = {Deep Learning (edited)}"),
    ("an include of an unchanged page", "snippets/cross_entropy/core.py",
     "# --8<-- [start:log_softmax]\n", "# --8<-- [start:log_softmax]\n# 一行新注释\n"),
    ("a module a demo imports", "snippets/cross_entropy/data.py",
     "[2.0, 1.0, 0.1, -1.0, 0.5]", "[2.5, 1.0, 0.1, -1.0, 0.5]"),
])
def test_after_an_edit_a_rebuild_writes_what_a_fresh_build_writes(repo, tmp_path, what, path,
                                                                   old, new):
    original = (repo / path).read_text(encoding="utf-8")
    site = tmp_path / "served"
    try:
        stats = _serve_builds(repo, site, [[], [[path, old, new]]])
        fresh = _fresh(repo, tmp_path, "fresh")  # of the edited tree, in a new process
    finally:
        (repo / path).write_text(original, encoding="utf-8")
    assert stats[1]["converted"] >= 1, f"{what}: no page was converted again"
    if not path.endswith(".bib"):  # the bibliography is an input of every page (one key)
        assert stats[1]["reused"] > 40, f"{what}: unchanged pages were converted again: {stats}"
    assert _differences(site, fresh) == [], what


def test_an_included_file_no_demo_depends_on_is_read_again(repo, tmp_path):
    """The include is a plain file: only the record of what the conversion opened can tell
    that the page changed (no exec block's key does)."""
    note, include = "tests/render_cache_note.txt", '--8<-- "snippets/cross_entropy/page.py:manual_steps"'
    original = (repo / CE).read_text(encoding="utf-8")
    site = tmp_path / "served"
    try:
        stats = _serve_builds(repo, site, [
            [[note, None, "# 第一版注释\n"], [CE, include, include + f'\n--8<-- "{note}"']],
            [],
            [[note, None, "# 第二版注释\n"]]])
        fresh = _fresh(repo, tmp_path, "fresh")
    finally:
        (repo / CE).write_text(original, encoding="utf-8")
        (repo / note).unlink()
    assert stats[1]["converted"] == 0 and stats[2]["converted"] >= 1, stats
    assert "第二版注释" in (site / CE_URL / "index.html").read_text(encoding="utf-8")
    assert _differences(site, fresh) == []
