"""Weight of every post in a built site: elements in its HTML (all, MathML, inside code blocks) and bytes gzipped.

Usage: python benchmarks/page_weight.py SITE_DIR [--label NAME] [--json OUT]
(build first: ``mkdocs build --strict -d SITE_DIR``). Issue 14 aims at <= 5,000 elements and
<= 60 KB gzipped for the heaviest post (``tests/test_reader_budgets.py`` holds every post to
it). With --label the rows are stored under that key of benchmarks/results/page_weight.json,
next to the labels already there (a "before" and an "after").
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
from html.parser import HTMLParser
from pathlib import Path

MATHML = {"math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
          "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover",
          "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "merror"}
RESULTS = Path(__file__).resolve().parent / "results" / "page_weight.json"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class _Count(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.total = self.mathml = self.code = 0
        self._pre = 0  # depth inside <pre>

    def handle_starttag(self, tag, attrs):
        self.total += 1
        self.mathml += tag in MATHML
        self.code += self._pre > 0
        if tag == "pre":
            self._pre += 1

    def handle_endtag(self, tag):
        if tag == "pre" and self._pre:
            self._pre -= 1


def weigh(path: Path) -> dict:
    data = path.read_bytes()
    counter = _Count()
    counter.feed(data.decode("utf-8"))
    return {"elements": counter.total, "mathml": counter.mathml, "code": counter.code,
            "bytes": len(data), "gzip": len(gzip.compress(data, 9, mtime=0))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--label", help="store the rows under this key of " + RESULTS.name)
    parser.add_argument("--json", type=Path, help="write the rows alone to this file")
    args = parser.parse_args()
    rows = {str(p.parent.relative_to(args.site)): weigh(p)
            for p in sorted(args.site.glob("blog/20*/**/index.html"))}
    print(f"{'post':60} {'elements':>8} {'mathml':>7} {'code':>6} {'gzip KB':>8}")
    for name, r in rows.items():
        print(f"{name:60} {r['elements']:8} {r['mathml']:7} {r['code']:6} {r['gzip'] / 1024:8.1f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    if args.label:
        data = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
        data[args.label] = {"date": datetime.date.today().isoformat(), "posts": rows}
        RESULTS.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
