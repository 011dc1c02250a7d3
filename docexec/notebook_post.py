"""A blog post authored as a Jupyter notebook, in jupytext's Markdown format.

The post is a Markdown file like the others (front matter, lead, ``<!-- more -->``), whose
front matter also holds jupytext's ``jupyter:`` key: Jupyter opens it as a notebook, and its
``python`` fences are code cells. The build executes it top to bottom in one kernel (cells
share state, unlike ``exec`` blocks) and shows each cell's outputs under it, rendered by the
same output kinds as an ``exec`` block.

The executed notebook is cached under ``<cache>/notebooks/``, keyed by the code cells (not
the prose), every package module they import (transitively), the engine's code, Python and
the key libraries: an edit to prose re-executes nothing, an edit to code or to a module it
imports re-executes it. A failing cell or one writing to stderr is an error at its
page:line. Cells tagged ``remove_cell`` run but are not shown.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .bundle import bootstrap_source, bundle_files
from .cache import CacheError, ResultCache
from .deps import code_dependencies, engine_fingerprint, package_version
from .outputs import KINDS, sanitize_html
from .refs import iter_blocks, module_name
from .settings import Settings

HIDDEN = "remove_cell"  # the tag of a cell that runs but is not shown
# run before the author's cells, then dropped: the project's packages come first on the path
# (not another checkout's on PYTHONPATH), and tables render as an exec block's do
_SETUP = """\
import sys as _sys
_sys.path.insert(0, {root!r})
import pandas as _pd
from docexec.values import table_output as _table
_html = get_ipython().display_formatter.formatters["text/html"]
for _type in (_pd.DataFrame, _pd.Series):
    _html.for_type(_type, lambda value: _table(value)["html"])
"""
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_memory: dict[str, object] = {}  # executed notebooks of this process, by key


def is_notebook_post(meta: dict) -> bool:
    """Whether a page's front matter marks it as a jupytext notebook."""
    return isinstance(meta.get("jupyter"), dict)


def is_notebook_file(path: Path) -> bool:
    """Whether the Markdown file at ``path`` is a post authored as a notebook."""
    import yaml

    m = re.match(r"^---\n(.*?)\n---\n", path.read_text(encoding="utf-8"), re.S)
    try:
        meta = yaml.safe_load(m.group(1)) if m else None
    except yaml.YAMLError:
        return False
    return isinstance(meta, dict) and is_notebook_post(meta)


@dataclass
class CellFailure:
    """Why a notebook post has no executed result: the cell, its line, the error."""

    page: str
    line: int
    error: str
    traceback: str = ""

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}" if self.line else self.page

    def report(self) -> str:
        text = f"docexec: {self.where}: the notebook cell failed: {self.error}"
        return text + ("\n" + self.traceback.rstrip() if self.traceback else "")


def read_notebook(path: Path):
    """The jupytext notebook at ``path`` (a copy: executing it inserts a set-up cell)."""
    import copy

    return copy.deepcopy(_parsed_notebook(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=32)
def _parsed_notebook(text: str):
    """Parsed once per text: a build asks for the page, its notebook and its record."""
    import jupytext

    return jupytext.reads(text, fmt="md")


def _code(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def notebook_key(nb, settings: Settings) -> str:
    """The content address of a notebook's outputs: its code, not its prose."""
    code = [(c.source, sorted(c.metadata.get("tags", []))) for c in _code(nb)]
    files: dict[str, str] = {}
    for cell in _code(nb):
        try:
            files.update(code_dependencies(cell.source, settings))
        except SyntaxError:  # IPython syntax (magics): the kernel reports it if it is wrong
            pass
    payload = {"engine": engine_fingerprint(), "code": code, "files": files,
               "python": "%d.%d" % sys.version_info[:2],
               "packages": {p: package_version(p) for p in settings.key_packages}}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _cell_lines(path: Path) -> list[int]:
    """1-based lines of the code fences in a jupytext Markdown file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [i + 1 for i, fence in iter_blocks(lines)
            if fence is not None and fence.info.split()[:1] == ["python"]]


def executed(path: Path, page: str, settings: Settings):
    """The notebook at ``path`` with its outputs (from the cache, or executed now), or a
    ``CellFailure`` naming the cell's page:line."""
    import nbformat

    nb = read_notebook(path)
    key = notebook_key(nb, settings)
    if key in _memory and not settings.force:
        return _memory[key]
    cache = ResultCache(settings.cache_dir)
    stored = f"notebooks/{key}.ipynb"
    if not settings.force:
        try:
            done = nbformat.reads(cache.read(stored).decode("utf-8"), as_version=4)
            nbformat.validate(done)
            _memory[key] = done
            return done
        except Exception:  # absent, corrupt or foreign: executed (again)
            pass
    outcome = _execute(nb, path, page, settings)
    if not isinstance(outcome, CellFailure):
        try:
            cache.write(stored, (nbformat.writes(outcome) + "\n").encode("utf-8"))
        except OSError as exc:
            raise CacheError(f"cannot write the result cache at {cache.dir}: "
                             f"{type(exc).__name__}: {exc}") from exc
        _memory[key] = outcome
    return outcome


def _execute(nb, path: Path, page: str, settings: Settings):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    setup = nbformat.v4.new_code_cell(_SETUP.format(root=str(settings.root)), id="docexec-setup")
    nb.cells.insert(0, setup)
    client = NotebookClient(nb, timeout=settings.timeout, kernel_name="python3",
                            record_timing=False,  # no clock in the page or its notebook
                            # the kernel's own log (its TCP notice) is not the build's business
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(settings.root)}})
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        cells = [c for c in _code(nb) if c is not setup]  # the author's, in file order
        index = next((i for i, c in enumerate(cells)
                      if any(o.output_type == "error" for o in c.get("outputs", []))), None)
        if index is None:  # a timeout or a dead kernel: the first cell that did not finish
            index = next((i for i, c in enumerate(cells) if c.get("execution_count") is None),
                         None)
        lines = _cell_lines(path)
        line = lines[index] if index is not None and index < len(lines) else 0
        message = _ANSI.sub("", str(exc)).strip()
        first = message.splitlines()[-1] if message else type(exc).__name__
        return CellFailure(page, line, f"{type(exc).__name__}: {first}", message)
    finally:
        nb.cells.remove(setup)
    lines = _cell_lines(path)
    for i, cell in enumerate(_code(nb)):
        for o in cell.outputs:
            if o.output_type == "stream" and o.name == "stderr":
                line = lines[i] if i < len(lines) else 0
                return CellFailure(page, line, "the cell wrote to stderr (a warning?): "
                                   + o.text.strip().splitlines()[-1])
    return nb


