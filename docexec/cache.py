"""The result cache: one JSON file per key, figures as content-addressed files.

The cache lives in a local folder or at any fsspec URL (``s3://bucket/blog-cache`` for a
team, ``memory://…`` in tests), so CI and authors can reuse each other's results: keys
hold no machine path. Writes are atomic: a local file is written to a temporary file in
the same folder, then ``os.replace``d; an object store replaces an object whole. Two
builds at once never see half a file. An entry that does not parse, or whose
recorded key is not the key asked for, or whose outputs or observed dependencies are
malformed, is treated as missing and recomputed. Figure files are named by their
content hash and verified against it when read: a truncated or replaced file makes its
entry stale, and storing the result again rewrites it (as does a forced run).
A cache that cannot be written raises ``CacheError``, which names the cache folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import posixpath
import tempfile
from pathlib import Path

import fsspec
from fsspec.implementations.local import LocalFileSystem

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


class TextStore:
    """Outputs of a pure function by the sha256 of its inputs (``key``), in memory and in
    ``folder``: each file starts with its key, so one that is not what its name promises is
    ignored. A read-only or missing folder only means computing again."""

    def __init__(self, folder: Path | None = None, limit: int = 4096):
        self.folder, self._limit = folder, limit
        self._memory: dict[str, str] = {}

    def _path(self, key: str) -> Path | None:
        return self.folder / key[:2] / f"{key}.html" if self.folder else None

    def get(self, key: str) -> str | None:
        text = self._memory.get(key)
        path = self._path(key)
        if text is None and path is not None:
            try:
                stored, _, text = path.read_text(encoding="utf-8").partition("\n")
                if stored != key:
                    text = None
            except (OSError, UnicodeDecodeError):
                text = None
            if text is not None:
                self._remember(key, text)
        return text

    def put(self, key: str, text: str) -> None:
        path = self._path(key)
        if path is not None:
            try:
                atomic_write(path, f"{key}\n{text}".encode("utf-8"))
            except OSError:
                pass
        self._remember(key, text)

    def value(self, key: str, compute, valid=lambda value: value is not None):
        """``compute()``'s JSON value kept under ``key``: an entry that does not parse or is
        not ``valid`` is computed again."""
        text = self.get(key)
        try:
            value = json.loads(text) if text is not None else None
        except ValueError:
            value = None
        if not valid(value):
            value = compute()
            self.put(key, json.dumps(value))
        return value

    def _remember(self, key: str, text: str) -> None:
        if len(self._memory) > self._limit:
            self._memory.clear()
        self._memory[key] = text


class CacheError(OSError):
    """The result cache could not be written: full, read-only, or not a folder."""


def _holds_its_name(name: str, body: bytes | None) -> bool:
    """Whether a figure file holds what its name (the start of its content's sha256) says."""
    return body is not None and hashlib.sha256(body).hexdigest().startswith(Path(name).stem)


def _valid_observed(observed) -> bool:
    return isinstance(observed, dict) and all(
        isinstance(k, str) and isinstance(v, str) and not Path(k).is_absolute()
        and ".." not in Path(k).parts for k, v in observed.items())


class ResultCache:
    def __init__(self, location: Path | str):
        """``location``: a folder (``Path``) or an fsspec URL (``str`` with ``://``)."""
        if isinstance(location, str) and "://" in location:
            self.fs, self._root = fsspec.core.url_to_fs(location)
            self.dir: Path | str = location  # what messages name
        else:
            self.fs, self._root = LocalFileSystem(), str(Path(location).resolve())
            self.dir = Path(location)
        self._local = isinstance(self.fs, LocalFileSystem)
        self._reported: set[str] = set()
        # figure bodies the cache could not store: the build still publishes them
        self._unstored: dict[str, bytes] = {}

    def _path(self, relative: str) -> str:
        return posixpath.join(self._root, relative)

    def read(self, relative: str) -> bytes | None:
        """The bytes stored at ``relative`` (e.g. ``notebooks/<key>.ipynb``), None if absent."""
        try:
            return self.fs.cat_file(self._path(relative))
        except (FileNotFoundError, IsADirectoryError):
            return None

    def write(self, relative: str, data: bytes) -> None:
        """Store ``data`` at ``relative`` atomically; ``OSError`` when the cache cannot be
        written (callers that must fail the build turn it into ``CacheError``)."""
        if self._local:
            atomic_write(Path(self._path(relative)), data)
        else:  # an object store replaces the object whole: readers see old or new
            self.fs.pipe_file(self._path(relative), data)

    def figure_bytes(self, name: str) -> bytes:
        """A figure file's content: from the cache folder, or kept in memory when it could
        not be written there."""
        if name in self._unstored:
            return self._unstored[name]
        body = self.read(f"figures/{name}")
        if body is None:
            raise FileNotFoundError(f"figure {name} is not in the result cache at {self.dir}")
        return body

    def report_once(self, message: str) -> bool:
        """True the first time a write failure is seen (a full disk is reported once, not per call)."""
        first = message not in self._reported
        self._reported.add(message)
        return first

    @staticmethod
    def _entry(key: str) -> str:
        return f"results/{key[:2]}/{key}.json"

    def get(self, key: str) -> dict | None:
        path = self._path(self._entry(key))
        try:
            data = self.read(self._entry(key))
            if data is None:
                return None
            entry = json.loads(data.decode("utf-8"))
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
            if not self._figure_ok(name):
                log.info("docexec: figure %s does not match its hash; recomputing %s",
                         self._path(f"figures/{name}"), key)
                return None
        return entry

    def _figure_ok(self, name: str) -> bool:
        try:
            return _holds_its_name(name, self.read(f"figures/{name}"))
        except OSError:
            return False

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
                    body = body if isinstance(body, bytes) else body.encode()
                    if rewrite or not self._figure_ok(name):
                        self.write(f"figures/{name}", body)
            self.write(self._entry(key), json.dumps(entry, ensure_ascii=False, indent=1).encode())
        except OSError as exc:
            for o in result["outputs"]:
                for name, body in o.get("files", {}).items():
                    self._unstored[name] = body if isinstance(body, bytes) else body.encode()
            raise CacheError(f"cannot write the result cache at {self.dir}: "
                             f"{type(exc).__name__}: {exc.strerror or exc}") from exc
        return entry

    def clear(self) -> None:
        try:
            self.fs.rm(self._root, recursive=True)
        except (FileNotFoundError, OSError):
            pass
