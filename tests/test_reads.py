"""``docexec.reads.StepMemo``: a step's output is reused only while its signature and every
project file it opened hold, in memory and, with a folder, in the next process."""

from __future__ import annotations

import json

from docexec.reads import StepMemo


def _step(path, calls):
    def step():
        calls.append(1)
        return b"made from " + path.read_bytes()
    return step


def test_an_output_kept_on_disk_is_reused_by_the_next_process_until_a_read_changes(tmp_path):
    root, folder = tmp_path / "project", tmp_path / "project" / ".cache" / "memo"
    root.mkdir()
    source = root / "page.md"
    source.write_text("one")
    calls = []
    first = StepMemo(folder).run("page", "sig", _step(source, calls), root)
    assert first == b"made from one" and calls == [1]
    fresh = StepMemo(folder)  # another process: nothing in memory
    assert fresh.run("page", "sig", _step(source, calls), root) == first and calls == [1]
    source.write_text("two")  # a file the step opened changed
    assert fresh.run("page", "sig", _step(source, calls), root) == b"made from two"
    assert calls == [1, 1]
    assert StepMemo(folder).run("page", "other", _step(source, calls), root) == b"made from two"
    assert calls == [1, 1, 1]  # another signature: made again


def test_a_damaged_or_foreign_entry_and_no_signature_mean_running_again(tmp_path):
    root, folder = tmp_path, tmp_path / "memo"
    source = root / "page.md"
    source.write_text("x")
    calls = []
    StepMemo(folder).run("page", "sig", _step(source, calls), root)
    [entry] = folder.glob("*.json")
    data = json.loads(entry.read_text())
    entry.write_text(entry.read_text()[:-5])  # cut short
    assert StepMemo(folder).run("page", "sig", _step(source, calls), root) == b"made from x"
    assert len(calls) == 2
    data["value"] = b"forged".hex()
    data["name"] = "another page"  # an entry that is not this step's
    entry.write_text(json.dumps(data))
    assert StepMemo(folder).run("page", "sig", _step(source, calls), root) == b"made from x"
    assert len(calls) == 3
    memo = StepMemo(folder)
    for _ in range(2):  # no signature: never reused
        memo.run("page", None, _step(source, calls), root)
    assert len(calls) == 5
