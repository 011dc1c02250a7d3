"""Workers leave nothing behind: process groups, children, memory, crash reports.

Each call runs in a process group of its own, which is killed when the call is over
(result, error, timeout or crash); a demo may start processes of its own; a call has a
memory limit; a crash names its signal and keeps what the call printed before it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil
import pytest

from docexec.runner import Failure
from test_engine import make_engine, ref, write

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def procs(tmp_path):
    """A project whose demos start processes, crash, print and allocate."""
    write(tmp_path / "snippets" / "__init__.py", "")
    write(tmp_path / "snippets" / "procs.py", """
        import subprocess

        def leave_a_sleeper():
            child = subprocess.Popen(["sleep", "1000"])
            return f"pid={child.pid}"

        def sleeper_then_hang():
            import time
            child = subprocess.Popen(["sleep", "1000"])
            with open("sleeper.pid", "w") as f:
                f.write(str(child.pid))
            time.sleep(600)

        def _square(x):
            return x * x

        def pool():
            from concurrent.futures import ProcessPoolExecutor
            with ProcessPoolExecutor(2) as ex:
                return sum(ex.map(_square, range(10)))

        def loader():
            import torch
            from torch.utils.data import DataLoader, TensorDataset
            data = TensorDataset(torch.arange(8.0))
            return int(sum(b[0].sum().item() for b in DataLoader(data, batch_size=2,
                                                                 num_workers=2)))

        def print_then_segfault():
            import ctypes
            print("epoch 1: loss 0.51")
            print("epoch 2: loss 0.37")
            ctypes.string_at(0)

        def print_then_hang():
            import sys, time
            print("step 3 of 10")
            print("warming up", file=sys.stderr)
            time.sleep(600)

        def hog():
            block = bytearray(3 * 2**30)
            return len(block)
    """)
    return tmp_path


def _gone(pid: int, seconds: float = 20) -> bool:
    """Whether ``pid`` ended (a zombie waiting for init counts as ended)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def _kill(pid: int) -> None:
    try:
        psutil.Process(pid).kill()
    except psutil.NoSuchProcess:
        pass


def test_a_process_left_by_a_demo_is_gone_after_the_call(procs):
    entry = make_engine(procs).result(ref("snippets.procs:leave_a_sleeper"))
    assert not isinstance(entry, Failure), entry
    pid = int(entry["outputs"][0]["text"].split("=")[1])
    try:
        assert _gone(pid), "the demo's sleep 1000 outlived the call"
    finally:
        _kill(pid)


def test_a_timed_out_demo_leaves_no_process_behind(procs):
    failure = make_engine(procs, timeout=3).result(ref("snippets.procs:sleeper_then_hang"))
    assert isinstance(failure, Failure) and "TimeoutError" in failure.error
    pid = int((procs / "sleeper.pid").read_text())
    try:
        assert _gone(pid), "the timed-out demo's child outlived the call"
    finally:
        _kill(pid)


def test_no_process_of_a_build_is_alive_after_it(procs):
    """The process table after a run: no descendant of this test process runs a demo's
    command (only the engine's fork server, which is reused by the next build)."""
    engine = make_engine(procs, timeout=3)
    engine.run([ref("snippets.procs:leave_a_sleeper"), ref("snippets.procs:sleeper_then_hang")])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        sleepers = [p for p in psutil.process_iter(["cmdline", "status"])
                    if p.info["cmdline"] == ["sleep", "1000"]
                    and p.info["status"] != psutil.STATUS_ZOMBIE
                    and str(procs) in (_cwd(p) or "")]
        if not sleepers:
            break
        time.sleep(0.2)
    for p in sleepers:
        _kill(p.pid)
    assert not sleepers, f"processes started by the build are still running: {sleepers}"


def _cwd(p) -> str | None:
    try:
        return p.cwd()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def test_a_piped_build_is_not_held_open_by_a_silent_orphan(procs):
    """``mkdocs build | cat``: the reader sees EOF when the build ends, not when the orphan
    that inherited the build's stdout does."""
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); from test_engine import make_engine, ref;"
        "from pathlib import Path;"
        "e = make_engine(Path(sys.argv[2]));"
        "print(e.result(ref('snippets.procs:leave_a_sleeper'))['outputs'][0]['text'])"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, os.path.join(REPO, "tests"),
                             str(procs)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            cwd=REPO, text=True)
    held = False
    try:
        out, _ = proc.communicate(timeout=60)  # returns at EOF on the pipe
    except subprocess.TimeoutExpired:
        held = True
    finally:
        for p in psutil.process_iter(["cmdline"]):
            if p.info["cmdline"] == ["sleep", "1000"] and _cwd(p) == str(procs):
                _kill(p.pid)
    if held:
        proc.kill()
        proc.communicate()
        pytest.fail("the pipe stayed open after the build ended")
    assert proc.returncode == 0 and "pid=" in out


@pytest.mark.parametrize("target, value", [("pool", "285"), ("loader", "28")])
def test_a_demo_may_start_worker_processes(procs, target, value):
    entry = make_engine(procs).result(ref(f"snippets.procs:{target}"))
    assert not isinstance(entry, Failure), entry.report()
    assert entry["outputs"][0]["text"].strip() == value


def test_a_segfault_names_its_signal_and_keeps_what_was_printed(procs):
    failure = make_engine(procs).result(ref("snippets.procs:print_then_segfault"))
    assert isinstance(failure, Failure)
    assert "SIGSEGV" in failure.error and "exit code -11" not in failure.error
    report = failure.report()
    assert report.startswith("docexec: docs/page.md:7: snippets.procs:print_then_segfault")
    assert "epoch 2: loss 0.37" in report
    assert "print_then_segfault" in failure.output  # faulthandler: the Python frames


def test_a_timeout_keeps_the_last_lines_of_stdout_and_stderr(procs):
    failure = make_engine(procs, timeout=3).result(ref("snippets.procs:print_then_hang"))
    assert isinstance(failure, Failure) and "TimeoutError" in failure.error
    report = failure.report()
    assert "step 3 of 10" in report and "warming up" in report


def test_exceeding_the_memory_limit_is_a_clear_error_at_page_and_line(procs):
    failure = make_engine(procs, memory_limit="2G").result(ref("snippets.procs:hog"))
    assert isinstance(failure, Failure)
    report = failure.report()
    assert report.startswith("docexec: docs/page.md:7: snippets.procs:hog failed: MemoryError")
    assert "memory limit is 2 GiB" in report and "DOCEXEC_MEMORY_LIMIT" in report


def test_the_memory_limit_is_a_setting():
    from docexec.settings import Settings

    assert Settings.resolve(env={"DOCEXEC_MEMORY_LIMIT": "512M"}).memory_limit == 512 * 2**20
    assert Settings.resolve(config={"memory_limit": "4G"}, env={}).memory_limit == 4 * 2**30
    assert Settings(memory_limit=0).memory_limit == 0  # no limit
    assert Settings().memory_limit > 0  # a share of the machine by default
    with pytest.raises(ValueError, match="memory_limit"):
        Settings(memory_limit="lots")
