"""``mkdocs serve`` never waits for a slow demo: stale blocks compute in the background, the
page shows the block's previous result (or error) under a notice, and the server builds
again when the result is ready."""

from __future__ import annotations

import threading
import time

import psutil

import docexec.build_state as dx
from docexec.page_html import render_pending
import docexec.runner
from docexec.runner import SERVE_WAIT, Failure, Pending
from test_engine import _markdown, make_engine, project, ref, write  # noqa: F401 - fixture
from test_engine_mkdocs import _get
from test_engine_serve import _serving, serving, strict_site  # noqa: F401 - fixture

SLOW = """
def slow():
    import time
    time.sleep({seconds})
    return "{text}"
"""


def _ready_flag():
    done = threading.Event()
    return done, done.set


def test_a_stale_block_is_pending_at_once_then_ready(project):
    write(project / "snippets" / "slowmod.py", SLOW.format(seconds=3, text="first"))
    engine = make_engine(project)
    r = ref("snippets.slowmod:slow")
    done, on_ready = _ready_flag()
    start = time.monotonic()
    pending = engine.result(r, on_ready)
    assert time.monotonic() - start < SERVE_WAIT + 1.0, "the call waited for the demo"
    assert isinstance(pending, Pending) and pending.previous is None
    assert engine.result(r, on_ready) == Pending(r, None)  # asked again: still one call
    assert done.wait(60), "on_ready was never called"
    entry = engine.result(r, on_ready)
    assert entry["outputs"][-1]["text"] == "first" and engine.executed == 1


def test_after_an_edit_the_previous_result_is_shown_while_the_new_one_computes(project):
    write(project / "snippets" / "slowmod.py", SLOW.format(seconds=0, text="first"))
    engine = make_engine(project)
    r = ref("snippets.slowmod:slow")
    assert engine.result(r)["outputs"][-1]["text"] == "first"  # a build without background
    write(project / "snippets" / "slowmod.py", SLOW.format(seconds=2, text="second"))
    done, on_ready = _ready_flag()
    pending = engine.result(r, on_ready)
    assert isinstance(pending, Pending)
    assert pending.previous["outputs"][-1]["text"] == "first"
    html = render_pending(pending, r, "")
    assert "正在重新计算" in html and "first" in html and "docs/page.md:7" in html
    assert done.wait(60)
    assert engine.result(r, on_ready)["outputs"][-1]["text"] == "second"


def test_a_quick_block_is_shown_by_the_same_build_without_another_rebuild(project):
    write(project / "snippets" / "slowmod.py", SLOW.format(seconds=0, text="first"))
    engine = make_engine(project)
    r = ref("snippets.slowmod:slow")
    assert engine.result(r)["outputs"][-1]["text"] == "first"
    write(project / "snippets" / "slowmod.py", SLOW.format(seconds=0, text="second"))
    rebuilds = []
    entry = engine.result(r, lambda: rebuilds.append(1))
    assert not isinstance(entry, Pending) and entry["outputs"][-1]["text"] == "second"
    time.sleep(0.5)
    assert rebuilds == []  # the build that waited showed it: no second rebuild


QUICK_AND_SLOW = """
import time

def quick():
    return "quick {tag}"

def slow():
    time.sleep(2)
    return "slow {tag}"
"""


def test_quick_blocks_run_first_while_serving(project):
    """Stale blocks start in order of their last run time: the quick one is ready within the
    rebuild's wait even with one worker, behind a slow block listed first."""
    module = project / "snippets" / "mixed.py"
    write(module, QUICK_AND_SLOW.format(tag="a"))
    engine = make_engine(project, jobs=1)
    slow, quick = ref("snippets.mixed:slow"), ref("snippets.mixed:quick")
    engine.run([slow, quick])
    write(module, QUICK_AND_SLOW.format(tag="b"))
    done, on_ready = _ready_flag()
    shown = engine.run([slow, quick], on_ready)
    assert shown[quick]["outputs"][-1]["text"] == "quick b"
    assert isinstance(shown[slow], Pending) and shown[slow].previous["outputs"][-1]["text"] == "slow a"
    assert done.wait(60)
    assert engine.result(slow, on_ready)["outputs"][-1]["text"] == "slow b"


