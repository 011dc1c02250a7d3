"""A Jupyter notebook made from a page: prose cells from its Markdown, code cells from the
snippet sections it includes and the functions it executes, outputs from the result cache.

Its first cell carries the repository files the code needs (``bundle``), so the
notebook runs top to bottom in any folder and re-executes everything the page shows. Nothing is executed here: outputs are the
engine's cached results, so a warm build writes notebooks without running code.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from pathlib import Path

from mdscholar.citations import cite_markdown, default_bibliography

from .bundle import bootstrap_source, bundle_files
from .outputs import KINDS
from .params import arguments, expand, notebook_comment
from .refs import (Ref, ReferenceError_, iter_blocks, module_name, parse_include,
                   parse_options, parse_target)
from .runner import Engine

_FRONT_RE = re.compile(r"^---\n.*?\n---\n", re.S)
_ADMONITION_RE = re.compile(r'^(?:!!!|\?\?\?\+?)\s+(\w+)(?:\s+"([^"]*)")?\s*$')
_ATTR_LIST_RE = re.compile(r"\{\s*\.md-button[^}]*\}")

def snippet_section(root: Path, path: str, section: str | None) -> str:
    """The lines between ``--8<-- [start:section]`` and ``[end:section]`` (dedented)."""
    text = (root / path).read_text(encoding="utf-8")
    if not section:
        return text.rstrip("\n")
    m = re.search(rf"^[ \t]*# --8<-- \[start:{re.escape(section)}\][^\n]*\n(.*?)"
                  rf"^[ \t]*# --8<-- \[end:{re.escape(section)}\]", text, re.S | re.M)
    if not m:
        raise ValueError(f"{path} has no section '{section}'")
    return textwrap.dedent(m.group(1)).rstrip("\n")


def _cell_id(kind: str, index: int, source: str) -> str:
    return f"{kind}-{index}-" + hashlib.sha1(source.encode()).hexdigest()[:8]


class _NotebookContext:
    """What a kind needs to make its notebook output: nbformat, the cell's count, the cache."""

    def __init__(self, engine: Engine, count: int):
        from nbformat.v4 import new_output

        self.new_output, self.count, self._cache = new_output, count, engine.cache

    def figure_svg(self, name: str) -> str:  # notebooks carry their images
        return self._cache.figure_bytes(name).decode("utf-8")


def _outputs(entry: dict | None, engine: Engine, count: int) -> list:
    ctx = _NotebookContext(engine, count)
    return [KINDS[o["kind"]].notebook(o, ctx) for o in (entry or {}).get("outputs", [])]


def _call_source(ref: Ref, entry: dict | None) -> str:
    module, func = ref.module, ref.function
    lines = [f"from {module} import {func}", ""]
    args, others = arguments(ref), notebook_comment(ref)  # params=: the first value's call
    lines += [others] if others else []
    raises = ref.option("raises")
    returns_text = bool(entry) and any(
        o["kind"] == "text" and not o.get("stream") for o in entry["outputs"])
    figure = bool(entry) and any(o["kind"] == "figure" for o in entry["outputs"])
    # a figure shows through the inline backend; ";" keeps Jupyter from showing it twice
    call = f"{func}({args})"
    call = f"print({call})" if returns_text else call + (";" if figure else "")
    if raises:
        lines += ["try:", f"    {call}", f"except {raises} as exc:  # 这里演示的正是这个错误",
                  '    print(f"{type(exc).__name__}: {exc}")']
    else:
        lines.append(call)
    return "\n".join(lines)


def _prose(lines: list[str]) -> str:
    out = []
    for line in lines:
        if line.strip() == "<!-- more -->":
            continue
        m = _ADMONITION_RE.match(line)
        if m:  # Material admonitions become block quotes
            out.append(f"> **{m.group(2) or m.group(1)}**")
            continue
        if out and out[-1].startswith(">") and line.startswith("    "):
            out.append("> " + line[4:])
            continue
        out.append(_ATTR_LIST_RE.sub("", line))
    return "\n".join(out).strip("\n")


