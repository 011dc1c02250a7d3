"""Helpers shared by the site and browser tests: build the site once, list posts, serve it."""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
POSTS = REPO / "docs" / "blog" / "posts"
WEIGHTS: list[str] = []  # per-post page weight lines, printed at the end of the test run


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
    # the build date comes from the posts unless a test sets SOURCE_DATE_EPOCH itself
    inherited = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site_dir)],
        cwd=REPO, capture_output=True, text=True, timeout=3600,
        env={**inherited, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
    )
    if run.returncode != 0:
        raise AssertionError(f"mkdocs build --strict failed:\n{run.stdout}\n{run.stderr}")
    return run


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static server that compresses text like any real host does (gzip), quietly."""

    COMPRESS = {".html", ".css", ".js", ".json", ".svg", ".xml", ".ipynb", ".txt"}

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (path.suffix not in self.COMPRESS or not path.is_file()
                or "gzip" not in self.headers.get("Accept-Encoding", "")
                or not self.path.split("?")[0].endswith(("/", path.suffix))):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@functools.lru_cache(maxsize=None)
def serve(site_dir: str) -> str:
    """Serve ``site_dir`` on a free localhost port for the rest of the session; its base URL."""
    handler = functools.partial(_QuietHandler, directory=site_dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


# --- the browser ---------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-gpu", "--disable-sync"]
ARTIFACTS = REPO / "test-artifacts" / "screenshots"
# How long a browser step may wait for what it needs (an element, fonts, images). Generous:
# a loaded 2-core machine is slow, and a condition that holds ends the wait at once.
WAIT_MS = int(float(os.environ.get("BROWSER_WAIT_SECONDS", "180")) * 1000)

# every image the current palette shows (the other variant is display: none) has loaded
_IMAGES_SETTLED = """() => [...document.images]
    .filter(i => getComputedStyle(i).display !== "none" && i.getClientRects().length > 0)
    .every(i => i.complete)"""


class Page:
    """A page in its own browser context, plus every request and everything that went wrong."""

    def __init__(self, browser, scheme="light", width=1280, height=900):
        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           color_scheme=scheme)
        self.context.set_default_timeout(WAIT_MS)
        self.context.set_default_navigation_timeout(WAIT_MS)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(
            f"{r.status}: {r.url}"))

    def open(self, url):
        """The page once it has loaded, its content is there and its fonts are ready
        (conditions, not a quiet network: a busy machine only makes them slower)."""
        self.page.goto(url, wait_until="load")
        self.page.locator(".md-content").first.wait_for(state="attached")
        self.page.evaluate("document.fonts.ready.then(() => true)")
        return self.page

    def load_lazy_images(self):
        """Scroll through the page so that every lazy image in view of the palette loads."""
        height = self.page.evaluate("document.body.scrollHeight")
        for y in range(0, height, 600):
            self.page.evaluate(f"window.scrollTo(0, {y})")
            self.page.wait_for_timeout(30)
        self.page.evaluate("window.scrollTo(0, 0)")
        self.page.wait_for_function(_IMAGES_SETTLED)

    def screenshot(self, path, full_page=True):
        """A screenshot with every block rendered (content-visibility skips off-screen ones)."""
        self.page.add_style_tag(content="* { content-visibility: visible !important; "
                                        "transition: none !important; }")
        self.page.wait_for_timeout(400)  # the header settles after scrolling back to the top
        self.page.screenshot(path=str(path), full_page=full_page)

    def close(self):
        self.context.close()


def assert_shows_results(text: str, post: Post, engine) -> None:
    """The HTML of ``post`` shows every block's cached result: its reference, each text and
    table output, and both figure variants; no error box and no disabled block. A
    ``params=`` block shows the output of every value (all but the first hidden)."""
    from docexec.params import expand
    from docexec.refs import scan_file

    assert "docexec-error" not in text and "docexec-disabled" not in text, post.url
    for scanned in scan_file(post.source, REPO):
        assert f'data-ref="{scanned.ref.target}"' in text
        for combo in expand(scanned.ref):
            entry = engine.cached(combo)
            assert entry is not None, f"{scanned.page}:{scanned.line} has no cached result"
            _assert_shows_entry(text, entry, scanned.ref.target)


def _assert_shows_entry(text: str, entry: dict, target: str) -> None:
    import html

    for out in entry["outputs"]:
        if out["kind"] == "text":
            assert out["text"].strip(), f"{target} printed nothing"
            assert html.escape(out["text"].rstrip()) in text, target
        elif out["kind"] == "table":
            assert out["html"] in text, target
        elif out["kind"] == "figure":
            for variant in ("light", "dark"):
                assert f'{out[variant]}#only-{variant}"' in text, target


def copy_repository(dest: Path, with_cache: bool = True) -> Path:
    """The working tree's sources in ``dest`` (a checkout an edit may change freely): no site,
    environment or Git folder; the result cache too when ``with_cache`` (a warm first build)."""
    skip = {".git", ".venv", "node_modules", "site", "build", "test-artifacts", ".pytest_cache",
            ".hypothesis", "__pycache__"}
    if not with_cache:
        skip.add(".cache")
    shutil.copytree(REPO, dest, ignore=lambda folder, names: [n for n in names if n in skip],
                    symlinks=True)
    return dest