def test_a_background_failure_is_kept_until_a_build_shows_it(project, monkeypatch):
    monkeypatch.setattr(docexec.runner, "SERVE_WAIT", 0.0)  # the first build does not wait
    engine = make_engine(project)
    r = ref("snippets.demo:boom")
    done, on_ready = _ready_flag()
    assert isinstance(engine.result(r, on_ready), Pending)
    assert done.wait(60)
    engine.forget_failures()  # the rebuild the server starts when the failure is ready
    failure = engine.result(r, on_ready)
    assert isinstance(failure, Failure) and "ZeroDivisionError" in failure.error
    assert engine.executed == 0  # a failure is never stored; it was computed once
    engine.forget_failures()  # a later build (an author's edit) retries it, showing the error
    again, on_ready = _ready_flag()
    retry = engine.result(r, on_ready)
    assert isinstance(retry, Pending) and isinstance(retry.previous, Failure)
    html = render_pending(retry, r, "")
    assert "执行失败" in html and "上一次的错误" in html
    assert again.wait(60)


def test_shutdown_ends_a_running_demo(project):
    engine = make_engine(project)
    r = ref("snippets.demo:hang")  # sleeps 60 s
    done, on_ready = _ready_flag()
    engine.result(r, on_ready)
    deadline = time.monotonic() + 30
    while not engine._workers and time.monotonic() < deadline:
        time.sleep(0.05)
    [worker] = list(engine._workers)
    pid = worker.pid
    start = time.monotonic()
    engine.shutdown()
    assert done.wait(20) and time.monotonic() - start < 10
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_the_fence_renders_a_pending_block_with_its_notice(project):
    write(project / "snippets" / "slowmod.py", SLOW.format(seconds=1, text="late"))
    done, on_ready = _ready_flag()
    dx.STATE.on_ready = on_ready
    try:
        html = _markdown(project, "# t\n\n```exec\nsnippets.slowmod:slow\n```\n")
    finally:
        dx.STATE.on_ready = None
    assert "docexec-pending" in html and "正在计算" in html and "late" not in html
    assert done.wait(60)


def test_serve_answers_at_once_while_a_slow_demo_recomputes(strict_site):
    """The author's view: edit a demo into a slow one while serving. Every request is answered
    within a couple of seconds, showing the previous result under a notice; the new result
    replaces it by itself when it is ready."""
    demo = strict_site / "snippets" / "demo.py"
    with serving(strict_site) as (proc, base):
        demo.write_text(demo.read_text().replace(
            'return "flaky-ok"', 'import time; time.sleep(15); return "flaky-slow"'))
        edited = time.monotonic()
        pending = _serving(proc, base, lambda h: "docexec-pending" in h, 30)
        assert pending, "the rebuild never showed the notice"
        assert time.monotonic() - edited < 12, "the rebuild waited for the slow demo"
        assert "flaky-ok" in pending and "正在重新计算" in pending
        for url in (base, base + "other/"):  # neither page waits for the demo
            start = time.monotonic()
            _get(url)
            assert time.monotonic() - start < 3
        done = _serving(proc, base, lambda h: "flaky-slow" in h, 90)
        assert done and "docexec-pending" not in done
        assert proc.poll() is None
    assert "Aborted" not in proc.stderr_text


def test_stopping_serve_ends_the_demo_it_is_computing(strict_site):
    demo = strict_site / "snippets" / "demo.py"
    with serving(strict_site) as (proc, base):
        demo.write_text(demo.read_text().replace(
            'return "flaky-ok"', 'import time; time.sleep(300); return "never"'))
        assert _serving(proc, base, lambda h: "docexec-pending" in h, 30)
        time.sleep(1)  # the worker has started
        started = psutil.Process(proc.pid).children(recursive=True)
        assert started, "no worker process was found"
    gone, alive = psutil.wait_procs(started, timeout=10)
    assert not alive, f"left running after serve stopped: {[p.cmdline() for p in alive]}"
