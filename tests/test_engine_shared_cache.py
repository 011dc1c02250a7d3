"""A result cache any machine can share: a local folder or any fsspec URL (memory:// here, as
s3:// for a team). Another checkout reuses the results; a corrupt or foreign entry is recomputed."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import fsspec
import pytest

from docexec.cache import ResultCache
from docexec.runner import Engine
from docexec.settings import Settings
from test_engine import project, ref  # noqa: F401 - project is a fixture

TARGETS = ["snippets.demo:answer", "snippets.demo:table", "snippets.demo:figure"]


@pytest.fixture(params=["folder", "file-url", "memory"])
def store(request, tmp_path):
    """Where the shared cache lives, as a setting would name it."""
    if request.param == "folder":
        yield tmp_path / "shared-cache"
    elif request.param == "file-url":
        yield f"file://{tmp_path / 'shared-cache'}"
    else:
        url = f"memory://blog-cache-{uuid.uuid4().hex}"
        yield url
        fs = fsspec.filesystem("memory")
        if fs.exists(url):  # the memory store is process-wide: leave nothing behind
            fs.rm(url, recursive=True)


def _engine(root: Path, store) -> Engine:
    return Engine(Settings(root=root, cache_dir=store, timeout=30, jobs=2))


def _checkout(source: Path, where: Path) -> Path:
    """Another checkout of the same project, at another path (another machine's clone)."""
    shutil.copytree(source, where, ignore=shutil.ignore_patterns(".cache"))
    return where


def test_another_checkout_reads_the_results_through_the_shared_cache(project, store, tmp_path):
    refs = [ref(t) for t in TARGETS]
    first = _engine(project, store)
    written = first.run(refs)
    assert first.executed == 3
    other = _checkout(project, tmp_path / "elsewhere" / "clone")
    second = _engine(other, store)
    read = second.run(refs)
    assert second.executed == 0  # nothing ran: every result came from the shared cache
    assert read == written
    figure = read[refs[2]]["outputs"][0]
    for palette in ("light", "dark"):  # the figure files travel with the entries
        body = second.cache.figure_bytes(figure[palette])
        assert body.startswith(b"<?xml") and body == first.cache.figure_bytes(figure[palette])


def test_an_edit_in_one_checkout_is_not_served_to_the_other(project, store, tmp_path):
    _engine(project, store).run([ref("snippets.demo:answer")])
    other = _checkout(project, tmp_path / "clone")
    helper = other / "snippets" / "helper.py"
    helper.write_text(helper.read_text().replace("VALUE = 41", "VALUE = 99"))
    engine = _engine(other, store)
    entry = engine.result(ref("snippets.demo:answer"))
    assert engine.executed == 1 and entry["outputs"][-1]["text"] == "answer=100"


def _entry_path(cache: ResultCache, key: str) -> str:
    return cache._path(cache._entry(key))


@pytest.mark.parametrize("damage", ["not json", "truncated", "foreign key", "old format",
                                    "bad outputs", "figure replaced", "figure missing"])
def test_a_corrupt_or_foreign_entry_is_recomputed(project, store, damage):
    r = ref("snippets.demo:figure")
    engine = _engine(project, store)
    entry = engine.result(r)
    cache, key = engine.cache, engine.key(r)
    fs, path = cache.fs, _entry_path(cache, key)
    stored = json.loads(fs.cat_file(path))
    figure = cache._path(f"figures/{entry['outputs'][0]['light']}")
    if damage == "not json":
        fs.pipe_file(path, b"\x00\x01 not json")
    elif damage == "truncated":
        fs.pipe_file(path, fs.cat_file(path)[:40])
    elif damage == "foreign key":
        fs.pipe_file(path, json.dumps({**stored, "key": "0" * 64}).encode())
    elif damage == "old format":
        fs.pipe_file(path, json.dumps({**stored, "format": 0}).encode())
    elif damage == "bad outputs":
        fs.pipe_file(path, json.dumps({**stored, "outputs": [{"kind": "nonsense"}]}).encode())
    elif damage == "figure replaced":
        fs.pipe_file(figure, b"<svg>another picture</svg>")
    else:
        fs.rm(figure)
    fresh = _engine(project, store)
    again = fresh.result(r)
    assert fresh.executed == 1, damage
    assert again["outputs"] == entry["outputs"]
    assert fresh.cache.figure_bytes(entry["outputs"][0]["light"]).startswith(b"<?xml")
    assert json.loads(fs.cat_file(path))["key"] == key  # repaired in place


def test_clean_removes_the_store(project, store):
    engine = _engine(project, store)
    engine.run([ref("snippets.demo:answer")])
    key = engine.key(ref("snippets.demo:answer"))
    assert engine.cache.get(key) is not None
    engine.cache.clear()
    assert engine.cache.get(key) is None
    engine.cache.clear()  # an absent store is fine


@pytest.mark.parametrize("text, expected", [
    ("memory://team/cache", "memory://team/cache"),
    ("s3://bucket/blog-cache", "s3://bucket/blog-cache"),
    ("file:///srv/cache", Path("/srv/cache")),
    ("/srv/cache", Path("/srv/cache")),
    ("rel/cache", "ROOT/rel/cache"),
])
def test_the_cache_location_may_be_a_url(tmp_path, text, expected):
    s = Settings.resolve(flags={"root": tmp_path}, env={"DOCEXEC_CACHE_DIR": text})
    if expected == "ROOT/rel/cache":
        expected = tmp_path.resolve() / "rel" / "cache"
    assert s.cache_dir == expected
    assert Settings.resolve(flags={"root": tmp_path, "cache_dir": text}, env={}).cache_dir == expected


def test_a_notebook_post_is_kept_in_the_shared_store(tmp_path):
    from docexec.notebook_post import executed

    write_dir = tmp_path / "docs"
    write_dir.mkdir()
    page = write_dir / "nb.md"
    page.write_text("---\njupyter:\n  jupytext:\n    text_representation:\n      extension: .md\n"
                    "      format_name: markdown\n  kernelspec:\n    name: python3\n"
                    "    display_name: Python 3\n---\n\n# t\n\n```python\nprint(6 * 7)\n```\n",
                    encoding="utf-8")
    url = f"memory://nb-{uuid.uuid4().hex}"
    settings = Settings(root=tmp_path, cache_dir=url, timeout=120)
    nb = executed(page, "docs/nb.md", settings)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any("42" in o.get("text", "") for o in outputs)
    stored = fsspec.filesystem("memory").find(url.removeprefix("memory://"))
    assert len(stored) == 1 and stored[0].endswith(".ipynb")
