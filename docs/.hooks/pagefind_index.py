"""Search: a Pagefind index of the posts, written into the site after the build.

Pagefind (its extended binary, which segments Chinese) splits the index into small chunks:
a reader's first search loads only the chunks of the words it asks for and the excerpts of the
results it shows, so the bytes of a search stay about the same as the blog grows.

- Only post bodies are indexed (``data-pagefind-body`` on the post's article): the tags,
  archive, category, home and source pages list the same words and would outrank the post
  that explains them. Formulas, code, output blocks, tables of results and the
  reproducibility record stay out (``EXCLUDE``).
- Segmentation differs between the two sides: the index is cut by Pagefind's jieba (no user
  dictionary), a query by the browser's ``Intl.Segmenter``, which cuts 重置门 into 重|置|门.
  So each post also carries a ``terms`` field (``data-pagefind-meta``): the blog's technical
  terms it uses (``docs/.dict/jieba_user.txt``), the words of its headings and tags and the
  terms it defines ("术语（English）"), each with all its suffixes (重置门 置门 门). Pagefind
  matches every query word as a prefix, so the post matches however the query is cut, and
  a match in ``terms`` raises its rank (``assets/javascripts/search.js`` sets the weight).
- ``mkdocs build`` fails when indexing fails, naming the cause; ``mkdocs serve`` logs the
  failure, keeps serving, and the search box shows the cause. The binary runs to its end
  within the build (``subprocess.run``): no process outlives it.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import os
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.pagefind")

BUNDLE = "pagefind"
TIMEOUT = 300  # seconds; the real site indexes in under one
# Smaller chunks than Pagefind's default (20000): a query loads ~10 KB per word it asks for
# instead of ~40 KB. Read by the pinned Pagefind 1.5.2 (an "unstable" setting).
CHUNK_SIZE = "5000"
EXCLUDE = [
    "[data-search-exclude]",  # formulas, the 复现信息 record, the notebook button
    ".headerlink",  # the ¶ after each heading
    "div.highlight",  # code and printed output: identifiers and digits, not prose
    ".docexec-table",  # tables of computed numbers
]
# Pagefind writes its own UIs too; the site uses the JS API with Material's search box
UNUSED = ["pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-highlight.js"]

_serving = False
_fields: dict[str, dict[str, str]] = {}  # page source -> its topic and terms fields
_marked: list[str] = []  # output paths of the posts this build marked for indexing

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_HEADING = re.compile(r"<h([1-4])\b[^>]*>(.*?)</h\1>", re.S)
_TAG = re.compile(r"<[^>]+>")
_DEFINED = re.compile(rf"([{_CJK}]+)（([A-Za-z][A-Za-z0-9 .\-]*)）")
_RUN = re.compile(rf"[{_CJK}]+|[A-Za-z][A-Za-z0-9_]*(?:[.\-][A-Za-z0-9_]+)*")
_ARTICLE = '<article class="md-content__inner md-typeset">'


def on_startup(command, dirty):
    global _serving
    _serving = command == "serve"


def on_pre_build(config):
    _fields.clear()
    _marked.clear()


@lru_cache(maxsize=1)
def _dictionary(path: str) -> tuple[list[str], object]:
    """The blog's terms and a jieba tokenizer that keeps them whole."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # not its "Building prefix dict" lines on every build
    words = [line.split()[0] for line in Path(path).read_text(encoding="utf-8").splitlines()
             if line.strip()]
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(path)
    return words, tokenizer


def _dict_path(config) -> str:
    return str(Path(config.docs_dir) / ".dict" / "jieba_user.txt")


def _is_post(page) -> bool:
    return page.file.src_uri.startswith("blog/posts/")


def suffixes(word: str) -> list[str]:
    """A Chinese word and each of its suffixes (one character and up); a Latin word alone."""
    if re.fullmatch(rf"[{_CJK}]+", word):
        return [word[i:] for i in range(len(word))]
    return [word]


def _words(text: str, tokenizer) -> list[str]:
    """The words of ``text``: Chinese as jieba cuts it with the blog's dictionary (two
    characters and up), Latin names whole (nn.GRU, label_smoothing, polars-ols)."""
    words = []
    for run in _RUN.findall(text):
        if re.match(rf"[{_CJK}]", run):
            words += [w for w in tokenizer.cut(run, HMM=False) if len(w) > 1]
        else:
            words.append(run)
    return words


def _expand(terms: list[str]) -> str:
    """Each term's words with their suffixes, once each, in a stable order."""
    out: dict[str, None] = {}
    for term in terms:
        for word in str(term).split():
            for part in suffixes(word.lower()):
                out.setdefault(part.replace(",", ""))
    return " ".join(out)