# --- the page ------------------------------------------------------------------------------

def _output(o) -> dict:
    """An nbformat output as one of the engine's output kinds."""
    if o.output_type == "stream":
        return {"kind": "text", "text": o.text}
    data = o.get("data", {})
    if "text/markdown" in data:
        return {"kind": "markdown", "markdown": data["text/markdown"]}
    if "text/html" in data:
        return {"kind": "table", "html": sanitize_html(data["text/html"]),
                "text": data.get("text/plain", "")}
    if "text/plain" in data:
        return {"kind": "text", "text": data["text/plain"]}
    raise ValueError(f"a notebook output of type {sorted(data)} cannot be shown; return a "
                     "matplotlib figure from an exec block instead")


@dataclass(frozen=True)
class _Context:
    prefix: str = ""
    alt: str | None = None


def post_markdown(nb) -> str:
    """The page: prose cells as they are, each code cell as a code block with its outputs.
    A Markdown output goes into the page's own Markdown (its code blocks are highlighted
    like the page's); the other kinds are HTML, as an exec block shows them."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        elif cell.cell_type == "code" and HIDDEN not in cell.metadata.get("tags", []):
            parts.append(f"```python\n{cell.source}\n```")
            for o in map(_output, cell.get("outputs", [])):
                if o["kind"] == "markdown":
                    parts.append(f'<div class="docexec docexec-markdown" markdown>\n\n'
                                 f'{o["markdown"].strip()}\n\n</div>')
                else:
                    parts.append(f'<div class="docexec" data-search-exclude>\n'
                                 f'{KINDS[o["kind"]].html(o, _Context())}\n</div>')
    return "\n\n".join(parts) + "\n"


def snapshot(nb) -> str:
    """What an approved snapshot of a notebook post holds: each shown cell's outputs, in order."""
    parts = []
    for i, cell in enumerate(c for c in _code(nb) if HIDDEN not in c.metadata.get("tags", [])):
        shown = [_output(o) for o in cell.get("outputs", [])]
        if shown:
            parts.append(f"[cell {i + 1}]\n" + "\n\n".join(
                KINDS[o["kind"]].snapshot(o, None) for o in shown))
    return "\n\n".join(parts) + "\n"


_SPLIT = "\n\n<!-- docexec: next cell -->\n\n"


def _cite(nb, settings: Settings) -> None:
    """[@key] citations in the prose cells as numbers, numbered across the notebook as on the
    page, and the reference list as the last cell."""
    import nbformat
    from mdscholar.citations import cite_markdown, default_bibliography

    prose = [c for c in nb.cells if c.cell_type == "markdown"]
    text, references = cite_markdown(_SPLIT.join(c.source for c in prose),
                                     default_bibliography(settings.root))
    for cell, source in zip(prose, text.split(_SPLIT)):
        cell.source = source
    if references:
        nb.cells.append(nbformat.v4.new_markdown_cell(references))


def download(nb, settings: Settings):
    """The notebook a reader downloads: outputs kept, hidden cells dropped, and a first cell
    that carries the repository modules its code imports, so it runs in any folder."""
    import copy

    import nbformat

    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells
                 if c.cell_type != "raw" and HIDDEN not in c.metadata.get("tags", [])]
    _cite(out, settings)
    modules = set()
    for cell in _code(out):
        try:
            modules.update(code_dependencies(cell.source, settings))
        except SyntaxError:
            pass
    names = sorted({m for m in (module_name(p, settings.packages) for p in modules) if m})
    setup = nbformat.v4.new_code_cell(bootstrap_source(bundle_files(names, [], settings)),
                                      id="setup")
    out.cells.insert(0, setup)
    for i, cell in enumerate(out.cells):  # stable ids: two builds write the same file
        cell.id = f"cell-{i}"
    out.metadata.pop("jupyter", None)
    out.metadata.pop("jupytext", None)
    nbformat.validate(out)
    return out
