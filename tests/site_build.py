"""Helpers shared by the site and browser tests: build the site once, list posts, serve it."""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
POSTS = REPO / "docs" / "blog" / "posts"


@dataclass(frozen=True)
class Post:
    source: Path
    title: str
    url: str  # relative to the site root, ends with "/"
    meta: dict


def posts() -> list[Post]:
    """Every post with the URL the blog plugin gives it ({date}/{slug})."""
    found = []
    for path in sorted(POSTS.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        m = re.match(r"^---\n(.*?)\n---\n", text, re.S)
        meta = yaml.safe_load(m.group(1)) if m else {}
        date = meta["date"]
        date = date.get("created") if isinstance(date, dict) else date
        date = str(date)[:10]
        y, mo, d = date.split("-")
        found.append(Post(path, meta.get("title", ""), f"blog/{y}/{mo}/{d}/{meta['slug']}/", meta))
    return found


def build(site_dir: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` into ``site_dir``; raises with the log when it fails."""
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site_dir)],
        cwd=REPO, capture_output=True, text=True, timeout=3600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
    )
    if run.returncode != 0:
        raise AssertionError(f"mkdocs build --strict failed:\n{run.stdout}\n{run.stderr}")
    return run


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@functools.lru_cache(maxsize=None)
def serve(site_dir: str) -> str:
    """Serve ``site_dir`` on a free localhost port for the rest of the session; its base URL."""
    handler = functools.partial(_QuietHandler, directory=site_dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"
