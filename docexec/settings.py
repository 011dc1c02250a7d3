"""Engine settings, read from arguments first, then environment variables, then defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# Libraries whose version is part of every cache key: a new numpy or torch may
# change a printed number, so results computed with the old one are stale.
DEFAULT_KEY_PACKAGES = (
    "numpy", "pandas", "matplotlib", "torch", "scipy",
    "scikit-learn", "statsmodels", "mlxtend",
)
# Imported once by the fork server so that each worker starts in milliseconds.
DEFAULT_PRELOAD = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot", "torch")


def _env_bool(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Settings:
    """Where the project is, where results are cached and how references execute."""

    root: Path = field(default_factory=Path.cwd)
    cache_dir: Path | None = None
    timeout: float = 120.0
    jobs: int = 0  # 0: one worker per core
    force: bool = False  # re-execute even when a cached result exists
    disabled: bool = False  # render placeholders, execute nothing (the "floor" build)
    packages: tuple[str, ...] = ("snippets",)
    key_packages: tuple[str, ...] = DEFAULT_KEY_PACKAGES
    preload: tuple[str, ...] = DEFAULT_PRELOAD

    def __post_init__(self):
        self.root = Path(self.root).resolve()
        if self.cache_dir is None:
            self.cache_dir = self.root / ".cache" / "docexec"
        self.cache_dir = Path(self.cache_dir)
        if not self.cache_dir.is_absolute():
            self.cache_dir = self.root / self.cache_dir
        if self.jobs <= 0:
            self.jobs = os.cpu_count() or 1
        if self.timeout <= 0:
            raise ValueError(f"docexec: timeout must be positive, got {self.timeout}")

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Settings with ``DOCEXEC_*`` environment variables applied over ``overrides``.

        DOCEXEC_CACHE_DIR, DOCEXEC_TIMEOUT, DOCEXEC_JOBS, DOCEXEC_FORCE=1, DOCEXEC_DISABLE=1.
        """
        env = os.environ
        if env.get("DOCEXEC_CACHE_DIR"):
            overrides["cache_dir"] = Path(env["DOCEXEC_CACHE_DIR"])
        if env.get("DOCEXEC_TIMEOUT"):
            overrides["timeout"] = float(env["DOCEXEC_TIMEOUT"])
        if env.get("DOCEXEC_JOBS"):
            overrides["jobs"] = int(env["DOCEXEC_JOBS"])
        if _env_bool("DOCEXEC_FORCE"):
            overrides["force"] = True
        if _env_bool("DOCEXEC_DISABLE"):
            overrides["disabled"] = True
        return cls(**overrides)
