"""Build times of the whole site, in one run: cold, warm, after a snippet edit, and the floor.

- cold:  empty result cache, every reference executes;
- warm:  nothing changed since the last build, nothing executes;
- edit:  snippets/cross_entropy/page.py changed (a comment appended), its references re-execute;
- floor: execution disabled (DOCEXEC_DISABLE=1), the cost of MkDocs + Material alone.

Each figure is the median of --runs builds (``mkdocs build --strict`` in a subprocess,
as an author runs it). Usage: python benchmarks/bench_build.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EDITED = REPO / "snippets" / "cross_entropy" / "page.py"


def build(site: Path, cache: Path, **env) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
        cwd=REPO, check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DOCEXEC_CACHE_DIR": str(cache), **env},
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-build-"))
    site, cache = work / "site", work / "cache"
    original = EDITED.read_text(encoding="utf-8")
    times: dict[str, list[float]] = {"cold": [], "warm": [], "edit": [], "floor": []}
    try:
        for run in range(args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            times["cold"].append(build(site, cache))
            times["warm"].append(build(site, cache))
            EDITED.write_text(original + f"\n# benchmark edit {run} {time.time_ns()}\n",
                              encoding="utf-8")
            try:
                times["edit"].append(build(site, cache))
            finally:
                EDITED.write_text(original, encoding="utf-8")
            times["floor"].append(build(site, cache, DOCEXEC_DISABLE="1"))
            print(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()),
                  flush=True)
    finally:
        EDITED.write_text(original, encoding="utf-8")
        shutil.rmtree(work, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"\nmedian of {args.runs} runs (mkdocs build --strict, {os.cpu_count()} cores)")
    for k in ("cold", "warm", "edit", "floor"):
        print(f"  {k:<6} {med[k]:7.2f} s")
    print(f"  warm/floor {med['warm'] / med['floor']:.2f}   edit/floor {med['edit'] / med['floor']:.2f}"
          f"   cold/floor {med['cold'] / med['floor']:.2f}")


if __name__ == "__main__":
    main()
