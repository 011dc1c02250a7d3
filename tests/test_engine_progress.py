"""The live progress line: on a terminal only, counting every call, naming the slowest."""

from __future__ import annotations

import io

from docexec.progress import Progress, enabled
from test_engine import make_engine, project, ref  # noqa: F401 - project is a fixture


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_quiet_in_ci_and_when_not_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("DOCEXEC_PROGRESS", raising=False)
    assert enabled(_Terminal()) and not enabled(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not enabled(_Terminal())
    monkeypatch.delenv("CI")
    monkeypatch.setenv("DOCEXEC_PROGRESS", "0")
    assert not enabled(_Terminal())


def test_a_disabled_line_writes_nothing():
    stream = io.StringIO()
    p = Progress(2, stream=stream)
    p.start("m:f")
    p.finish("m:f", 1.0)
    p.close()
    assert stream.getvalue() == ""


def test_the_line_counts_calls_and_names_running_and_slowest():
    stream = _Terminal()
    p = Progress(3, stream=stream, force=True)
    p.start("snippets.a:fast")
    p.start("snippets.b:slow")
    text = stream.getvalue()
    assert "0/3" in text and "running fast, slow" in text
    p.finish("snippets.a:fast", 0.5)
    p.finish("snippets.b:slow", 2.5)
    text = stream.getvalue()
    assert "2/3" in text and "slowest snippets.b:slow 2.5 s" in text
    p.close()


def test_a_build_on_a_terminal_shows_its_calls(project, monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("DOCEXEC_PROGRESS", raising=False)
    monkeypatch.setattr("docexec.progress.enabled", lambda stream=None: True)
    make_engine(project).run([ref("snippets.demo:answer"), ref("snippets.other:independent")])
    err = capsys.readouterr().err
    assert "docexec" in err and "2/2" in err