def post_terms(body_html: str, title: str, tags: list[str], dictionary: list[str],
               tokenizer) -> dict[str, str]:
    """Two searchable fields of a post: ``topic``, what the post is about (its title's words
    and its tags), and ``terms``, what it explains along the way (the blog's dictionary
    terms it uses, the words of its headings, the terms it defines as "术语（English）")."""
    text = html_lib.unescape(_TAG.sub(" ", body_html))
    topic = _words(title, tokenizer) + [str(t) for t in tags]
    terms = [t for t in dictionary if t in text]
    for _, heading in _HEADING.findall(body_html):
        terms += _words(html_lib.unescape(_TAG.sub(" ", heading)), tokenizer)
    for chinese, english in _DEFINED.findall(text):
        terms += _words(chinese, tokenizer)[-1:] + english.split()
    return {"topic": _expand(topic), "terms": _expand(terms)}


def on_page_content(html, page, config, files):
    if _is_post(page):
        dictionary, tokenizer = _dictionary(_dict_path(config))
        tags = page.meta.get("tags") or []
        _fields[page.file.src_uri] = post_terms(html, page.title or "", tags, dictionary,
                                                tokenizer)
    return html


def on_post_page(output, page, config):
    if not _is_post(page):
        return output
    if _ARTICLE not in output:
        message = (f"pagefind_index: {page.file.src_uri} has no {_ARTICLE} to index "
                   "(has Material's post template changed?)")
        if not _serving:
            raise PluginError(message)
        log.error(message)  # serve keeps serving; the index then names no marked post
        return output
    # one field per element: Pagefind reads all after the first colon as the value
    fields = "".join(f'<span hidden data-pagefind-meta="{name}:{html_lib.escape(value)}"></span>'
                     for name, value in _fields.get(page.file.src_uri, {}).items() if value)
    marked = _ARTICLE[:-1] + " data-pagefind-body>" + fields
    _marked.append(getattr(page.file, "dest_uri", None))
    return output.replace(_ARTICLE, marked, 1)


def executable() -> Path:
    """The extended Pagefind binary (it segments Chinese), from its PyPI package."""
    from pagefind_bin_extended import get_executable

    return get_executable()


def index_site(site_dir: Path, timeout: float = TIMEOUT, pages: list[str] | None = None) -> str:
    """Index ``site_dir`` into ``site_dir/pagefind``; the binary's report. Raises
    ``RuntimeError`` naming the cause when indexing fails or finds no post.

    ``pages`` (paths under ``site_dir``), when given, are the only files Pagefind reads: the
    same index, without parsing the ~60 pages that have nothing marked (a third of its time)."""
    try:
        binary = executable()
    except (ImportError, FileNotFoundError) as e:
        raise RuntimeError(f"the Pagefind binary is missing ({e}): "
                           "pip install 'pagefind[extended]==1.5.2'") from e
    args = [str(binary), "--site", str(site_dir), "--output-subdir", BUNDLE]
    for selector in EXCLUDE:
        args += ["--exclude-selectors", selector]
    if pages and not any(set(p) & set("{},*?[]!\\") for p in pages):  # else: all files
        args += ["--glob", pages[0] if len(pages) == 1 else "{" + ",".join(sorted(pages)) + "}"]
    env = {**os.environ, "PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE": CHUNK_SIZE}
    shutil.rmtree(site_dir / BUNDLE, ignore_errors=True)
    try:
        run = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:  # run() has killed and reaped the binary
        raise RuntimeError(f"Pagefind did not finish within {timeout:.0f} s") from e
    except OSError as e:  # not executable, say
        raise RuntimeError(f"the Pagefind binary did not start: {e}") from e
    report = (run.stdout + run.stderr).strip()
    if run.returncode != 0:
        raise RuntimeError(f"Pagefind exited with {run.returncode}:\n{report}")
    pages = re.search(r"Indexed (\d+) pages?", report)
    if "Found a data-pagefind-body element" not in report or not pages or pages.group(1) == "0":
        # without a marked post Pagefind would index every page (tags, archive, sources)
        raise RuntimeError(f"Pagefind indexed no post (none marked data-pagefind-body):\n{report}")
    for name in UNUSED:
        (site_dir / BUNDLE / name).unlink(missing_ok=True)
    return report


def on_post_build(config):
    site_dir = Path(config.site_dir)
    try:
        report = index_site(site_dir, pages=list(_marked) if all(_marked) else None)
    except RuntimeError as e:
        message = f"search index not built: {e}"
        if not _serving:
            raise PluginError(message) from e
        log.error(message)
        # the search box shows why it has nothing (search.js reports a failed import)
        bundle = site_dir / BUNDLE
        bundle.mkdir(parents=True, exist_ok=True)
        (bundle / "pagefind.js").write_text(
            f"throw new Error({json.dumps(message)});\n", encoding="utf-8")
        return
    pages = re.search(r"Indexed (\d+) pages?", report)
    log.info(f"pagefind: {pages.group(0)} into {BUNDLE}/")
