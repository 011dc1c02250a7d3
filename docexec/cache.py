"""The on-disk result cache: one JSON file per key, figures as content-addressed files.

Writes are atomic (a temporary file in the same folder, then ``os.replace``), so
two builds at once never see half a file. An entry that does not parse, or whose
recorded key is not the key asked for, is treated as missing and recomputed.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

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


class ResultCache:
    def __init__(self, directory: Path):
        self.dir = Path(directory)
        self.figures = self.dir / "figures"

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
        # a figure whose file went missing makes the entry unusable
        if not all((self.figures / name).is_file() for name in figure_files(outputs)):
            return None
        return entry

    def put(self, key: str, result: dict) -> dict:
        """Store a successful result; figure bodies go to their own files."""
        outputs = []
        for o in result["outputs"]:
            files = o.get("files", {})
            for name, body in files.items():
                target = self.figures / name
                if not target.is_file():
                    atomic_write(target, body if isinstance(body, bytes) else body.encode())
            outputs.append({k: v for k, v in o.items() if k != "files"})
        entry = {
            "format": FORMAT,
            "key": key,
            "target": result["target"],
            "outputs": outputs,
            "warnings": result.get("warnings", []),
            "seconds": result.get("seconds"),
        }
        atomic_write(self._entry(key), json.dumps(entry, ensure_ascii=False, indent=1).encode())
        return entry

    def clear(self) -> None:
        import shutil

        shutil.rmtree(self.dir, ignore_errors=True)
