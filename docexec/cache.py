"""The on-disk result cache: one JSON file per key, figures as content-addressed files.

Writes are atomic (a temporary file in the same folder, then ``os.replace``), so
two builds at once never see half a file. An entry that does not parse, or whose
recorded key is not the key asked for, or whose outputs or observed dependencies are
malformed, is treated as missing and recomputed. Figure files are named by their
content hash and verified against it when read: a truncated or replaced file makes its
entry stale, and storing the result again rewrites it (as does a forced run).
A cache that cannot be written raises ``CacheError``, which names the cache folder.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from .deps import current_hash
from .outputs import figure_files, is_valid

log = logging.getLogger("mkdocs.docexec")
FORMAT = 1


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the files are served to readers
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class CacheError(OSError):
    """The result cache could not be written: full, read-only, or not a folder."""


def _figure_ok(path: Path) -> bool:
    """Whether a figure file holds what its name (the start of its content's sha256) says."""
    digest = current_hash(path)
    return digest not in ("missing", "unreadable") and digest.startswith(path.stem)


def _valid_observed(observed) -> bool:
    return isinstance(observed, dict) and all(
        isinstance(k, str) and isinstance(v, str) and not Path(k).is_absolute()
        and ".." not in Path(k).parts for k, v in observed.items())


class ResultCache:
    def __init__(self, directory: Path):
        self.dir = Path(directory)
        self.figures = self.dir / "figures"
        self._reported: set[str] = set()
        # figure bodies the cache could not store: the build still publishes them
        self._unstored: dict[str, bytes] = {}

    def figure_bytes(self, name: str) -> bytes:
        """A figure file's content: from the cache folder, or kept in memory when it could
        not be written there."""
        if name in self._unstored:
            return self._unstored[name]
        return (self.figures / name).read_bytes()

    def report_once(self, message: str) -> bool:
        """True the first time a write failure is seen (a full disk is reported once, not per call)."""
        first = message not in self._reported
        self._reported.add(message)
        return first

    def _entry(self, key: str) -> Path:
        return self.dir / "results" / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        path = self._entry(key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.info("docexec: ignoring unreadable cache entry %s (%s)", path, exc)
            return None
        if not isinstance(entry, dict) or entry.get("key") != key or entry.get("format") != FORMAT:
            log.info("docexec: ignoring foreign cache entry %s", path)
            return None
        outputs = entry.get("outputs")
        if not isinstance(outputs, list) or not all(is_valid(o) for o in outputs):
            log.info("docexec: ignoring malformed cache entry %s", path)
            return None
        if not _valid_observed(entry.get("observed", {})):
            log.info("docexec: ignoring malformed cache entry %s", path)
            return None
        # a figure file that went missing, was truncated or replaced makes the entry stale
        for name in figure_files(outputs):
            if not _figure_ok(self.figures / name):
                log.info("docexec: figure %s does not match its hash; recomputing %s",
                         self.figures / name, key)
                return None
        return entry

    @staticmethod
    def entry(key: str, result: dict) -> dict:
        """The cache entry of a successful result (figure bodies left out)."""
        return {
            "format": FORMAT,
            "key": key,
            "target": result["target"],
            "outputs": [{k: v for k, v in o.items() if k != "files"} for o in result["outputs"]],
            "warnings": result.get("warnings", []),
            "observed": result.get("observed", {}),
            "seconds": result.get("seconds"),
        }

    def put(self, key: str, result: dict, rewrite: bool = False) -> dict:
        """Store a successful result; figure bodies go to their own files.

        A figure file is written when it is absent, does not match its hash, or ``rewrite``
        (a forced run) is set. Raises ``CacheError`` when the cache cannot be written.
        """
        entry = self.entry(key, result)
        try:
            for o in result["outputs"]:
                for name, body in o.get("files", {}).items():
                    target = self.figures / name
                    body = body if isinstance(body, bytes) else body.encode()
                    if rewrite or not _figure_ok(target):
                        atomic_write(target, body)
            atomic_write(self._entry(key),
                         json.dumps(entry, ensure_ascii=False, indent=1).encode())
        except OSError as exc:
            for o in result["outputs"]:
                for name, body in o.get("files", {}).items():
                    self._unstored[name] = body if isinstance(body, bytes) else body.encode()
            raise CacheError(f"cannot write the result cache at {self.dir}: "
                             f"{type(exc).__name__}: {exc.strerror or exc}") from exc
        return entry

    def clear(self) -> None:
        import shutil

        shutil.rmtree(self.dir, ignore_errors=True)
