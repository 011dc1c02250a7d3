"""Engine settings: one place for the defaults, one order of precedence.

Later sources win: the defaults below, then the options of the ``docexec.extension``
entry in ``mkdocs.yml``, then ``DOCEXEC_*`` environment variables, then command-line
flags (or what a caller passes as ``flags``). The build, ``python -m docexec`` and the
pytest plugin all resolve their settings with ``Settings.resolve``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# Libraries whose version is part of every cache key: a new numpy or torch may
# change a printed number, so results computed with the old one are stale.
DEFAULT_KEY_PACKAGES = (
    "numpy", "pandas", "matplotlib", "torch", "scipy",
    "scikit-learn", "statsmodels", "mlxtend",
)
# Imported once by the fork server so that each worker starts in milliseconds.
DEFAULT_PRELOAD = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot", "torch")
EXTENSION = "docexec.extension"  # its name under markdown_extensions in mkdocs.yml

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word not in _TRUE | _FALSE:
        raise ValueError(f"expected one of {sorted(_TRUE | _FALSE)}")
    return word in _TRUE


def _parse_list(text) -> tuple[str, ...]:
    """``"math, tools.demo"`` or a YAML list -> ``("math", "tools.demo")``."""
    items = text.split(",") if isinstance(text, str) else list(text)
    return tuple(str(i).strip() for i in items if str(i).strip())


def _parse_size(text) -> int:
    """``"4G"``, ``"512M"``, ``"300k"`` or a number of bytes -> bytes (0: no limit)."""
    text = str(text).strip().upper().removesuffix("B").removesuffix("I")
    scale = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}.get(text[-1:], 1)
    number = float(text[:-1] if scale > 1 else text)
    if not number >= 0:
        raise ValueError("a size must be >= 0")
    return int(number * scale)


def _parse_location(text) -> Path | str:
    """A cache location: a local folder, or an fsspec URL such as ``s3://bucket/cache`` or
    ``memory://cache`` (``file://`` URLs are local folders)."""
    text = str(text).strip()
    if text.startswith("file://"):
        return Path(text.removeprefix("file://"))
    return text if "://" in text else Path(text)


# where stale references run: here, or on a Dask cluster (its scheduler's address)
LOCAL = "local"
_DASK_ADDRESS = re.compile(r"(tcp|tls|ws|wss|inproc|ucx)://\S+")


def _parse_executor(text) -> str:
    text = str(text).strip()
    if text.lower() == LOCAL:
        return LOCAL
    if not _DASK_ADDRESS.fullmatch(text):
        raise ValueError(f"expected '{LOCAL}' or a Dask scheduler address such as "
                         f"tcp://127.0.0.1:8786, got {text!r}")
    return text