def _markdown_cell(source: str, **fields):
    """A cell as ``nbformat.v4.new_markdown_cell`` makes it, but not validated on its own:
    ``page_notebook`` validates the whole notebook once (cell by cell took most of its time)."""
    from nbformat import NotebookNode, from_dict

    cell = NotebookNode(cell_type="markdown", metadata=NotebookNode(), source=source)
    cell.update(from_dict(fields))
    return cell


def _code_cell(source: str, **fields):
    """As ``nbformat.v4.new_code_cell``, validated with its notebook (``_markdown_cell``)."""
    cell = _markdown_cell(source, execution_count=None, outputs=[])
    cell.update(cell_type="code", **fields)
    return cell


def page_notebook(markdown: str, meta: dict, engine: Engine, page: str = "<page>",
                  figures_dir: Path | None = None):
    """The notebook (an ``nbformat`` node) for a page's Markdown (front matter removed or not)."""
    import nbformat
    from nbformat.v4 import new_notebook

    root = engine.settings.root
    markdown = _FRONT_RE.sub("", markdown, count=1)
    # [@key] citations as numbered links (line count unchanged); their list is the last cell
    markdown, references = cite_markdown(markdown, default_bibliography(root))
    title = meta.get("title", "")
    cells = [_markdown_cell(
        f"本 Notebook 由文章《{title}》（`{page}`）生成：正文来自文章，代码来自博客仓库中经过测试的模块，"
        "输出是构建网站时执行的结果。第一个代码单元自带这些模块，在任何文件夹里都能从头运行。", id="intro"),
        _code_cell("", id="setup")]
    prose: list[str] = []
    shown: set[str] = set()  # files whose sections the page includes
    called: list[tuple[Ref, dict | None]] = []  # every executed reference and its result
    count = 0

    def flush():
        text = _prose(prose)
        if text:
            cells.append(_markdown_cell(text, id=_cell_id("md", len(cells), text)))
        prose.clear()

    lines = markdown.splitlines()
    for i, fence in iter_blocks(lines):
        if fence is None:
            if lines[i].startswith("## ") and prose:
                flush()
            prose.append(lines[i])
            continue
        includes = [parse_include(b) for b in fence.body if b.strip()]
        if fence.is_exec and not fence.inert:  # what the page shows as code never runs
            flush()
            try:
                ref = Ref(parse_target("\n".join(fence.body)), page, i + 1,
                          parse_options(fence.info))
            except ReferenceError_:
                continue  # the page's build reports it, with its line; no cell for it
            ref = expand(ref)[0]  # a params= block: its first combination
            entry = engine.cached(ref)
            called.append((ref, entry))
            count += 1
            outputs = _outputs(entry, engine, count)
            source = _call_source(ref, entry)
            cells.append(_code_cell(source, id=_cell_id("exec", len(cells), source),
                                       execution_count=count, outputs=outputs))
        elif includes and all(includes):
            flush()
            source = "\n\n".join(snippet_section(root, inc.path, inc.section)
                                 for inc in includes)
            shown.update(inc.path for inc in includes)
            count += 1
            cells.append(_code_cell(source, id=_cell_id("code", len(cells), source),
                                       execution_count=count))
        else:
            prose.extend(lines[i:fence.end + 1])
    flush()
    if references:
        cells.append(_markdown_cell(references, id=_cell_id("md", len(cells), references)))
    modules = sorted({m for m in (module_name(path, engine.settings.packages) for path in shown)
                      if m})
    files = bundle_files(modules + [ref.module for ref, _ in called],
                         [entry for _, entry in called if entry], engine.settings)
    setup = [bootstrap_source(files)]
    if modules:
        # the page shows parts of a module; load all of it so the parts find their helpers
        setup += ["", "# 文章只展示了模块的一部分：先载入整个模块，下面的代码块才能用到其余的函数",
                  "import importlib", ""]
        for module in modules:
            setup.append(f'globals().update({{k: v for k, v in vars(importlib.import_module('
                         f'"{module}")).items() if not k.startswith("__")}})')
    cells[1].source = "\n".join(setup)
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "title": title,
    })
    nbformat.validate(nb)
    return nb


def notebook_bytes(nb) -> bytes:
    import nbformat

    return (nbformat.writes(nb) + "\n").encode("utf-8")
