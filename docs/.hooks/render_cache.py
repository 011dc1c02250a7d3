"""``mkdocs serve``: a page whose inputs did not change since the last rebuild is not
converted from Markdown again, and neither is a post's excerpt on the blog's index pages.

MkDocs rebuilds the whole site on every save, converting each of ~70 pages (and each post
again for every index page that shows its excerpt). While serving, this hook keeps each
conversion with everything it was computed from, and reuses it only when all of that is
unchanged:

- the page's Markdown as the hooks left it, its metadata, URL and output path;
- the site's files and URLs (links are resolved against them), ``mkdocs.yml`` and the
  bibliography;
- every file the conversion opened (an include, say), by content;
- the cache key of each exec block's result, and only when every result was ready: a page
  with a pending, failed or malformed block is always converted again;
- for an excerpt, also its post's HTML as converted in this build and the index page's URL.

Compiled theme templates are kept too (Jinja checks each against its source). A reused page replays what its conversion left for the rest of the build: the figures its
blocks use and the count of rendered blocks. ``mkdocs build`` does not use this hook: each
build converts every page, and a page's warnings are logged by every build.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path

import jinja2

import docexec.build_state as dx
from docexec.deps import current_hash
from docexec.reads import file_hashes, ready_keys, recording, signature, unchanged
from mdscholar.citations import default_bibliography

_serving = False
_pages: dict[str, dict] = {}  # src_uri -> the last conversion and what it was computed from
_excerpts: dict[tuple, dict] = {}  # (post src_uri, view url) -> the last excerpt conversion
_site: dict[int, str] = {}  # id(files) -> digest of the files, the config and bibliography
STATS = {"converted": 0, "reused": 0, "excerpts_converted": 0, "excerpts_reused": 0}  # this build


def on_startup(command, dirty):
    global _serving
    _serving = command == "serve"
    if _serving:
        _install()


def on_pre_build(config):
    _site.clear()
    STATS.update(dict.fromkeys(STATS, 0))


class _Templates(jinja2.BytecodeCache):
    """Compiled theme templates kept between rebuilds (Jinja checks each against its source)."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket):
        self._code[bucket.key] = bucket.bytecode_to_string()


_templates = _Templates()


def on_post_build(config):
    if _serving:
        logging.getLogger("mkdocs.render_cache").info(
            "render cache: %d pages converted, %d reused; excerpts: %d converted, %d reused",
            STATS["converted"], STATS["reused"], STATS["excerpts_converted"],
            STATS["excerpts_reused"])


_installed = False


def _install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    from material.plugins.blog.structure import Excerpt
    from mkdocs.structure.pages import Page
    from mkdocs.theme import Theme

    page_render, excerpt_render, get_env = Page.render, Excerpt.render, Theme.get_env

    def theme_env(self):  # also the environments the blog plugin makes to translate a label
        env = get_env(self)
        if _serving:
            env.bytecode_cache = _templates
        return env

    def render(self, config, files):
        if not _serving or isinstance(self, Excerpt):
            return page_render(self, config, files)
        return _render_page(self, config, files, page_render)

    def render_excerpt(self, page, separator):
        if not _serving:
            return excerpt_render(self, page, separator)
        return _render_excerpt(self, page, separator, excerpt_render)

    Page.render, Excerpt.render, Theme.get_env = render, render_excerpt, theme_env


def _site_digest(config, files) -> str:
    """The files and URLs of the site, ``mkdocs.yml`` and the bibliography, once per build."""
    if id(files) not in _site:
        names = sorted((f.src_uri, f.url, f.dest_uri) for f in files)
        extra = [Path(config.config_file_path)]
        bib = default_bibliography(dx.engine().settings.root)  # read once per version
        if bib:
            extra.append(Path(bib))
        _site.clear()
        _site[id(files)] = signature(names, [(str(p), current_hash(p)) for p in extra])
    return _site[id(files)]


def _results_state(page) -> list | None:
    """The cache keys of the page's exec blocks, or None when any result is not ready."""
    context = dx.STATE.page
    if context.src_path is None or Path(context.src_path) != Path(page.file.abs_src_path or ""):
        return None if page.file.abs_src_path else []
    if context.malformed or context.unclosed or context.errors:
        return None
    return ready_keys(dx.engine(), context.refs)


def _render_page(page, config, files, render) -> None:
    state = _results_state(page)
    inputs = None if state is None else signature(
        page.markdown, page.meta, page.url, page.file.src_uri, page.file.dest_uri,
        dx.STATE.show_tracebacks, state, _site_digest(config, files))
    entry = _pages.get(page.file.src_uri)
    if inputs is not None and entry and entry["signature"] == inputs \
            and unchanged(entry["reads"]):
        _replay(page, entry, files)
        STATS["reused"] += 1
        return
    STATS["converted"] += 1
    figures, rendered, failures = dx.STATE.figures_used, dx.STATE.rendered, len(dx.STATE.failures)
    dx.STATE.figures_used = set()
    try:
        with recording() as opened:
            render(page, config, files)
    finally:
        used, dx.STATE.figures_used = dx.STATE.figures_used, figures | dx.STATE.figures_used
    clean = (inputs is not None and len(dx.STATE.failures) == failures
             and not dx.STATE.page.unrendered() and _results_state(page) == state)
    if not clean:
        _pages.pop(page.file.src_uri, None)
        return
    _pages[page.file.src_uri] = {
        "signature": inputs, "figures": used,
        "reads": file_hashes(opened, dx.engine().settings.root, [dx.engine().settings.cache_dir]),
        "rendered": dx.STATE.rendered - rendered, "content": page.content,
        "toc": copy.deepcopy(page.toc), "title": page._title_from_render,
        "anchors": set(page.present_anchor_ids or ()),
        "links": {f.src_uri: dict(links) for f, links in (page.links_to_anchors or {}).items()},
    }


def _replay(page, entry, files) -> None:
    page.content = entry["content"]
    page.toc = copy.deepcopy(entry["toc"])  # the blog plugin appends to an index page's toc
    page._title_from_render = entry["title"]
    page.present_anchor_ids = set(entry["anchors"])
    links = {files.get_file_from_path(src): dict(v) for src, v in entry["links"].items()}
    page.links_to_anchors = {f: v for f, v in links.items() if f is not None}
    dx.STATE.figures_used.update(entry["figures"])
    dx.STATE.rendered += entry["rendered"]
    context = dx.STATE.page  # its fences count as rendered, as they were when converted
    context.lines, context.malformed = {}, []


def _render_excerpt(excerpt, view, separator, render) -> None:
    post = excerpt.post
    site = next(iter(_site.values()), None)  # this build's, from the pages converted before
    inputs = signature(post.markdown, post.content, post.title, post.url, post.file.src_uri,
                        view.url, separator, site)
    entry = _excerpts.get((post.file.src_uri, view.url))
    if site is not None and entry is not None and entry["signature"] == inputs:
        excerpt.markdown, excerpt.content = entry["markdown"], entry["content"]
        excerpt.more, excerpt.toc = entry["more"], copy.deepcopy(entry["toc"])
        STATS["excerpts_reused"] += 1
        return
    STATS["excerpts_converted"] += 1
    render(excerpt, view, separator)
    _excerpts[(post.file.src_uri, view.url)] = {
        "signature": inputs, "markdown": excerpt.markdown, "content": excerpt.content,
        "more": excerpt.more, "toc": copy.deepcopy(excerpt.toc)}

