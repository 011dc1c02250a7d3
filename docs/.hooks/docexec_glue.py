"""MkDocs glue for the docexec engine (everything else lives in the engine package).

- before a build: run every reference of every page in parallel (stale ones only);
- before each page: tell the fence formatter which page it renders; after it: report the
  exec fences of the page that were never rendered (an unclosed fence, say), at their line;
- after the build: copy the figures the pages use into the site, log a summary.

Strictness (``strict: true``) is for ``mkdocs build``: while serving, a failing demo shows
as an error box in its page and the server keeps serving, so the glue turns it off.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from pathlib import Path

import docexec.build_state as dx
from docexec.outputs import FIGURE_DIR
from docexec.page_html import report
from docexec.refs import Ref, scan_tree
from docexec.runner import Failure
from docexec.settings import LOCAL, Settings

_serving = False
EXT = "docexec.extension"


def on_startup(command, dirty):
    global _serving
    _serving = command == "serve"


def on_config(config):
    if _serving and config.strict:
        _serve_leniently(config)
    root = Path(config.config_file_path).resolve().parent
    options = config.mdx_configs.setdefault(EXT, {})
    options.setdefault("root", str(root))
    dx.configure(Settings.resolve(config=options))
    return config


def on_pre_build(config):
    # tracebacks go to the page only while serving; a published page shows none
    dx.begin_build(show_tracebacks=_serving)
    engine = dx.engine()
    if engine.settings.disabled:
        return
    scanned = scan_tree(Path(config.docs_dir), engine.settings.root)
    engine.run([s.ref for s in scanned if s.ref is not None], dx.STATE.on_ready)


def on_page_markdown(markdown, page, config, files):
    engine = dx.engine()
    if page.file.abs_src_path is None:  # a generated page (the snippet sources) has no refs
        dx.set_page(None)
    else:
        dx.set_page(page.file.abs_src_path, page.url, engine.settings.root)
    return markdown


def on_page_content(html, page, config, files):
    context = dx.STATE.page
    for line, why in context.unrendered():  # the scan found it, the renderer never saw it
        ref = Ref("<exec block>", context.src, line)
        report(ref, Failure(ref, f"ReferenceError: {why}"))
    dx.set_page(None)
    return html


def on_serve(server, config, builder):
    """From the first rebuild on, a stale block computes in the background: the rebuild, and
    so every request (the server answers none while it builds), does not wait for a slow
    demo. The page shows the block's previous result meanwhile; a file in a watched
    folder is touched when a result is ready, and the server builds again."""
    import atexit
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="docexec-ready-"))
    atexit.register(shutil.rmtree, folder, True)
    flag = folder / "ready"
    flag.touch()
    server.watch(str(folder))

    def ready() -> None:
        flag.write_text(str(time.monotonic_ns()))  # a change the watcher sees

    dx.STATE.on_ready = ready
    # SIGTERM ends the server the way Ctrl-C does, so that on_shutdown ends running demos
    signal.signal(signal.SIGTERM, _interrupt)
    global _server
    _server = server
    _poll_often(server.observer)
    _watch_dependencies()
    threading.Thread(target=_start_forkserver, name="docexec-warmup", daemon=True).start()
    return server


def _start_forkserver() -> None:
    """Start the workers' forkserver (it preloads numpy, torch, matplotlib: ~2 s) now, not at
    the author's first edit, which would otherwise wait for it."""
    import multiprocessing.forkserver

    from docexec.isolated import _mp_context  # the context every local call uses

    settings = dx.engine().settings
    if settings.executor == LOCAL and not settings.disabled:
        _mp_context(settings)
        multiprocessing.forkserver.ensure_running()


POLL_SECONDS = 0.05  # a poll takes well under a millisecond for this site's few hundred files


def _poll_often(observer) -> None:
    """MkDocs watches by polling every 0.5 s, a quarter of a second of waiting per save on
    average: poll every POLL_SECONDS instead (the watches made so far, and those to come)."""
    if isinstance(getattr(observer, "_timeout", None), (int, float)):
        observer._timeout = POLL_SECONDS
    for emitter in getattr(observer, "emitters", ()):
        if isinstance(getattr(emitter, "_timeout", None), (int, float)):
            emitter._timeout = POLL_SECONDS


_server = None  # the live-reload server, while serving
_watched: set[Path] = set()


def _watch_dependencies() -> None:
    """Serve rebuilds when any file a result depends on changes, wherever it is: a data file a
    demo reads (benchmarks/results/…) is outside the folders MkDocs watches."""
    engine = dx.engine()
    for folder in sorted(engine.dependency_folders() - _watched):
        _watched.add(folder)
        if folder.is_dir():
            _server.watch(str(folder), recursive=False)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def on_shutdown():
    dx.STATE.on_ready = None
    if dx.STATE.engine is not None:
        dx.STATE.engine.close()  # no demo outlives the build or the server


def _serve_leniently(config) -> None:
    """Serve pages with their errors instead of aborting the rebuild: MkDocs counts warnings
    for ``strict`` with a handler it adds before ``on_config``; remove it for this build."""
    from mkdocs.utils import CountHandler

    config.strict = False
    logger = logging.getLogger("mkdocs")
    for handler in list(logger.handlers):
        if isinstance(handler, CountHandler):
            logger.removeHandler(handler)
    logging.getLogger("mkdocs.docexec").info(
        "docexec: serving without strict mode: failures show as error boxes in their pages "
        "(mkdocs build stays strict)")


def on_build_error(error):
    dx.end_build()


def on_post_build(config):
    dx.end_build()
    logging.getLogger("mkdocs.docexec").info(dx.build_summary())
    if _server is not None:  # a result computed by this build may read a new folder
        _watch_dependencies()
    cache = dx.engine().cache
    target = Path(config.site_dir) / FIGURE_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name in sorted(dx.STATE.figures_used):
        (target / name).write_bytes(cache.figure_bytes(name))
