"""Command line: ``python -m docexec {run,list,report,clean} [DOCS]``.

run     execute every stale reference below DOCS in parallel (exit 1 if any fails)
list    show every reference with its page, line and cache state
report  every reference: ran or cached, recorded seconds, output size; slowest first
clean   delete the result cache
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from .refs import scan_tree
from .runner import Engine, Failure
from .settings import Settings, mkdocs_options


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m docexec", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["run", "list", "report", "clean"])
    p.add_argument("docs", nargs="?", default="docs", help="folder of Markdown pages (docs)")
    p.add_argument("--root", default=".", help="project root holding the snippet packages (.)")
    p.add_argument("--config-file", default=None,
                   help="mkdocs.yml whose docexec.extension options apply (ROOT/mkdocs.yml)")
    p.add_argument("--jobs", type=int, default=None, help="parallel workers (one per core)")
    p.add_argument("--timeout", type=float, default=None, help=f"seconds per call ({Settings.timeout:g})")
    p.add_argument("--cache-dir", default=None,
                   help="result cache: a folder or an fsspec URL such as s3://bucket/blog-cache "
                        "(.cache/docexec)")
    p.add_argument("--executor", default=None,
                   help="where stale references run: local, or a Dask scheduler address such "
                        "as tcp://127.0.0.1:8786 (local)")
    p.add_argument("--force", action="store_true", default=None,
                   help="re-execute even cached references")
    p.add_argument("--allow", default=None,
                   help="modules pages may call besides the packages, comma-separated (none)")
    p.add_argument("--memory-limit", default=None,
                   help="address space of each call, e.g. 4G (3/4 of the RAM; 0: none)")
    return p


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Flags, over the environment, over mkdocs.yml, over the defaults."""
    root = Path(args.root)
    config = mkdocs_options(Path(args.config_file) if args.config_file else root / "mkdocs.yml")
    flags = {"root": root, "jobs": args.jobs, "timeout": args.timeout,
             "cache_dir": args.cache_dir, "force": args.force, "executor": args.executor,
             "allow": args.allow, "memory_limit": args.memory_limit}
    return Settings.resolve(flags=flags, config=config)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    engine = Engine(settings_from_args(args))
    if args.command == "clean":
        engine.cache.clear()
        print(f"removed {engine.cache.dir}")
        return 0

    docs = Path(args.docs)
    if not docs.is_dir():
        print(f"docexec: no such folder: {docs}", file=sys.stderr)
        return 2
    scanned = scan_tree(docs, engine.settings.root)
    malformed = [s for s in scanned if s.ref is None]
    refs = [s.ref for s in scanned if s.ref is not None]

    if args.command == "list":
        for s in scanned:
            state = ("malformed: " + s.error) if s.ref is None else (
                "cached" if engine.cached(s.ref) else "stale")
            target = s.ref.target if s.ref else ""
            print(f"{s.page}:{s.line}\t{target}\t{state}")
        return 1 if malformed else 0

    if args.command == "report":
        from .report import format_report, report_rows

        rows = report_rows(engine, refs)
        print(format_report(rows))
        for s in malformed:
            print(f"docexec: {s.page}:{s.line}: {s.error}", file=sys.stderr)
        return 1 if malformed or any(r["status"] == "failed" for r in rows) else 0

    start = time.perf_counter()
    try:
        results = engine.run(refs)
    finally:
        engine.close()
    failures = [r for r in results.values() if isinstance(r, Failure)]
    for s in malformed:
        print(f"docexec: {s.page}:{s.line}: {s.error}", file=sys.stderr)
    for f in failures:
        print(f.report(), file=sys.stderr)
    print(f"{len(results)} references, {engine.executed} executed, "  # params=: each combination
          f"{len(results) - engine.executed - len(failures)} from cache, "
          f"{len(failures) + len(malformed)} failed in {time.perf_counter() - start:.1f} s")
    return 1 if failures or malformed else 0


if __name__ == "__main__":
    sys.exit(main())
