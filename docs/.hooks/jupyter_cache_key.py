"""mkdocs-jupyter keys its cache on the notebook's bytes only; a notebook that imports
the snippet packages must re-execute when those modules change, so its cache folder
carries their hash."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import docexec.build_state as dx
from docexec.deps import script_dependencies


def on_config(config):
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is None:
        return config
    settings = dx.engine().settings  # configured by docexec_glue's on_config
    deps = {}
    for script in sorted(Path(config.docs_dir).glob("notebooks/*.py")):
        deps[script.name] = script_dependencies(script, settings)
    digest = hashlib.sha256(json.dumps(deps, sort_keys=True).encode()).hexdigest()[:16]
    base = Path(plugin.config["cache_dir"])
    if base.name != digest:
        plugin.config["cache_dir"] = str(base / digest)
    return config
