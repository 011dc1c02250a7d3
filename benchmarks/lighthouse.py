"""Lighthouse scores of every post (mobile preset), with Debian's chromium, on a local server.

Builds the site (strict) unless --site points at a built one, serves it on localhost,
runs ``node_modules/.bin/lighthouse`` (npm ``lighthouse@12.2.3``, from package.json) on
the home page, the blog index and each post, prints the four category scores and writes
them to benchmarks/results/lighthouse.json. Aim: 95+ in each category.

Usage: python benchmarks/lighthouse.py [--site DIR]
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from site_build import CHROMIUM, REPO, build, posts, serve  # noqa: E402

LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking " \
        "--disable-component-update --no-first-run --disable-sync"


def score(url: str, out: Path) -> dict:
    subprocess.run(
        [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
         f"--chrome-flags={FLAGS}", "--only-categories=" + ",".join(CATEGORIES)],
        check=True, env={"CHROME_PATH": CHROMIUM, "PATH": "/usr/bin:/bin"}, timeout=600)
    report = json.loads(out.read_text())
    return {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", type=Path, help="an already built site folder")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("node_modules/.bin/lighthouse is missing: run `npm ci`")
    work = Path(tempfile.mkdtemp(prefix="lighthouse-"))
    site = args.site
    if site is None:
        site = work / "site"
        build(site)
    base = serve(str(site))
    pages = {"首页": "", "博客": "blog/"} | {p.title: p.url for p in posts()}
    results = {}
    print(f"{'page':<44} " + " ".join(f"{c[:11]:>11}" for c in CATEGORIES))
    for title, path in pages.items():
        results[path or "/"] = s = score(base + path, work / "report.json")
        print(f"{title[:40]:<44} " + " ".join(f"{s[c]:>11}" for c in CATEGORIES), flush=True)
    worst = {c: min(r[c] for r in results.values()) for c in CATEGORIES}
    print("lowest".ljust(44) + " " + " ".join(f"{worst[c]:>11}" for c in CATEGORIES))
    out = REPO / "benchmarks" / "results" / "lighthouse.json"
    out.write_text(json.dumps({
        "date": datetime.date.today().isoformat(),
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
        "lighthouse": json.loads((REPO / "node_modules/lighthouse/package.json").read_text())["version"],
        "preset": "mobile (default)",
        "scores": results,
    }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
