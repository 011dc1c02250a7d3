"""Stale references on a Dask cluster: the same results, cache entries and failure reports as a
local build; a dead Dask worker or an unreachable scheduler is a clear failure, never a hang."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from docexec.runner import Engine, Failure
from docexec.settings import Settings
from site_build import build
from test_engine import project, ref, write  # noqa: F401 - project is a fixture

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cluster():
    """Two Dask worker processes on 127.0.0.1, as a team's cluster would have (one thread each)."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as c:
        yield c


def _engine(root: Path, cache: Path, **kw) -> Engine:
    kw.setdefault("timeout", 30)
    return Engine(Settings(root=root, cache_dir=cache, jobs=2, **kw))


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_cluster_gives_the_results_entries_and_failures_of_a_local_build(
        project, cluster, tmp_path):
    # (not missing_glyph: matplotlib names the fonts it tried in no fixed order)
    targets = ["answer", "table", "figure", "markdown", "boom", "bad_value", "crash"]
    refs = [ref(f"snippets.demo:{name}") for name in targets]
    local = _engine(project, tmp_path / "local")
    remote = _engine(project, tmp_path / "remote", executor=cluster.scheduler_address)
    try:
        here, there = local.run(refs), remote.run(refs)
    finally:
        remote.close()
    assert remote.executed == local.executed == 4
    for r in refs:
        a, b = here[r], there[r]
        assert type(a) is type(b), r.target
        if isinstance(a, Failure):  # page:line, the error, the traceback into the snippet
            assert b.report() == a.report(), r.target
        else:
            strip = lambda e: {k: v for k, v in e.items() if k != "seconds"}  # noqa: E731
            assert strip(b) == strip(a), r.target
    assert "snippets/demo.py" in there[ref("snippets.demo:boom")].traceback
    assert "WorkerDied" in there[ref("snippets.demo:crash")].error
    # the cache entries and figure files on disk are the same bytes (but for the run time)
    ours, theirs = _files(tmp_path / "local"), _files(tmp_path / "remote")
    assert ours.keys() == theirs.keys()
    figures = [name for name in ours if name.startswith("figures/")]
    assert len(figures) >= 2 and all(ours[n] == theirs[n] for n in figures)  # both palettes
    # a second engine on the same cache finds everything, whatever executed it
    again = _engine(project, tmp_path / "remote", executor=cluster.scheduler_address)
    again.run(refs[:4])
    assert again.executed == 0
    again.close()


def test_the_per_call_timeout_holds_on_the_cluster(project, cluster, tmp_path):
    local = _engine(project, tmp_path / "l", timeout=3).result(ref("snippets.demo:hang"))
    remote_engine = _engine(project, tmp_path / "r", timeout=3, executor=cluster.scheduler_address)
    start = time.monotonic()
    remote = remote_engine.result(ref("snippets.demo:hang"))
    remote_engine.close()
    assert time.monotonic() - start < 20
    assert isinstance(remote, Failure) and remote.report() == local.report()
    assert "no result after 3 s" in remote.error


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_fails_every_call_once_and_fast(project, tmp_path):
    address = f"tcp://127.0.0.1:{_free_port()}"
    engine = _engine(project, tmp_path / "c", executor=address)
    start = time.monotonic()
    results = engine.run([ref("snippets.demo:answer"), ref("snippets.demo:table"),
                          ref("snippets.demo:fine")])
    engine.close()
    assert time.monotonic() - start < 30  # one connection attempt, not one per call
    for failure in results.values():
        assert isinstance(failure, Failure)
        assert failure.error.startswith("ExecutorUnavailable") and address in failure.error
        assert "docs/page.md:7" in failure.report()
    assert not (tmp_path / "c").exists()  # nothing cached


def test_a_worker_killed_mid_call_is_retried_or_fails_clearly(project, cluster, tmp_path):
    write(project / "snippets" / "slow.py", """
        import time

        def slow():
            time.sleep(6)
            return "done"
    """)
    engine = _engine(project, tmp_path / "c", timeout=60, executor=cluster.scheduler_address)
    outcome = {}
    runner = threading.Thread(
        target=lambda: outcome.update(engine.run([ref("snippets.slow:slow")])), daemon=True)
    start = time.monotonic()
    runner.start()
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        busy = {}
        while not busy and time.monotonic() - start < 60:
            busy = {w: tasks for w, tasks in client.processing().items() if tasks}
            time.sleep(0.2)
        assert busy, "the task never started"
        pids = client.run(os.getpid, workers=list(busy))
        for pid in pids.values():
            os.kill(pid, signal.SIGKILL)  # the Dask worker process, mid-call
    runner.join(120)
    engine.close()
    assert not runner.is_alive(), "the build hangs after a worker died"
    result = outcome[ref("snippets.slow:slow")]
    if isinstance(result, Failure):
        assert "WorkerDied" in result.error or "ExecutorFailed" in result.error, result.error
    else:
        assert result["outputs"][0]["text"] == "done"  # retried on a live worker


def test_the_executor_is_an_option_a_variable_and_a_flag(project, cluster, tmp_path):
    write(project / "docs" / "page.md",
          "# t\n\n```exec\nsnippets.demo:answer\n```\n\n```exec\nsnippets.demo:table\n```\n")
    address = cluster.scheduler_address
    assert Settings.resolve(flags={"root": project}, env={},
                            config={"executor": address}).executor == address
    assert Settings.resolve(flags={"root": project},
                            env={"DOCEXEC_EXECUTOR": address}).executor == address
    run = subprocess.run(
        [sys.executable, "-m", "docexec", "run", str(project / "docs"), "--root", str(project),
         "--cache-dir", str(tmp_path / "c"), "--executor", address],
        capture_output=True, text=True, timeout=300, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert "2 references, 2 executed" in run.stdout
    for bad in ("tcp:/127.0.0.1:8786", "127.0.0.1:8786", "dask", ""):
        if bad:
            with pytest.raises(ValueError, match="executor"):
                Settings(root=project, executor=bad)


@pytest.mark.site
def test_the_site_built_through_a_cluster_equals_the_local_build(built_site, tmp_path):
    """Every reference of every page runs on the cluster's workers (an empty cache), and the
    site it gives is the local build's, byte for byte."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as c:
        site = tmp_path / "site"
        build(site, env={"DOCEXEC_CACHE_DIR": str(tmp_path / "cache"),
                         "DOCEXEC_EXECUTOR": c.scheduler_address})
        with Client(c.scheduler_address, set_as_default=False) as client:
            ran = client.run(lambda dask_worker: sorted(
                {e[0] for e in dask_worker.state.log if str(e[0]).startswith("docexec-")}))
    tasks = [key for keys in ran.values() for key in keys]
    entries = list((tmp_path / "cache" / "results").rglob("*.json"))
    # every result came from a task on the cluster (a block whose result an earlier block's
    # run made stale may run twice)
    assert len(tasks) >= len(entries) > 50
    assert all(ran.values())  # both workers took part
    ours, theirs = _files(built_site), _files(site)
    assert ours.keys() == theirs.keys(), sorted(ours.keys() ^ theirs.keys())[:20]
    differ = [name for name in sorted(ours) if ours[name] != theirs[name]]
    assert not differ, differ[:20]
