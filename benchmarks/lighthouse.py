"""Lighthouse scores of every page (mobile preset), with Debian's chromium, on a compressing server.

Builds the site (strict) unless --site points at a built one, serves it on localhost with
gzip as a static host does (``tests/site_build.serve``), runs ``node_modules/.bin/lighthouse``
(npm ``lighthouse@12.2.3``, from package.json) on the home page, the blog index, each post,
the tags page and the about page, prints the four category scores (the median of --runs
runs) with the performance metrics, and for a page under 95 in a category the audits that
cost it. The results go to benchmarks/results/lighthouse.json under --label (other labels
already there are kept, so a "before" and an "after" sit side by side). Aim (issue 14):
performance >= 95, accessibility, best practices and SEO 100, on every page.

Lighthouse simulates a slow phone (4x CPU slowdown, slow 4G) from a trace taken on this
machine, so a busy machine still lowers the performance score: run twice (--runs 2) and
read the spread that is printed and stored with each page.

Usage: python benchmarks/lighthouse.py [--site DIR] [--runs N] [--label NAME] [--only PATH ...]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from site_build import CHROMIUM, REPO, build, posts, serve  # noqa: E402

LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
RESULTS = REPO / "benchmarks" / "results" / "lighthouse.json"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {"first-contentful-paint": "FCP", "largest-contentful-paint": "LCP",
           "total-blocking-time": "TBT", "cumulative-layout-shift": "CLS", "speed-index": "SI"}
FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking " \
        "--disable-component-update --no-first-run --disable-sync"


def run_lighthouse(url: str, out: Path) -> dict:
    subprocess.run(
        [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
         f"--chrome-flags={FLAGS}", "--only-categories=" + ",".join(CATEGORIES)],
        check=True, env={"CHROME_PATH": CHROMIUM, "PATH": "/usr/bin:/bin"}, timeout=600)
    return json.loads(out.read_text())


def summary(report: dict) -> dict:
    """Scores, metrics (ms; CLS unitless), DOM size and the audits that cost points."""
    audits = report["audits"]
    row = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    row["metrics"] = {short: round(audits[a]["numericValue"], 3 if short == "CLS" else 0)
                      for a, short in METRICS.items()}
    row["dom_elements"] = audits["dom-size"].get("numericValue")
    losing = []
    for c in CATEGORIES:
        for ref in report["categories"][c]["auditRefs"]:
            a = audits[ref["id"]]
            if ref["weight"] and a.get("score") is not None and a["score"] < 1:
                losing.append(f"{ref['id']} ({a.get('displayValue') or a['score']})")
    # opportunities and diagnostics flagged (no weight, but they say where the time goes)
    for a in audits.values():
        details = a.get("details") or {}
        if details.get("type") == "opportunity" and details.get("overallSavingsMs", 0) >= 100:
            losing.append(f"{a['id']} (saves {details['overallSavingsMs']:.0f} ms)")
    row["flagged"] = losing
    return row


def median_row(rows: list[dict]) -> dict:
    row = {c: round(statistics.median(r[c] for r in rows)) for c in CATEGORIES}
    if len(rows) > 1:
        row["performance_runs"] = [r["performance"] for r in rows]
    row["metrics"] = {m: statistics.median(r["metrics"][m] for r in rows)
                      for m in rows[0]["metrics"]}
    row["dom_elements"] = rows[0]["dom_elements"]
    row["flagged"] = sorted({f for r in rows for f in r["flagged"]})
    return row


def pages() -> dict[str, str]:
    return ({"首页": "", "博客": "blog/"} | {p.title: p.url for p in posts()}
            | {"标签": "tags/", "关于": "about/"})


def _commit() -> str:
    run = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO,
                         capture_output=True, text=True)
    return run.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an already built site folder")
    parser.add_argument("--runs", type=int, default=1, help="runs per page (median kept)")
    parser.add_argument("--label", default="latest", help="key of this measurement in the JSON")
    parser.add_argument("--only", nargs="*", help="page paths to measure (e.g. blog/ about/)")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("node_modules/.bin/lighthouse is missing: run `npm ci`")
    work = Path(tempfile.mkdtemp(prefix="lighthouse-"))
    site = args.site
    if site is None:
        site = work / "site"
        build(site)
    base = serve(str(site))
    todo = {t: p for t, p in pages().items() if args.only is None or p in args.only
            or (p == "" and "/" in args.only)}
    results = {}
    print(f"{'page':<32} " + " ".join(f"{c[:11]:>11}" for c in CATEGORIES)
          + "  FCP/LCP/TBT ms, CLS")
    for title, path in todo.items():
        name = path.strip("/").replace("/", "_") or "home"
        rows = [summary(run_lighthouse(base + path, work / f"{name}-{i}.json"))
                for i in range(args.runs)]
        results[path or "/"] = row = median_row(rows)
        runs = "/".join(str(r) for r in row.get("performance_runs", []))
        m = row["metrics"]
        print(f"{title[:28]:<32} " + " ".join(f"{row[c]:>11}" for c in CATEGORIES)
              + f"  {m['FCP']:.0f}/{m['LCP']:.0f}/{m['TBT']:.0f}, {m['CLS']}"
              + (f"  (runs {runs})" if runs else ""), flush=True)
        if any(row[c] < (95 if c == "performance" else 100) for c in CATEGORIES):
            for f in row["flagged"]:
                print(f"{'':32}   - {f}")
    worst = {c: min(r[c] for r in results.values()) for c in CATEGORIES}
    print("lowest".ljust(32) + " " + " ".join(f"{worst[c]:>11}" for c in CATEGORIES))
    data = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    data = data if "measurements" in data else _migrate(data)
    data["measurements"][args.label] = {
        "date": datetime.date.today().isoformat(),
        "commit": _commit(),
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "load_average": [round(x, 2) for x in os.getloadavg()]},
        "lighthouse": json.loads(
            (REPO / "node_modules/lighthouse/package.json").read_text())["version"],
        "preset": "mobile (default: simulated throttling, 4x CPU, slow 4G)",
        "server": "localhost, gzip (tests/site_build.serve)",
        "runs": args.runs,
        "scores": results,
    }
    RESULTS.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(REPO)} under {args.label!r}; reports in {work}")


def _migrate(old: dict) -> dict:
    """The first file held one measurement at the top level; keep it as one label."""
    if not old:
        return {"measurements": {}}
    return {"measurements": {f"first release ({old.get('date')})": {
        **{k: v for k, v in old.items() if k != "scores"},
        "server": "localhost, gzip (tests/site_build.serve)", "runs": 1,
        "scores": old.get("scores", {})}}}


if __name__ == "__main__":
    main()
