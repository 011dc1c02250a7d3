"""Engine settings: defaults < mkdocs.yml < environment < flags, the same for every entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from docexec.__main__ import _parser, settings_from_args
from docexec.settings import Settings, mkdocs_options

REPO = Path(__file__).resolve().parents[1]


def _mkdocs_yml(folder: Path, options: str = "timeout: 45\njobs: 3") -> Path:
    path = folder / "mkdocs.yml"
    options = "\n".join("      " + line for line in options.splitlines())
    path.write_text(textwrap.dedent("""
        site_name: t
        markdown_extensions:
          - toc:
              slugify: !!python/object/apply:pymdownx.slugs.slugify
                kwds: {case: lower}
          - docexec.extension:
        OPTIONS
          - pymdownx.superfences:
              custom_fences:
                - !!python/object/apply:docexec.extension.exec_fence []
        extra:
          token: !ENV [SOME_TOKEN, "x"]
    """).replace("OPTIONS", options), encoding="utf-8")
    return path


def test_defaults_come_from_settings_alone(tmp_path):
    s = Settings.resolve(flags={"root": tmp_path}, env={})
    assert (s.timeout, s.force, s.disabled) == (120.0, False, False)
    assert s.jobs == (os.cpu_count() or 1)
    assert s.cache_dir == tmp_path.resolve() / ".cache" / "docexec"


@pytest.mark.parametrize("name, config, env, flag, expected", [
    ("timeout", 45, "7", 3.5, 3.5),
    ("jobs", 8, "2", 5, 5),
])
def test_each_source_overrides_the_one_before(tmp_path, name, config, env, flag, expected):
    variable = {"timeout": "DOCEXEC_TIMEOUT", "jobs": "DOCEXEC_JOBS"}[name]
    base = {"root": tmp_path}
    assert getattr(Settings.resolve(flags=base, env={}, config={name: config}), name) == config
    got = Settings.resolve(flags=base, env={variable: env}, config={name: config})
    assert getattr(got, name) == type(expected)(env)  # the environment beats mkdocs.yml
    got = Settings.resolve(flags={**base, name: flag}, env={variable: env}, config={name: config})
    assert getattr(got, name) == expected  # a flag beats both


def test_cache_dir_is_relative_to_the_root_from_any_source(tmp_path):
    s = Settings.resolve(flags={"root": tmp_path}, env={"DOCEXEC_CACHE_DIR": "c1"},
                         config={"cache_dir": "c0"})
    assert s.cache_dir == tmp_path.resolve() / "c1"
    s = Settings.resolve(flags={"root": tmp_path, "cache_dir": Path("c2")},
                         env={"DOCEXEC_CACHE_DIR": "c1"})
    assert s.cache_dir == tmp_path.resolve() / "c2"


def test_unset_values_do_not_override(tmp_path):
    s = Settings.resolve(flags={"root": tmp_path, "timeout": None, "force": None},
                         env={"DOCEXEC_TIMEOUT": "", "DOCEXEC_FORCE": "1"},
                         config={"timeout": "", "jobs": 4})
    assert (s.timeout, s.jobs, s.force) == (120.0, 4, True)


@pytest.mark.parametrize("env, message", [
    ({"DOCEXEC_TIMEOUT": "soon"}, "DOCEXEC_TIMEOUT='soon' is not a valid timeout"),
    ({"DOCEXEC_JOBS": "2.5"}, "DOCEXEC_JOBS='2.5' is not a valid jobs"),
    ({"DOCEXEC_FORCE": "maybe"}, "DOCEXEC_FORCE='maybe' is not a valid force"),
    ({"DOCEXEC_TIMEOUT": "0"}, "timeout must be positive"),
    ({"DOCEXEC_JOBS": "-1"}, "jobs must be >= 0"),
])
def test_bad_environment_values_name_the_variable(tmp_path, env, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        Settings.resolve(flags={"root": tmp_path}, env=env)


@pytest.mark.parametrize("config, message", [
    ({"timout": 3}, "unknown option 'timout'"),
    ({"timeout": "fast"}, "timeout must be a number"),
    ({"jobs": 1.5}, "jobs must be an integer"),
    ({"jobs": True}, "jobs must be an integer"),
])
def test_bad_mkdocs_options_are_errors(tmp_path, config, message):
    with pytest.raises(ValueError, match=message):
        Settings.resolve(flags={"root": tmp_path}, env={}, config=config)


def test_mkdocs_options_reads_the_extension_entry_despite_python_tags(tmp_path):
    path = _mkdocs_yml(tmp_path)
    assert mkdocs_options(path) == {"timeout": 45, "jobs": 3, "root": str(tmp_path.resolve())}
    assert mkdocs_options(tmp_path / "missing.yml") == {}
    path.write_text("site_name: t\nmarkdown_extensions:\n  - docexec.extension\n")
    assert mkdocs_options(path) == {"root": str(tmp_path.resolve())}
    path.write_text("site_name: t\nmarkdown_extensions:\n  - toc\n")
    assert mkdocs_options(path) == {}


def test_the_projects_own_mkdocs_yml_is_read():
    assert mkdocs_options(REPO / "mkdocs.yml")["timeout"] == 120


def test_command_line_reads_mkdocs_yml_then_environment_then_flags(tmp_path, monkeypatch):
    _mkdocs_yml(tmp_path)
    monkeypatch.delenv("DOCEXEC_TIMEOUT", raising=False)
    monkeypatch.delenv("DOCEXEC_JOBS", raising=False)
    args = _parser().parse_args(["list", "--root", str(tmp_path)])
    s = settings_from_args(args)
    assert (s.timeout, s.jobs, s.force) == (45.0, 3, False)
    monkeypatch.setenv("DOCEXEC_JOBS", "2")
    assert settings_from_args(args).jobs == 2
    args = _parser().parse_args(["list", "--root", str(tmp_path), "--jobs", "5", "--force"])
    s = settings_from_args(args)
    assert (s.jobs, s.force) == (5, True)


def test_pytest_plugin_reads_mkdocs_yml(tmp_path):
    """The plugin's engine takes the mkdocs.yml timeout: a 1 s limit stops a 30 s demo."""
    _mkdocs_yml(tmp_path, "timeout: 1")
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "__init__.py").write_text("")
    (tmp_path / "snippets" / "slow.py").write_text("import time\n\ndef nap():\n"
                                                   "    time.sleep(30)\n    return 'done'\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "p.md").write_text("```exec\nsnippets.slow:nap\n```\n")
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCEXEC_")}
    env.update(PYTHONPATH=f"{tmp_path}:{REPO}", DOCEXEC_CACHE_DIR=str(tmp_path / ".cache"))
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "docexec.pytest_plugin",
                          "-p", "no:cacheprovider", "-q", "docs"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "no result after 1 s" in run.stdout, run.stdout[-2000:]