def default_memory_limit() -> int:
    """Three quarters of the machine's RAM: one runaway call cannot take the machine down."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 3 // 4
    except (ValueError, OSError, AttributeError):
        return 0


# setting -> (environment variable, how to read its text)
ENVIRONMENT = {
    "cache_dir": ("DOCEXEC_CACHE_DIR", _parse_location),
    "timeout": ("DOCEXEC_TIMEOUT", float),
    "jobs": ("DOCEXEC_JOBS", int),
    "force": ("DOCEXEC_FORCE", _parse_bool),
    "disabled": ("DOCEXEC_DISABLE", _parse_bool),
    "memory_limit": ("DOCEXEC_MEMORY_LIMIT", _parse_size),
    "allow": ("DOCEXEC_ALLOW", _parse_list),
    "max_text_bytes": ("DOCEXEC_MAX_TEXT_BYTES", int),
    "max_figure_bytes": ("DOCEXEC_MAX_FIGURE_BYTES", int),
    "executor": ("DOCEXEC_EXECUTOR", _parse_executor),
}
# what mkdocs.yml may set for the extension, with the help the extension shows
CONFIG_HELP = {
    "root": "project root (the current directory)",
    "cache_dir": "result cache: a folder or an fsspec URL such as s3://bucket/blog-cache "
                 "(.cache/docexec under the root)",
    "timeout": "seconds one call may take",
    "jobs": "parallel workers (0: one per core)",
    "memory_limit": "address space per call, e.g. 4G (0: no limit)",
    "allow": "modules pages may call besides the packages (none)",
    "max_text_bytes": "largest text, table or Markdown output, bytes",
    "max_figure_bytes": "largest figure file, bytes",
    "executor": "where stale references run: local, or a Dask scheduler address such as "
                "tcp://127.0.0.1:8786",
}
CONFIG_KEYS = tuple(CONFIG_HELP)


@dataclass
class Settings:
    """Where the project is, where results are cached and how references execute."""

    root: Path = field(default_factory=Path.cwd)
    # None: .cache/docexec under the root; a str is an fsspec URL (s3://…, memory://…)
    cache_dir: Path | str | None = None
    timeout: float = 120.0
    jobs: int = 0  # 0: one worker per core
    force: bool = False  # re-execute even when a cached result exists
    disabled: bool = False  # render placeholders, execute nothing (the "floor" build)
    packages: tuple[str, ...] = ("snippets",)
    key_packages: tuple[str, ...] = DEFAULT_KEY_PACKAGES
    preload: tuple[str, ...] = DEFAULT_PRELOAD
    # address space (RLIMIT_AS) of each call's processes, bytes ("4G" in mkdocs.yml or
    # DOCEXEC_MEMORY_LIMIT); None: 3/4 of the machine's RAM; 0: no limit
    memory_limit: int | None = None
    # the trust boundary: pages may call functions of `packages` only, and of these modules
    # (and their submodules) when a site allows them explicitly
    allow: tuple[str, ...] = ()
    max_text_bytes: int = 1_000_000  # one text, table or Markdown output, UTF-8
    max_figure_bytes: int = 2_000_000  # one figure file
    executor: str = LOCAL  # or a Dask scheduler address: stale references run on its workers

    def __post_init__(self):
        self.root = Path(self.root).resolve()
        if self.cache_dir is None:
            self.cache_dir = self.root / ".cache" / "docexec"
        self.cache_dir = _parse_location(self.cache_dir)
        if isinstance(self.cache_dir, Path) and not self.cache_dir.is_absolute():
            self.cache_dir = self.root / self.cache_dir
        for name, kind in (("timeout", float), ("jobs", int)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                    kind is int and value != int(value)):
                raise ValueError(f"docexec: {name} must be a{'n integer' if kind is int else ' number'}"
                                 f", got {value!r}")
            setattr(self, name, kind(value))
        if self.jobs < 0:
            raise ValueError(f"docexec: jobs must be >= 0 (0: one per core), got {self.jobs}")
        if self.jobs == 0:
            self.jobs = os.cpu_count() or 1
        if not self.timeout > 0:
            raise ValueError(f"docexec: timeout must be positive, got {self.timeout}")
        try:
            self.memory_limit = (default_memory_limit() if self.memory_limit is None
                                 else _parse_size(self.memory_limit))
        except (ValueError, TypeError):
            raise ValueError("docexec: memory_limit must be a size such as 4G, 512M or a number "
                             f"of bytes (0: no limit), got {self.memory_limit!r}") from None
        try:
            self.executor = _parse_executor(self.executor)
        except ValueError as exc:
            raise ValueError(f"docexec: executor: {exc}") from None
        self.allow = _parse_list(self.allow)
        for name in self.allow:
            if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", name):
                raise ValueError(f"docexec: allow must list module names, got {name!r}")
        for name in ("max_text_bytes", "max_figure_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"docexec: {name} must be a positive integer, got {value!r}")

    def allows(self, module: str) -> bool:
        """Whether pages may call functions of ``module`` (the trust boundary)."""
        return any(module == p or module.startswith(p + ".")
                   for p in (*self.packages, *self.allow))

    @classmethod
    def resolve(cls, flags: Mapping | None = None, env: Mapping | None = None,
                config: Mapping | None = None) -> "Settings":
        """Defaults, then ``config`` (mkdocs.yml), then ``env`` (os.environ), then ``flags``.

        A value of None or "" in ``config`` or ``flags`` means "not set here".
        """
        values: dict = {}
        for key, value in (config or {}).items():
            if key not in CONFIG_KEYS:
                raise ValueError(f"docexec: unknown option {key!r} for {EXTENSION} in "
                                 f"mkdocs.yml; known: {', '.join(CONFIG_KEYS)}")
            if value not in (None, ""):
                values[key] = value
        env = os.environ if env is None else env
        for name, (variable, parse) in ENVIRONMENT.items():
            text = env.get(variable, "").strip()
            if text:
                try:
                    values[name] = parse(text)
                except ValueError as exc:
                    raise ValueError(f"docexec: {variable}={text!r} is not a valid {name}"
                                     f" ({exc})") from None
        values.update({k: v for k, v in (flags or {}).items() if v not in (None, "")})
        return cls(**values)


class _TolerantLoader(yaml.SafeLoader):
    """mkdocs.yml holds ``!!python/name:`` and ``!ENV`` tags; reading options needs none."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def mkdocs_options(config_file: Path) -> dict:
    """The ``docexec.extension`` options of ``mkdocs.yml`` ({} when there is none),
    with ``root`` defaulting to the folder of the file, as in the build."""
    config_file = Path(config_file)
    if not config_file.is_file():
        return {}
    data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
    options: dict = {}
    for entry in data.get("markdown_extensions") or []:
        if entry == EXTENSION:
            break
        if isinstance(entry, dict) and EXTENSION in entry:
            options = dict(entry[EXTENSION] or {})
            break
    else:
        return {}
    options.setdefault("root", str(config_file.resolve().parent))
    return options
