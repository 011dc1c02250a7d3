"""Builds past one machine, in one run (issue 15):

- local: ``mkdocs build --strict`` from an empty result cache, the local worker pool;
- cluster: the same through a ``dask.distributed.LocalCluster`` (2 workers, 1 thread each,
  on 127.0.0.1), ``DOCEXEC_EXECUTOR`` set to its scheduler: the tasks it ran and the wall time;
- shared: another checkout of the repository (a copy at another path, no cache of its own)
  builds against the cache the cluster build wrote: how many calls it executed (none expected).

The sites of the local and the cluster build are compared file by file.
Prints the numbers and writes ``benchmarks/results/cluster.json``.
Usage: python benchmarks/bench_cluster.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from site_build import copy_repository  # noqa: E402


def build(root: Path, site: Path, **env) -> tuple[float, str]:
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-v", "-d", str(site)],
        cwd=root, capture_output=True, text=True, check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DOCEXEC_PROGRESS": "0",
             "PYTHONPATH": str(root), **env})
    summary = next((line for line in run.stderr.splitlines() if "references rendered" in line), "")
    return time.perf_counter() - start, summary.split("docexec: ", 1)[-1]


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def main() -> None:
    from distributed import Client, LocalCluster

    result = {}
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        tmp = Path(tmp)
        local_s, local_summary = build(REPO, tmp / "local", DOCEXEC_CACHE_DIR=str(tmp / "c-local"))
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster:
            cluster_s, cluster_summary = build(REPO, tmp / "cluster",
                                               DOCEXEC_CACHE_DIR=str(tmp / "c-shared"),
                                               DOCEXEC_EXECUTOR=cluster.scheduler_address)
            with Client(cluster.scheduler_address, set_as_default=False) as client:
                ran = client.run(lambda dask_worker: len(
                    {e[0] for e in dask_worker.state.log if str(e[0]).startswith("docexec-")}))
        ours, theirs = files(tmp / "local"), files(tmp / "cluster")
        differ = sorted(n for n in ours.keys() | theirs.keys() if ours.get(n) != theirs.get(n))
        same = not differ
        result_differ = differ[:20]
        other = copy_repository(tmp / "elsewhere" / "checkout", with_cache=False)
        shared_s, shared_summary = build(other, tmp / "shared",
                                         DOCEXEC_CACHE_DIR=str(tmp / "c-shared"))
    result = {
        "local_pool": {"seconds": round(local_s, 1), "summary": local_summary},
        "cluster": {"seconds": round(cluster_s, 1), "summary": cluster_summary,
                    "tasks_per_worker": ran, "tasks": sum(ran.values())},
        "sites_identical": same,
        "differing_files": result_differ,
        "other_checkout_shared_cache": {"seconds": round(shared_s, 1), "summary": shared_summary},
    }
    print(f"local pool, empty cache:      {local_s:6.1f} s  ({local_summary})")
    print(f"LocalCluster, empty cache:    {cluster_s:6.1f} s  ({sum(ran.values())} tasks on "
          f"{len(ran)} workers: {sorted(ran.values())}; {cluster_summary})")
    print(f"sites byte-identical: {same} {result_differ}")
    print(f"other checkout, shared cache: {shared_s:6.1f} s  ({shared_summary})")
    out = REPO / "benchmarks" / "results" / "cluster.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
