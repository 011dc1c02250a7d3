"""Cache keys: what a reference's result depends on.

The key of ``snippets.gru.page:plot_training`` hashes the source of ``snippets/gru/page.py``,
of every module of the configured packages that it imports (transitively, with
the packages' ``__init__.py``), of data files those modules name in string
literals (``"benchmarks/results/apriori.json"``), the engine's own source, the
Python version and the versions of the key libraries. The page's prose is not
part of it, so editing prose re-executes nothing.

That static scan is a first guess. What a call really read (files opened under the
project, repository modules imported, however their names were built) is recorded
while it runs (``observe``) and stored with the entry by hash; ``observed_changes``
tells the runner which of them changed since, and such an entry is stale.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from . import __version__
from .refs import Ref
from .settings import Settings

_ENGINE_DIR = Path(__file__).resolve().parent


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# The engine's files that can change a result: the call and its capture in the worker, how
# values become outputs and figures, what a call is observed to read, how a result is cleaned
# and stored, how a notebook post is executed, and the key itself. Rendering, the notebook
# writer, the CLI, the hooks' glue and the pytest plugin are left out: editing them re-executes
# nothing. tests/test_engine_fingerprint.py checks that the worker's imports stay inside.
RESULT_FILES = ("__init__.py", "worker.py", "values.py", "outputs.py", "figures.py",
                "figure_data.py", "observe.py", "deps.py", "runner.py", "notebook_post.py",
                "memo.py", "isolated.py")


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """The engine version plus a hash of the engine files that make results, and the font."""
    h = hashlib.sha256(__version__.encode())
    files = [_ENGINE_DIR / name for name in RESULT_FILES]
    for path in files + sorted(_ENGINE_DIR.glob("fonts/*.otf")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=64)
def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def module_file(module: str, root: Path) -> Path | None:
    """The source file of a module under ``root``, or None when there is none."""
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_modules(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Absolute names of every module an AST imports (relative imports resolved)."""
    names: set[str] = set()
    pkg_parts = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = pkg_parts[: len(pkg_parts) - node.level + 1]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base:
                names.add(base)
            # `from pkg import name` may import a submodule called name
            names.update(f"{base}.{alias.name}" for alias in node.names if base)
    return names


_PATH_LITERAL = re.compile(r"^[\w.\-/]+\.\w{1,8}$")


def _path_literals(tree: ast.AST) -> set[str]:
    """String literals that look like a data file's path (``"benchmarks/results/x.json"``)."""
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and len(node.value) <= 240 and _PATH_LITERAL.match(node.value)
            and not node.value.endswith(".py")}


def _data_files(literals, source: Path, root: Path) -> set[Path]:
    """Files that path literals may name, relative to the project root or the module.

    Candidates, not only existing files: a data file created later (a benchmark's
    results) must still change the key of the module that reads it.
    """
    files: set[Path] = set()
    for s in literals:
        for base in (root, source.parent):
            p = Path(os.path.normpath(base / s))
            if root in p.parents:
                files.add(p)
    return files


# A module's imports and path literals by its content: a fresh process (each `mkdocs build`)
# reads them from .cache/imports instead of parsing ~60 modules again
_parsed = None


def _parsed_names(data: bytes, digest: str, module: str, is_package: bool,
                  root: Path) -> tuple[list[str], list[str]]:
    """``(imported modules, path literals)`` of one source text."""
    global _parsed
    from .cache import TextStore  # not at the top: the worker imports this module too

    if _parsed is None:
        _parsed = TextStore()
    _parsed.folder = root / ".cache" / "imports"
    key = sha256_bytes(json.dumps([engine_fingerprint(), sys.version, digest, module,
                                   is_package]).encode())

    def parse() -> dict:
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):  # the worker reports it (ValueError: a null byte)
            return {"imports": [], "literals": []}
        return {"imports": sorted(_imported_modules(tree, module, is_package)),
                "literals": sorted(_path_literals(tree))}

    def valid(found) -> bool:
        return (isinstance(found, dict) and all(
            isinstance(found.get(k), list) and all(isinstance(x, str) for x in found[k])
            for k in ("imports", "literals")))

    found = _parsed.value(key, parse, valid)
    return found["imports"], found["literals"]


