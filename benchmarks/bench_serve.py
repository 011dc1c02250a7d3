"""``mkdocs serve``: how long after a save the served page shows the edit (issue 15).

The repository is copied (with its result cache, so the first build is warm) to a temporary
folder and served there. Then, ``--edits`` times each:

- snippet: a printed value of a non-training demo changes (the header of a table that
  ``snippets/cross_entropy/page.py:show_logits`` prints, so the module's blocks re-execute);
- prose: a sentence of the cross-entropy post changes.

The time runs from the write to the first response of the post's page that holds the new text
(polled every 20 ms). For the snippet edit a second time is taken: until the page has settled
(no demo of the edited module is still shown as pending). Prints
the medians and writes ``benchmarks/results/serve.json``.
Usage: python benchmarks/bench_serve.py [--edits 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from site_build import copy_repository  # noqa: E402
from test_engine_serve import _serving, serving  # noqa: E402

POST = "docs/blog/posts/2026-11-20-cross-entropy-loss.md"
URL = "blog/2026/11/20/cross-entropy-loss/"
SNIPPET = "snippets/cross_entropy/page.py"
PENDING = "正在重新计算"


def _edit(path: Path, old: str, new: str) -> float:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return time.monotonic()


def _seconds_until(proc, url, started: float, predicate) -> float:
    html = _serving(proc, url, predicate, seconds=120, interval=0.02)
    if html is None:
        raise SystemExit(f"the edit never showed at {url}")
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        site = copy_repository(Path(tmp) / "repo")
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(site),
               "DOCEXEC_PROGRESS": "0"}
        with serving(site, ready=lambda html: "</html>" in html, env=env, seconds=600) as (
                proc, base):
            page = base + URL
            _serving(proc, page, lambda html: PENDING not in html, seconds=600)
            snippet, settled, prose = [], [], []
            header = "真实类别"
            sentence = "如果所有 logits 相等"
            for i in range(args.edits):
                new = f"真实类别{i}"
                started = _edit(site / SNIPPET, f'df["{header}"]', f'df["{new}"]')
                header = new
                # the edited demo's new output is shown (other demos of the module may still
                # be recomputing), then the page has settled: no demo left pending
                snippet.append(_seconds_until(proc, page, started, lambda h, n=new: f">{n}<" in h))
                settled.append(_seconds_until(
                    proc, page, started, lambda h, n=new: f">{n}<" in h and PENDING not in h))
                time.sleep(1.5)  # let the other blocks of the module settle
                _serving(proc, page, lambda h: PENDING not in h, seconds=600)
                new_sentence = f"如果所有 logits 都相等（第 {i} 次修改）"
                started = _edit(site / POST, sentence, new_sentence)
                sentence = new_sentence
                prose.append(_seconds_until(proc, page, started, lambda h, s=new_sentence: s in h))
                time.sleep(1.0)
    result = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "edits": args.edits,
        "snippet_seconds": [round(s, 2) for s in snippet],
        "prose_seconds": [round(s, 2) for s in prose],
        "snippet_median": round(statistics.median(snippet), 2),
        "snippet_settled_seconds": [round(s, 2) for s in settled],
        "snippet_settled_median": round(statistics.median(settled), 2),
        "prose_median": round(statistics.median(prose), 2),
    }
    print(f"snippet edit -> new output served: median {result['snippet_median']:.2f} s "
          f"({', '.join(f'{s:.2f}' for s in snippet)})")
    print(f"snippet edit -> page settled:      median {result['snippet_settled_median']:.2f} s "
          f"({', '.join(f'{s:.2f}' for s in settled)})")
    print(f"prose edit   -> new text served:   median {result['prose_median']:.2f} s "
          f"({', '.join(f'{s:.2f}' for s in prose)})")
    out = REPO / "benchmarks" / "results" / "serve.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
