"""The reproducibility record of a page: what its results were computed from.

The commit the site was built from (and whether tracked files had changes), Python, the
versions of the libraries the page's modules import, the CPU kernel level torch picks here,
and each block's cache key (short). Nothing from the clock: two builds of one commit on one
machine give the same record. Shown collapsed at the end of each post (``record_html``) and
stored in the page's notebook metadata.
"""

from __future__ import annotations

import html
import json
import os
import platform
import subprocess
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .cache import TextStore
from .deps import dependency_files, module_imports, package_version
from .params import expand_all
from .refs import module_name
from .settings import Settings

SHORT_KEY = 12  # characters of a cache key shown: enough to tell results apart


def repo_state(root: Path) -> dict:
    """``{"commit": sha or "unknown", "dirty": bool}`` (tracked files only: a build writes
    untracked caches and sites that say nothing about the sources)."""
    def git(*args):
        run = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                             timeout=30)
        return run.stdout.strip() if run.returncode == 0 else None

    try:
        commit = git("rev-parse", "HEAD")
        status = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        commit = status = None
    return {"commit": commit or "unknown", "dirty": bool(status) if commit else None}


_build_repo_states: dict[Path, dict] = {}  # one build asks git once (new_build clears it)


def new_build() -> None:
    """Forget the repository state and the installed distributions: an edit since the last
    build may have made it dirty, an install may have changed them."""
    _build_repo_states.clear()
    installed_distributions.cache_clear()


def build_repo_state(root: Path) -> dict:
    """``repo_state(root)`` as it was when this build first asked."""
    if root not in _build_repo_states:
        _build_repo_states[root] = repo_state(root)
    return _build_repo_states[root]


# Two facts of this machine that cost a second per build to find out (importing torch for its
# kernel; reading every installed distribution's file list), kept by what decides them
_facts = TextStore()


def _machine_fact(settings: Settings, name: str, decided_by: list, compute):
    """``compute()``, kept in memory and in ``.cache/record`` under the hash of ``decided_by``."""
    from .reads import signature

    _facts.folder = settings.root / ".cache" / "record"
    return _facts.value(signature(name, decided_by), compute)


@lru_cache(maxsize=1)
def installed_distributions() -> tuple[str, ...]:
    """Every distribution's metadata folder on the path, with its modification time: an
    install, an upgrade or a removal changes it. Listed once per build (``new_build``)."""
    found = []
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as it:
                found += [f"{d.path}:{d.stat().st_mtime_ns}" for d in it
                          if d.name.endswith((".dist-info", ".egg-info", ".egg-link", ".pth"))]
        except OSError:
            continue
    return tuple(sorted(found))


def _distributions(settings: Settings) -> dict[str, list[str]]:
    return _machine_fact(settings, "packages_distributions", installed_distributions(),
                         lambda: {k: sorted(v) for k, v in metadata.packages_distributions().items()})


def library_versions(modules: list[str], settings: Settings) -> dict[str, str]:
    """``{distribution: version}`` of the third-party packages that the page's modules (and
    the repository modules they import) import."""
    names: set[str] = set()
    for module in modules:
        for rel, digest in dependency_files(module, settings).items():
            path = settings.root / rel
            if digest == "missing" or path.suffix != ".py" or not path.is_file():
                continue
            module_of = module_name(rel, settings.packages) or path.stem
            imported = module_imports(path, module_of, settings.root)
            names.update(name.split(".")[0] for name in imported)
    versions = {}
    distributions = _distributions(settings)
    for name in sorted(names - set(sys.stdlib_module_names) - set(settings.packages)):
        for dist in distributions.get(name, []):
            version = package_version(dist)  # the version the cache keys were made with
            if version != "absent":
                versions[dist] = version
    return dict(sorted(versions.items(), key=lambda kv: kv[0].lower()))


@lru_cache(maxsize=1)
def cpu_model() -> list[str]:
    """What a kernel choice depends on: the CPU's model and instruction-set flags (not its
    clock, which /proc/cpuinfo reports as it changes)."""
    try:
        lines = Path("/proc/cpuinfo").read_text().split("\n\n")[0].splitlines()
    except OSError:
        return [platform.machine(), platform.processor()]
    return [platform.machine()] + [line for line in lines
                                   if line.split(":")[0].strip() in ("vendor_id", "model name", "flags")]


def _torch_capability() -> str | None:
    try:
        import torch
    except ImportError:
        return None
    return torch.backends.cpu.get_cpu_capability()


def torch_kernel(settings: Settings) -> str | None:
    """The CPU kernel level torch dispatches to here (``ATEN_CPU_CAPABILITY`` can lower it)."""
    decided_by = [package_version("torch"), os.environ.get("ATEN_CPU_CAPABILITY"), cpu_model()]
    return _machine_fact(settings, "torch_kernel", decided_by, _torch_capability)


def page_record(refs: list, engine, extra_keys: dict[str, str] | None = None) -> dict:
    """The record of a page whose exec blocks are ``refs`` (a notebook post passes its
    notebook's key in ``extra_keys``)."""
    settings = engine.settings
    libraries = library_versions(sorted({r.module for r in refs}), settings)
    blocks = [{"where": r.where, "call": r.call, "key": engine.key(r)[:SHORT_KEY]}
              for r in expand_all(refs)]
    blocks += [{"where": where, "call": "notebook", "key": key[:SHORT_KEY]}
               for where, key in (extra_keys or {}).items()]
    return {**build_repo_state(settings.root), "python": platform.python_version(),
            "libraries": libraries,
            "torch_cpu": torch_kernel(settings) if "torch" in libraries else None,
            "blocks": blocks}


def record_html(record: dict) -> str:
    """The collapsed 复现信息 block."""
    esc = html.escape
    dirty = {True: "（构建时工作区有未提交的改动）", False: "", None: ""}[record["dirty"]]
    libs = "、".join(f"{esc(k)} {esc(v)}" for k, v in record["libraries"].items()) or "无"
    items = [f"<li>提交：<code>{esc(record['commit'])}</code>{dirty}</li>",
             f"<li>Python {esc(record['python'])}；库：{libs}</li>"]
    if record["torch_cpu"]:
        items.append(f"<li>torch 使用的 CPU 内核：<code>{esc(record['torch_cpu'])}</code></li>")
    rows = "".join(f"<tr><td>{esc(b['where'].rpartition(':')[2])}</td><td><code>"
                   f"{esc(b['call'])}</code></td><td><code>{esc(b['key'])}</code></td></tr>"
                   for b in record["blocks"])
    table = ("<table><thead><tr><th>行</th><th>调用</th><th>缓存键</th></tr></thead>"
             f"<tbody>{rows}</tbody></table>") if rows else ""
    return ('<details class="repro" data-search-exclude><summary>复现信息</summary>'
            f"<ul>{''.join(items)}</ul>{table}</details>")


def post_record(src_path, meta: dict, engine) -> dict:
    """The record of the post in ``src_path``: its exec blocks, or its notebook."""
    from .notebook_post import is_notebook_post, notebook_key, read_notebook
    from .refs import scan_file

    settings = engine.settings
    path = Path(src_path)
    refs = [s.ref for s in scan_file(path, settings.root) if s.ref is not None]
    extra = {}
    if is_notebook_post(meta):
        where = path.resolve().relative_to(settings.root.resolve()).as_posix()
        extra[where] = notebook_key(read_notebook(path), settings)
    return page_record(refs, engine, extra)
