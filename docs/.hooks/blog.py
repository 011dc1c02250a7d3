"""Blog details that Material does not do for Chinese text.

- reading time: Material counts a run of Chinese characters as one word, so a
  long Chinese post reads as "1 分钟"; here Chinese is counted per character;
- the home page lists the latest posts where it says ``<!-- latest-posts -->``;
- every snippet module gets a page of its own (``src/snippets/<name>/``, generated, not in
  the navigation) and each code block titled with a module links to its section there.
"""

from __future__ import annotations

import html as html_lib
import math
import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.utils import meta as meta_util

import docexec.extension as dx
from docexec.extension import relative_prefix
from docexec.refs import iter_blocks, module_name, parse_include
from post_dates import post_date  # docs/.hooks/ is on the path while hooks load

CJK_PER_MINUTE = 300  # characters of technical Chinese prose
WORDS_PER_MINUTE = 200  # Latin words, code and numbers
SECONDS_PER_FIGURE = 10

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z0-9_]+(?:[.'’-][A-Za-z0-9_]+)*")
_TAG = re.compile(r"<[^>]+>")
_DROP = re.compile(r"<(script|style|svg)\b.*?</\1>|<span class=\"katex-mathml\">.*?</span>", re.S)


def reading_minutes(html: str) -> int:
    """Minutes to read a page's HTML: Chinese per character, other text per word."""
    figures = (html.count("<img") + 1) // 2  # a light and a dark variant count once
    text = _TAG.sub(" ", _DROP.sub(" ", html))
    cjk = len(_CJK.findall(text))
    words = len(_WORD.findall(_CJK.sub(" ", text)))
    seconds = cjk / CJK_PER_MINUTE * 60 + words / WORDS_PER_MINUTE * 60 + figures * SECONDS_PER_FIGURE
    return max(1, math.ceil(seconds / 60))


@event_priority(50)  # before the blog plugin, which keeps a reading time that is already set
def on_page_content(html, page, config, files):
    post_config = getattr(page, "config", None)
    if post_config is not None and hasattr(post_config, "readtime") and not page.meta.get("readtime"):
        post_config.readtime = reading_minutes(html)
    return _link_titles(html, page)


def latest_posts(files, limit: int = 5) -> str:
    posts = []
    for f in files.documentation_pages():
        if not f.src_uri.startswith("blog/posts/"):
            continue
        source, meta = meta_util.get_data(f.content_string)
        title = meta.get("title") or next(
            (ln[2:].strip() for ln in source.splitlines() if ln.startswith("# ")), f.name)
        posts.append((post_date(meta.get("date")), title, f.src_uri, meta.get("description", "")))
    posts.sort(key=lambda p: (p[0], p[2]), reverse=True)
    lines = []
    for when, title, uri, description in posts[:limit]:
        lines.append(f"- **[{title}]({uri})** · {when.year} 年 {when.month} 月 {when.day} 日  \n"
                     f"  {description}")
    return "\n".join(lines) or "（还没有文章）"


def on_page_markdown(markdown, page, config, files):
    _remember_titled_blocks(markdown, page, config)
    if "<!-- latest-posts -->" in markdown:
        markdown = markdown.replace("<!-- latest-posts -->", latest_posts(files))
    return markdown


# --- snippet source pages ------------------------------------------------------------------------

_TITLE = re.compile(r'title="([^"]+\.py)"')
_FILENAME_SPAN = re.compile(r'<span class="filename">([\w/]+\.py)</span>')
_titled_blocks: dict[str, list[tuple[str, int]]] = {}  # page src_uri -> [(path, first line)]


def _source_uri(path: str) -> str:
    return "src/" + path[:-3] + ".md"  # snippets/gru.py -> src/snippets/gru.md


def _section_line(root: Path, path: str, section: str | None) -> int:
    if not section:
        return 1
    for number, line in enumerate((root / path).read_text(encoding="utf-8").splitlines(), 1):
        if f"[start:{section}]" in line:
            return number + 1
    return 1


def _packages() -> tuple[str, ...]:
    return dx.engine().settings.packages  # configured by docexec_glue's on_config


def on_files(files, config):
    root = Path(config.config_file_path).parent
    for package in _packages():
        for module in sorted((root / package).rglob("*.py")):
            if module.name == "__init__.py":
                continue
            path = module.relative_to(root).as_posix()
            code = module.read_text(encoding="utf-8")
            content = (
                "---\nsearch:\n  exclude: true\n---\n\n"
                f"# {path}\n\n本页是模块的完整源码，文章中的代码块都取自这里。"
                f"测试见 `tests/test_{module.stem}.py`。\n\n"
                f'````python linenums="1"\n{code}\n````\n')
            files.append(File.generated(config, _source_uri(path), content=content))
    return files


def _remember_titled_blocks(markdown, page, config):
    """Code blocks titled with the module they include: (module path, first shown line)."""
    root = Path(config.config_file_path).parent
    blocks = []
    for _, fence in iter_blocks(markdown.splitlines()):
        title = _TITLE.search(fence.info) if fence is not None else None
        if title is None or module_name(title[1], _packages()) is None:
            continue
        first = next((parse_include(b) for b in fence.body if b.strip()), None)
        if first is not None and first.path == title[1]:
            blocks.append((first.path, _section_line(root, first.path, first.section)))
    _titled_blocks[page.file.src_uri] = blocks


def _link_titles(html, page):
    blocks = list(_titled_blocks.get(page.file.src_uri, []))
    prefix = relative_prefix(page.url)

    def link(match):
        path = match.group(1)
        line = next((ln for p, ln in blocks if p == path), 1)
        if blocks and blocks[0][0] == path:
            line = blocks.pop(0)[1]
        target = f"{prefix}src/{path[:-3]}/#__codelineno-0-{line}"
        return (f'<span class="filename"><a href="{html_lib.escape(target)}" '
                f'title="查看完整源码">{path}</a></span>')

    return _FILENAME_SPAN.sub(link, html)


def _toc_ids(items):
    for item in items:
        yield item.id
        yield from _toc_ids(item.children)


@event_priority(-50)
def on_post_page(output, page, config):
    output = _sized_avatar(output)
    if page.file.src_uri.endswith((".py", ".ipynb")):
        output = _notebook_heading_ids(output, page)
        # jupytext gives cells random ids on every conversion: number them instead,
        # so that two clean builds write the same page
        counter = iter(range(1, 100_000))
        output = re.sub(r'id="cell-id=[0-9a-f]+"', lambda m: f'id="cell-id={next(counter)}"',
                        output)
    return output


def _sized_avatar(output):
    # Material's author avatar has no size: give it one so the layout does not shift
    return re.sub(r'<img (src="[^"]*avatar\.svg"[^>]*?)>',
                  lambda m: m.group(0) if "width=" in m.group(1)
                  else f'<img {m.group(1)} width="32" height="32">', output)


def _notebook_heading_ids(output, page):
    """mkdocs-jupyter gives Chinese headings an empty id while its table of contents links
    to "_1", "_2", …: hand those ids to the empty headings, in order."""
    missing = iter([i for i in _toc_ids(page.toc) if f'id="{i}"' not in output])

    def fill(m):
        anchor = next(missing, None)
        if anchor is None:
            return m.group(0)
        rest = m.group(3).replace('href="#"', f'href="#{anchor}"', 1)
        return f'<h{m.group(1)} id="{anchor}"{m.group(2)}>{rest}</h{m.group(1)}>'

    return re.sub(r'<h([1-6]) id=""([^>]*)>(.*?)</h\1>', fill, output, flags=re.S)
