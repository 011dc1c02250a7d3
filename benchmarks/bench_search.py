"""A reader's first search, on the real blog and on a synthetic blog of 500 Chinese posts.

The search is the site's own: Material's header box, ``assets/javascripts/search.js`` and the
Pagefind index ``docs/.hooks/pagefind_index.py`` writes. In headless Chromium (Debian's), on a
localhost server that gzips like a static host (``tests/site_build.serve``), each run opens a
page in a fresh browser context (empty cache), focuses the search box and types a query at
once: nothing of the search is loaded before. Measured (``tests/search_probe.py``):

- bytes: every response from focusing the box until the results show (Content-Length plus
  headers, page and web worker alike), plus ``search.js`` itself;
- ms: from the query's input event to its first result in the list (page clock), the query
  typed at once on focusing (cold: the engine loads on the critical path) and, as a reader
  does, a second after focusing (``TYPING_PAUSE_MS``; the bytes are the same);
- whether the post that explains the query comes first.

The synthetic blog: the real site, built, plus ``--posts`` generated posts (deterministic:
seeded ``random``, no downloads). Each is a real post page with its article replaced by
generated Chinese prose (the vocabulary of the real posts, cut by jieba, drawn Zipf-like),
headings and Latin names, and one term of its own in its title and text; it is marked and
given its search fields by the hook's own functions, then the hook indexes the whole site.
Queries: the real posts' terms, and the own terms of sampled synthetic posts.

Aims (issue 14): first search <= 150 KB on the real site, <= 300 KB and <= 300 ms at 500 posts.

Usage: python benchmarks/bench_search.py [--site DIR] [--posts 500] [--runs 5]
Writes benchmarks/results/search.json.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from search_probe import first_search  # noqa: E402
from site_build import CHROMIUM, CHROMIUM_ARGS, REPO, build, posts, serve  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "search.json"
HOOK = REPO / "docs" / ".hooks" / "pagefind_index.py"
REAL_QUERIES = {"交叉熵": "cross-entropy-loss", "反向传播": "backprop-by-hand",
                "位置编码": "positional-encoding", "单纯形法": "simplex-method",
                "滚动回归": "rolling-regression", "重置门": "gru-internals",
                "批量 Cholesky": "rolling-regression"}
BUDGET = {"real_bytes": 150_000, "synthetic_bytes": 300_000, "synthetic_ms": 300}
SEED = 20261202
TYPING_PAUSE_MS = 1000  # a reader focuses the box, then types: the engine loads meanwhile
_CJK = re.compile(r"[\u4e00-\u9fff]{2,}")


def _hook():
    sys.path.insert(0, str(HOOK.parent))
    spec = importlib.util.spec_from_file_location("hook_pagefind_index", HOOK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the synthetic blog -------------------------------------------------------------------------

def vocabulary(tokenizer, dictionary: list[str]) -> tuple[list[str], list[float]]:
    """The Chinese words of the real posts, most frequent first, with Zipf weights; not the
    blog's technical terms (its dictionary, the posts' tags): the generated posts are about
    their own terms, so the real terms keep the posts that explain them."""
    counts: dict[str, int] = {}
    technical = set(dictionary) | {str(t) for p in posts() for t in p.meta.get("tags") or []}
    for post in posts():
        for run in _CJK.findall(post.source.read_text(encoding="utf-8")):
            for word in tokenizer.cut(run, HMM=False):
                if word not in technical:
                    counts[word] = counts.get(word, 0) + 1
    words = sorted(counts, key=lambda w: (-counts[w], w))
    return words, [1 / (rank + 1) for rank in range(len(words))]


def own_terms(n: int, rng: random.Random, alphabet: str) -> list[str]:
    """``n`` distinct made-up three- or four-character terms."""
    terms: dict[str, None] = {}
    while len(terms) < n:
        terms.setdefault("".join(rng.choice(alphabet) for _ in range(rng.choice((3, 4)))))
    return list(terms)


def post_article(i: int, term: str, rng: random.Random, words, weights) -> tuple[str, str]:
    """The title and article HTML of synthetic post ``i``: ~3,500 words in 8 sections."""
    def sentence(k: int) -> str:
        picked = rng.choices(words, weights, k=k)
        if rng.random() < 0.15:
            picked.insert(rng.randrange(len(picked)), f" Model{rng.randrange(2000)}Net ")
        return "".join(picked) + "。"

    title = f"{term}的原理与实现（第 {i} 篇）"
    parts = [f'<h1 id="t">{title}</h1>']
    for s in range(8):
        heading = "".join(rng.choices(words[:300], weights[:300], k=3))
        if s in (0, 3):
            heading = term + heading
        parts.append(f'<h2 id="s{s}">{heading}</h2>')
        for _ in range(5):
            text = "".join(sentence(rng.randint(8, 16)) for _ in range(rng.randint(3, 6)))
            if rng.random() < 0.3:
                text = term + "（" + f"term {i}" + "）" + text
            parts.append(f"<p>{text}</p>")
    return title, "\n".join(parts)


def add_synthetic_posts(site: Path, n: int, hook) -> list[tuple[str, str]]:
    """Write ``n`` generated posts into ``site``; (own term, URL path) of each."""
    rng = random.Random(SEED)
    dictionary, tokenizer = hook._dictionary(str(REPO / "docs" / ".dict" / "jieba_user.txt"))
    words, weights = vocabulary(tokenizer, dictionary)
    alphabet = "".join(sorted({c for w in words[:2000] for c in w}))
    terms = own_terms(n, rng, alphabet)
    shell_post = posts()[0]
    shell = (site / shell_post.url / "index.html").read_text(encoding="utf-8")
    start = shell.index('<article class="md-content__inner md-typeset"')
    end = shell.index("</article>", start)
    open_tag = '<article class="md-content__inner md-typeset">'
    made = []
    for i, term in enumerate(terms):
        title, body = post_article(i, term, rng, words, weights)
        src = f"blog/posts/synthetic-{i:03d}.md"
        hook._fields[src] = hook.post_terms(body, title, ["合成"], dictionary, tokenizer)
        html = shell[:start] + open_tag + body + shell[end:]
        page = SimpleNamespace(file=SimpleNamespace(src_uri=src))
        html = hook.on_post_page(html, page, None)
        url = f"blog/synthetic/{i:03d}/"
        (site / url).mkdir(parents=True, exist_ok=True)
        (site / url / "index.html").write_text(html, encoding="utf-8")
        made.append((term, url))
    return made


# --- measuring --------------------------------------------------------------------------------

def bundle_stats(site: Path) -> dict:
    bundle = site / "pagefind"
    chunks = list((bundle / "index").glob("*.pf_index"))
    fragments = list((bundle / "fragment").glob("*.pf_fragment"))
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    return {
        "pages": entry["languages"]["zh"]["page_count"],
        "bundle_bytes": sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file()),
        "index_chunks": len(chunks),
        "index_bytes": sum(p.stat().st_size for p in chunks),
        "largest_chunk_bytes": max(p.stat().st_size for p in chunks),
        "fragment_bytes_median": int(statistics.median(p.stat().st_size for p in fragments)),
        "meta_bytes": sum(p.stat().st_size for p in bundle.glob("*.pf_meta")),
    }


def measure(browser, base_url: str, queries: dict[str, str], runs: int) -> dict:
    rows = {}
    for query, expected in queries.items():
        samples, typed_later = [], []
        for _ in range(runs):
            for pause, into in ((0, samples), (TYPING_PAUSE_MS, typed_later)):
                result, page = first_search(browser, base_url, query, pause_ms=pause)
                page.close()
                if result.errors:
                    raise SystemExit(f"{query}: {result.errors}")
                into.append(result)
        first = samples[0]
        rows[query] = {
            "expected": expected,
            "first": first.urls[0] if first.urls else None,
            "right_first": bool(first.urls) and expected in first.urls[0],
            "results": len(first.urls),
            "bytes": max(s.total_bytes for s in samples),
            "ms_median": round(statistics.median(s.ms for s in samples), 1),
            "ms_max": round(max(s.ms for s in samples), 1),
            "ms_median_typed_later": round(statistics.median(s.ms for s in typed_later), 1),
            "files": {k.rsplit("/", 1)[-1]: v for k, v in first.files.items()},
        }
    return rows


def summary(rows: dict) -> dict:
    return {
        "right_first": sum(r["right_first"] for r in rows.values()),
        "queries": len(rows),
        "bytes_max": max(r["bytes"] for r in rows.values()),
        "ms_median": round(statistics.median(r["ms_median"] for r in rows.values()), 1),
        "ms_max": max(r["ms_max"] for r in rows.values()),
        "ms_median_typed_later": round(statistics.median(
            r["ms_median_typed_later"] for r in rows.values()), 1),
    }


def report(label: str, stats: dict, rows: dict) -> None:
    s = summary(rows)
    print(f"\n{label}: {stats['pages']} posts indexed, bundle {stats['bundle_bytes'] / 1000:.0f} KB "
          f"({stats['index_chunks']} index chunks, {stats['index_bytes'] / 1000:.0f} KB)")
    for query, r in rows.items():
        mark = "ok " if r["right_first"] else "WRONG"
        print(f"  {mark} {query:<16} {r['bytes'] / 1000:6.1f} KB  {r['ms_median']:6.1f} ms "
              f"(max {r['ms_max']:.0f}; typed later {r['ms_median_typed_later']:.0f})  "
              f"first: {r['first']}")
    print(f"  first search: at most {s['bytes_max'] / 1000:.1f} KB; median {s['ms_median']} ms, "
          f"slowest {s['ms_max']} ms (typed {TYPING_PAUSE_MS} ms after focusing: median "
          f"{s['ms_median_typed_later']} ms); right post first {s['right_first']}/{s['queries']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one)")
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5, help="fresh-context runs per query")
    parser.add_argument("--sample", type=int, default=8, help="synthetic posts queried")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    hook = _hook()
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        real = args.site
        if real is None:
            real = Path(tmp) / "real"
            build(real)
        synthetic = Path(tmp) / "synthetic"
        shutil.copytree(real, synthetic)
        made = add_synthetic_posts(synthetic, args.posts, hook)
        hook.index_site(synthetic)
        rng = random.Random(SEED + 1)
        sampled = dict(rng.sample(made, args.sample))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            real_rows = measure(browser, serve(str(real)), REAL_QUERIES, args.runs)
            base = serve(str(synthetic))
            synth_rows = measure(browser, base, REAL_QUERIES, args.runs)
            synth_rows.update(measure(browser, base, sampled, args.runs))
            version = browser.version
            browser.close()
        real_stats, synth_stats = bundle_stats(real), bundle_stats(synthetic)

    report("real site", real_stats, real_rows)
    report(f"synthetic blog (+{args.posts} posts)", synth_stats, synth_rows)
    real_sum, synth_sum = summary(real_rows), summary(synth_rows)
    within = {"real_bytes": real_sum["bytes_max"] <= BUDGET["real_bytes"],
              "synthetic_bytes": synth_sum["bytes_max"] <= BUDGET["synthetic_bytes"],
              "synthetic_ms": synth_sum["ms_median"] <= BUDGET["synthetic_ms"],
              "synthetic_ms_typed_later": synth_sum["ms_median_typed_later"]
              <= BUDGET["synthetic_ms"]}
    print(f"\nwithin the aims {BUDGET}: {within}")
    print(f"load average (1, 5, 15 min): {os.getloadavg()} on {os.cpu_count()} cores: "
          "timings on a busy machine are slower than a reader's")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "benchmarks/bench_search.py",
        "date": datetime.date.today().isoformat(),
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                    "platform": platform.platform(), "python": platform.python_version(),
                    "load_average_after": [round(x, 1) for x in os.getloadavg()]},
        "versions": {"pagefind": metadata.version("pagefind"), "chromium": version,
                     "mkdocs-material": metadata.version("mkdocs-material")},
        "method": "fresh browser context per run; focus the box and type the query at once "
                  "(and, for ms_median_typed_later, 1 s after focusing); "
                  "bytes = Content-Length + headers of every response until the results "
                  "show, plus search.js (server gzips text like a static host); ms = input "
                  "event to first result, page clock; bytes are the max over runs",
        "config": {"synthetic_posts": args.posts, "runs": args.runs, "seed": SEED,
                   "sampled_synthetic_queries": args.sample},
        "aims": BUDGET, "within_aims": within,
        "real": {"index": real_stats, "summary": real_sum, "queries": real_rows},
        "synthetic": {"index": synth_stats, "summary": synth_sum, "queries": synth_rows},
    }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
