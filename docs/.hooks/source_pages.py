"""Snippet source pages, linked from the code titles.

Every module of the configured packages gets a page of its own (``src/<path>/``,
generated, not in the navigation). A code block titled with a module links to the
line of that page where the shown section starts.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from docexec.build_state import engine
from docexec.page_html import relative_prefix
from docexec.refs import iter_blocks, module_name, parse_include

_TITLE = re.compile(r'title="([^"]+\.py)"')
_FILENAME_SPAN = re.compile(r'<span class="filename">([\w/]+\.py)</span>')
_titled_blocks: dict[str, list[tuple[str, int]]] = {}  # page src_uri -> [(path, first line)]


# a section marker line, "# --8<-- [start:name]"; pymdownx.snippets drops such lines from a page
_MARKER = re.compile(r"^(.*?)(-+8<-+[ \t]+\[[ \t]*(?:start|end)[ \t]*:)", re.M)


def _keep_markers(code: str) -> str:
    """The module with its section markers escaped (``;--8<--``), which pymdownx.snippets shows
    as they are instead of dropping them: the page numbers its lines as the file does, so the
    line a code title links to (``_section_line``, counted in the file) is the one shown."""
    return _MARKER.sub(r"\1;\2", code)


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
    return engine().settings.packages  # configured by docexec_glue's on_config


def on_page_markdown(markdown, page, config, files):
    _remember_titled_blocks(markdown, page, config)
    return markdown


@event_priority(50)  # before the blog plugin and the feeds read the page's HTML
def on_page_content(html, page, config, files):
    return _link_titles(html, page)


def on_files(files, config):
    root = Path(config.config_file_path).parent
    for package in _packages():
        for module in sorted((root / package).rglob("*.py")):
            if module.name == "__init__.py":
                continue
            path = module.relative_to(root).as_posix()
            # tests/ mirrors the packages: snippets/gru/core.py -> tests/gru/test_core.py
            inner = module.relative_to(root / package).parts[:-1]
            tests = Path("tests", *inner, f"test_{module.stem.lstrip('_')}.py").as_posix()
            see = f"测试见 `{tests}`。" if (root / tests).is_file() else ""
            code = _keep_markers(module.read_text(encoding="utf-8"))
            content = (
                "---\nsearch:\n  exclude: true\n---\n\n"
                f"# {path}\n\n本页是模块的完整源码，文章中的代码块都取自这里。{see}\n\n"
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
