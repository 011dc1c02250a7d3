"""The trust boundary: what a page may call, and what a demo's return value may put in a page.

References name functions in the configured packages only (more is an explicit
``allow``); Markdown a demo returns is sanitized; a value with no stable rendering is an
error; outputs have size limits; lone surrogates do not crash the build.
"""

from __future__ import annotations

import logging

import pytest

from docexec.runner import Engine, Failure
from docexec.settings import Settings
from test_engine import _markdown, make_engine, project, ref, write  # noqa: F401 - a fixture

HOSTILE = """
    from docexec import Markdown

    def xss():
        return Markdown(
            "<script>alert(1)</script>\\n\\n"
            "<img src=x onerror=alert(2)>\\n\\n"
            "[click](javascript:alert(3))\\n\\n"
            "<svg onload=alert(4)><circle r=1 /></svg>\\n\\n"
            "<p onclick=alert(5) style=\\"position:fixed\\">para</p>\\n\\n"
            "| a | b |\\n|---|--:|\\n| 1 | 2 |\\n\\n"
            "公式 $x^2$ 与 <math><msup><mi>y</mi><mn>2</mn></msup></math>\\n\\n"
            "**粗体** [link](https://example.org)\\n")

    def generator():
        return (i for i in range(3))

    def lock():
        import threading
        return threading.Lock()

    class Thing:
        pass

    def thing():
        return Thing()

    def a_set():
        return {"b", "c", "a"}

    def huge_text():
        return "x" * 1_500_000

    def huge_print():
        print("y" * 1_500_000)

    def surrogate_returned():
        return "name: \\udcff!"

    def surrogate_printed():
        print("bad \\udcfe byte")
        return "ok"

    def surrogate_raised():
        raise ValueError("cannot read \\udcff")
"""


@pytest.fixture
def hostile(project):
    write(project / "snippets" / "hostile.py", HOSTILE)
    write(project / "tools" / "__init__.py", "")
    write(project / "tools" / "evil.py", """
        from pathlib import Path

        Path(__file__).with_name("IMPORTED").write_text("the module was imported")

        def run():
            return "ran"
    """)
    return project


def _render(project, text, **settings) -> str:
    return _markdown(project, text, show_tracebacks=False, **settings)


# --- what a page may call ----------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "os:system", "os:getcwd", "os:fork", "subprocess:getoutput", "socket:gethostname",
    "getpass:getuser", "tools.evil:run", "snippetsx.mod:f",
])
def test_a_reference_outside_the_packages_is_refused_before_anything_runs(hostile, target,
                                                                          monkeypatch):
    def no_worker(self, ref):  # pragma: no cover - reaching it is the failure
        raise AssertionError(f"a worker was started for {ref.target}")

    monkeypatch.setattr(Engine, "_call_in_worker", no_worker)
    engine = make_engine(hostile)
    failure = engine.result(ref(target))
    assert isinstance(failure, Failure) and failure.error.startswith("UntrustedReference")
    assert target.partition(":")[0] in failure.error and "snippets" in failure.error
    assert "docs/page.md:7" in failure.report()
    assert engine.executed == 0 and not (hostile / "tools" / "IMPORTED").exists()


