"""``python -m docexec report``: every reference with its page:line, whether it ran now or
came from the cache, the seconds its call took (recorded when it ran) and the size of its
output; slowest first, with a total (like sphinx-gallery's time report)."""

from __future__ import annotations

import json

from .params import expand_all
from .runner import Engine, Failure


def output_bytes(entry: dict, engine: Engine) -> int:
    """Bytes a result puts in the page: its text and tables, and its figure files."""
    size = 0
    for o in entry.get("outputs", []):
        if o.get("kind") == "figure":
            size += sum(len(engine.cache.figure_bytes(o[v])) for v in ("light", "dark"))
        else:
            size += len(json.dumps({k: v for k, v in o.items() if k != "kind"},
                                   ensure_ascii=False).encode("utf-8"))
    return size


def report_rows(engine: Engine, refs: list) -> list[dict]:
    """One row per call (a params= block: one per combination): cached ones first looked up,
    the stale ones then executed together."""
    calls = expand_all(refs)
    cached = {ref: engine.cached(ref) for ref in calls}
    stale = [ref for ref, entry in cached.items() if entry is None]
    ran = engine.run(stale) if stale else {}
    rows = []
    for ref in calls:
        entry = cached[ref] if cached[ref] is not None else ran[ref]
        failed = isinstance(entry, Failure)
        rows.append({
            "where": ref.where, "call": ref.call,
            "status": "failed" if failed else ("cache" if cached[ref] is not None else "ran"),
            "seconds": 0.0 if failed else float(entry.get("seconds") or 0.0),
            "bytes": 0 if failed else output_bytes(entry, engine),
        })
    return sorted(rows, key=lambda r: (-r["seconds"], r["where"]))


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} B"


def format_report(rows: list[dict]) -> str:
    lines = [f"{'seconds':>8}  {'status':<6}  {'output':>9}  page:line  call"]
    for r in rows:
        lines.append(f"{r['seconds']:8.2f}  {r['status']:<6}  {_size(r['bytes']):>9}  "
                     f"{r['where']}  {r['call']}")
    count = {s: sum(r["status"] == s for r in rows) for s in ("ran", "cache", "failed")}
    total = sum(r["seconds"] for r in rows)
    lines.append(f"total: {len(rows)} calls, {count['ran']} ran, {count['cache']} from the cache, "
                 f"{count['failed']} failed; {total:.1f} s of recorded call time, "
                 f"{_size(sum(r['bytes'] for r in rows))} of output")
    return "\n".join(lines)