@lru_cache(maxsize=4096)
def _file_info(path: Path, module: str, root: Path, stamp: tuple) -> tuple:
    """Hash, imported modules and named data files of one source file version.

    ``stamp`` (mtime, size) makes an edited file a new cache entry: a warm build
    parses each module once, not once per reference.
    """
    data = path.read_bytes()
    digest = sha256_bytes(data)
    imports, literals = _parsed_names(data, digest, module, path.name == "__init__.py", root)
    return digest, frozenset(imports), frozenset(_data_files(literals, path, root))


@lru_cache(maxsize=4096)
def _data_hash(path: Path, stamp: tuple) -> str:
    return sha256_bytes(path.read_bytes())


def module_imports(path: Path, module: str, root: Path) -> frozenset[str]:
    """The absolute names of the modules a source file imports (parsed once per version)."""
    return _file_info(path, module, root, file_stamp(path))[1]


def file_stamp(path: Path) -> tuple:
    """(mtime, size, inode): a new value when the file was written or replaced."""
    st = path.stat()
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def current_hash(path: Path) -> str:
    """A file's sha256 now ("missing" when it is gone), re-read only when its stat changed."""
    try:
        return _data_hash(path, file_stamp(path))
    except FileNotFoundError:
        return "missing"
    except OSError:  # a directory now, unreadable: changed as far as a result is concerned
        return "unreadable"


def observed_changes(observed: dict[str, str], root: Path) -> list[str]:
    """The files among a result's observed dependencies (``observe``) that changed or vanished.

    Cheap on a warm build: a file is hashed again only when its (mtime, size, inode) changed.
    """
    return [rel for rel, digest in observed.items() if current_hash(root / rel) != digest]


def dependency_files(module: str, settings: Settings) -> dict[str, str]:
    """``{relative path: sha256}`` of every file the module's result depends on.

    A module that does not exist yet appears as ``{path: "missing"}``, so
    creating it changes the key.
    """
    root = settings.root
    out: dict[str, str] = {}
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        if parts[0] not in settings.packages:
            continue
        # importing a.b.c runs a/__init__.py and a/b/__init__.py first
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        path = module_file(name, root)
        if path is None:
            if name == module:
                out[name.replace(".", "/") + ".py"] = "missing"
            continue
        digest, imports, data_files = _file_info(path, name, root, file_stamp(path))
        out[path.relative_to(root).as_posix()] = digest
        todo.extend(imports)
        for f in data_files:
            if f.is_file():
                out[f.relative_to(root).as_posix()] = _data_hash(f, file_stamp(f))
    return dict(sorted(out.items()))


def cache_key(ref: Ref, settings: Settings, files: dict[str, str] | None = None) -> str:
    """The content address of a reference's result (``files``: its module's
    ``dependency_files``, when the caller has them already)."""
    payload = {
        "engine": engine_fingerprint(),
        "target": ref.target,
        "raises": ref.option("raises"),
        "python": "%d.%d" % sys.version_info[:2],
        "packages": {p: package_version(p) for p in settings.key_packages},
        "files": dependency_files(ref.module, settings) if files is None else files,
    }
    if ref.option("kwargs"):  # one combination of a params= grid (a block without: as before)
        payload["kwargs"] = ref.option("kwargs")
    return sha256_bytes(json.dumps(payload, sort_keys=True).encode())


def code_dependencies(code: str, settings: Settings) -> dict[str, str]:
    """Dependency hashes of Python code (a notebook's cells): every package module it imports."""
    tree = ast.parse(code)
    out: dict[str, str] = {}
    for name in sorted(_imported_modules(tree, "__main__", False)):
        if name.split(".")[0] in settings.packages and module_file(name, settings.root):
            out.update(dependency_files(name, settings))
    return dict(sorted(out.items()))