def test_an_untrusted_reference_is_an_error_box_at_page_line(hostile, caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs.docexec")
    html = _render(hostile, "# t\n\n```exec\nos:getcwd\n```\n")
    assert "执行失败" in html and str(hostile) not in html
    messages = [r.getMessage() for r in caplog.records]
    assert any("docs/page.md:3" in m and "UntrustedReference" in m for m in messages), messages
    assert not (hostile / "tools" / "IMPORTED").exists()


@pytest.mark.parametrize("how", ["setting", "environment", "mkdocs.yml"])
def test_allowing_more_is_an_explicit_setting(hostile, how):
    base = {"root": hostile, "cache_dir": hostile / ".cache", "timeout": 20, "jobs": 1}
    settings = {
        "setting": lambda: Settings(allow=("tools",), **base),
        "environment": lambda: Settings.resolve(flags=base, env={"DOCEXEC_ALLOW": "tools, math"}),
        "mkdocs.yml": lambda: Settings.resolve(config={"allow": ["tools"]}, flags=base, env={}),
    }[how]()
    assert settings.allows("tools.evil") and not settings.allows("toolsx")
    entry = Engine(settings).result(ref("tools.evil:run"))
    assert not isinstance(entry, Failure), entry.report()
    assert entry["outputs"] == [{"kind": "text", "text": "ran"}]


def test_allow_rejects_what_is_not_a_module_name():
    with pytest.raises(ValueError, match="allow must list module names"):
        Settings(allow=("os; rm -rf /",))


# --- what a demo's value may put in a page -----------------------------------------------------

def test_markdown_from_a_demo_is_sanitized_but_keeps_tables_and_math(hostile):
    html = _render(hostile, "# t\n\n```exec\nsnippets.hostile:xss\n```\n")
    body = html.split('class="docexec-markdown"', 1)[1]
    for bad in ("<script", "onerror", "javascript:", "<svg", "onload", "onclick", "position:fixed"):
        assert bad not in body, bad
    assert "<table>" in body and 'style="text-align:right"' in body
    assert 'class="arithmatex"' in body and "<msup><mi>y</mi><mn>2</mn></msup>" in body
    assert "<strong>粗体</strong>" in body and 'href="https://example.org"' in body


@pytest.mark.parametrize("function, type_name", [
    ("generator", "builtins.generator"), ("lock", "_thread.lock"),
    ("thing", "snippets.hostile.Thing"),
])
def test_a_value_with_no_stable_rendering_is_an_error_naming_its_type(hostile, function, type_name):
    failure = make_engine(hostile).result(ref(f"snippets.hostile:{function}"))
    assert isinstance(failure, Failure) and "no stable rendering" in failure.error
    assert type_name in failure.error and "docs/page.md:7" in failure.report()


def test_a_returned_set_renders_in_a_stable_order(hostile):
    entry = make_engine(hostile).result(ref("snippets.hostile:a_set"))
    assert entry["outputs"] == [{"kind": "text", "text": "{'a', 'b', 'c'}"}]


@pytest.mark.parametrize("function", ["huge_text", "huge_print"])
def test_an_output_over_the_text_limit_fails_at_page_line(hostile, function):
    r = ref(f"snippets.hostile:{function}")
    failure = make_engine(hostile).result(r)
    assert isinstance(failure, Failure) and failure.error.startswith("OutputTooLarge")
    assert "1.5 MB" in failure.error and "1 MB" in failure.error
    assert "docs/page.md:7" in failure.report()
    assert not list((hostile / ".cache").rglob("*.json"))  # nothing of it is stored
    raised = make_engine(hostile, max_text_bytes=2_000_000).result(r)
    assert not isinstance(raised, Failure)


def test_a_figure_over_its_limit_fails_and_the_limit_is_configurable(hostile):
    r = ref("snippets.demo:figure", alt="a")
    failure = make_engine(hostile, max_figure_bytes=1000).result(r)
    assert isinstance(failure, Failure) and "OutputTooLarge: the figure file" in failure.error
    assert not (hostile / ".cache" / "figures").exists()
    settings = Settings.resolve(flags={"root": hostile},
                                env={"DOCEXEC_MAX_FIGURE_BYTES": "5", "DOCEXEC_MAX_TEXT_BYTES": "7"})
    assert (settings.max_figure_bytes, settings.max_text_bytes) == (5, 7)
    with pytest.raises(ValueError, match="max_text_bytes must be a positive integer"):
        Settings(max_text_bytes=0)


# --- lone surrogates ---------------------------------------------------------------------------

@pytest.mark.parametrize("function, shown", [
    ("surrogate_returned", "name: \\udcff!"), ("surrogate_printed", "bad \\udcfe byte\n"),
])
def test_a_lone_surrogate_is_escaped_visibly_and_stored(hostile, function, shown):
    r = ref(f"snippets.hostile:{function}")
    entry = make_engine(hostile).result(r)
    assert not isinstance(entry, Failure), entry.report()
    assert entry["outputs"][0]["text"] == shown
    assert any("lone surrogates" in w for w in entry["warnings"])
    warm = make_engine(hostile)  # the entry was written and reads back the same
    assert warm.result(r)["outputs"] == entry["outputs"] and warm.executed == 0


def test_a_lone_surrogate_in_an_error_is_reported_at_page_line(hostile, caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs.docexec")
    html = _render(hostile, "# t\n\n```exec\nsnippets.hostile:surrogate_returned\n```\n\n"
                            "```exec\nsnippets.hostile:surrogate_raised\n```\n")
    assert "name: \\udcff!" in html
    html.encode("utf-8")  # the page can be written
    (message,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert "docs/page.md:7" in message and "cannot read \\udcff" in message
    message.encode("utf-8")
