"""MkDocs glue for the docexec engine (everything else lives in the engine package).

- before a build: run every reference of every page in parallel (stale ones only);
- before each page: tell the fence formatter which page it renders;
- each page with executed results also becomes a Jupyter notebook (from the cache, nothing
  runs), written next to the page and linked from it ("下载 Notebook");
- after the build: copy the figures the pages use into the site.
"""

from __future__ import annotations

import hashlib
import logging
import json
import shutil
from pathlib import Path

import docexec.extension as dx
from docexec.deps import script_dependencies
from docexec.outputs import FIGURE_DIR
from docexec.notebook import notebook_bytes, page_notebook
from docexec.refs import scan_file, scan_tree
from docexec.settings import Settings

_serving = False
EXT = "docexec.extension"
_notebooks: dict[str, bytes] = {}  # site-relative path -> notebook JSON


def on_startup(command, dirty):
    global _serving
    _serving = command == "serve"


def on_config(config):
    root = Path(config.config_file_path).resolve().parent
    options = config.mdx_configs.setdefault(EXT, {})
    options.setdefault("root", str(root))
    engine = dx.configure(Settings.resolve(config=options))
    _key_notebook_cache(config, engine.settings)
    return config


def _key_notebook_cache(config, settings):
    """mkdocs-jupyter keys its cache on the notebook's bytes only; a notebook that imports
    ``snippets`` must re-execute when those modules change, so the folder carries their hash."""
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is None:
        return
    deps = {}
    for script in sorted(Path(config.docs_dir).glob("notebooks/*.py")):
        deps[script.name] = script_dependencies(script, settings)
    digest = hashlib.sha256(json.dumps(deps, sort_keys=True).encode()).hexdigest()[:16]
    base = Path(plugin.config["cache_dir"])
    if base.name != digest:
        plugin.config["cache_dir"] = str(base / digest)


def on_pre_build(config):
    # tracebacks go to the page only while serving; a published page shows none
    dx.begin_build(show_tracebacks=_serving)
    _notebooks.clear()
    engine = dx.engine()
    if engine.settings.disabled:
        return
    scanned = scan_tree(Path(config.docs_dir), engine.settings.root)
    engine.run([s.ref for s in scanned if s.ref is not None])


def _notebook_name(page) -> str:
    return (page.meta.get("slug") or Path(page.file.src_uri).stem) + ".ipynb"


def on_page_markdown(markdown, page, config, files):
    engine = dx.engine()
    if page.file.abs_src_path is None:  # a generated page (the snippet sources) has no refs
        dx.set_page(None)
        return markdown
    dx.set_page(page.file.abs_src_path, page.url, engine.settings.root)
    if not engine.settings.disabled and page.file.src_uri.endswith(".md") and any(
            s.ref for s in scan_file(Path(page.file.abs_src_path), engine.settings.root)):
        nb = page_notebook(markdown, page.meta, engine, dx.STATE.page.src)
        _notebooks[page.url + _notebook_name(page)] = notebook_bytes(nb)
    return markdown


def on_page_content(html, page, config, files):
    dx.set_page(None)
    if page.url + _notebook_name(page) in _notebooks:
        link = (f'<p class="docexec-notebook" data-search-exclude>'
                f'<a class="md-button" href="{_notebook_name(page)}" '
                f'download>下载 Notebook</a></p>')
        head, sep, rest = html.partition("</h1>")
        html = head + sep + link + rest if sep else link + html
    return html


def on_post_build(config):
    logging.getLogger("mkdocs.docexec").info(dx.build_summary())
    source = dx.engine().cache.figures
    target = Path(config.site_dir) / FIGURE_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name in sorted(dx.STATE.figures_used):
        shutil.copyfile(source / name, target / name)
    for rel, data in sorted(_notebooks.items()):
        out = Path(config.site_dir) / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
