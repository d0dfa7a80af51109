"""A database that cannot be written mid-stream (held write lock, full disk) never stops a paid answer.

Checkpoints are a best effort, the settlement retries, then the run's usage goes to a 0600 journal
in the data folder that the next start records; the message says what was recorded.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from promptlab_tui.services.context import ServiceContext
from promptlab_tui.services.run_types import RunStarted
from promptlab_tui.services.runner import RunService
from promptlab_tui.store.repository import HistoryRepository
from tests.fakeprovider.behaviours import Behaviour
from tests.services.conftest import prompt

ANSWER = " ".join(f"word{i}" for i in range(30))  # 30 chunks


def _service(**knobs) -> RunService:
    # Checkpoints at every chunk, so that the faults meet many of them; a short settle wait for the test.
    return RunService(checkpoint_interval=0.0, progress_interval=0.0, settle_wait_s=0.3, **knobs)


def test_a_held_write_lock_mid_stream_neither_stops_the_stream_nor_loses_the_run(fake_provider_env, isolated_home):
    fake_provider_env.script(Behaviour.slow(chunk_delay=0.005, text=ANSWER))
    HistoryRepository().open().close()
    blocker = sqlite3.connect(isolated_home / "promptlab.db", isolation_level=None, timeout=30)

    def on_event(event):
        if isinstance(event, RunStarted):  # reserved: now another process holds the write lock to the end
            blocker.execute("BEGIN IMMEDIATE")

    try:
        outcome = _service().run(prompt(max_tokens=200), on_event=on_event)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()

    assert outcome.ok and outcome.text == ANSWER  # all 30 chunks: the stream went on
    journal = isolated_home / "unsettled-runs.jsonl"
    assert outcome.record is None and str(journal) in outcome.record_note
    assert "nothing was written" not in outcome.record_note
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    history = HistoryRepository()
    assert history.get_run(outcome.run_id).status == "pending"

    later = ServiceContext().startup_maintenance()  # the next start
    assert [r.id for r in later.journaled] == [outcome.run_id] and later.settled == []
    record = history.get_run(outcome.run_id)
    assert record.status == "completed" and record.cost_nanos == outcome.cost_nanos > 0
    assert record.output_tokens == outcome.usage.output_tokens and not record.usage_estimated
    assert history.total_spend().cost_nanos == outcome.cost_nanos  # the rollup agrees
    assert journal.read_text() == ""
    assert ServiceContext().startup_maintenance().journaled == []  # recorded once


@pytest.fixture
def small_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """PROMPTLAB_HOME on a 4 MB tmpfs (needs root: skipped otherwise)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill: {made.stderr.decode().strip()}")
    monkeypatch.setenv("PROMPTLAB_HOME", str(mount))
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_mid_stream_keeps_the_answer_and_says_what_was_recorded(fake_provider_env, small_disk):
    fake_provider_env.script(Behaviour.slow(chunk_delay=0.005, text=ANSWER))
    HistoryRepository().open().close()
    filled: list[Path] = []

    def on_event(event):
        if isinstance(event, RunStarted):
            filled.append(_fill(small_disk))

    outcome = _service().run(prompt(max_tokens=200), on_event=on_event)

    assert outcome.ok and outcome.text == ANSWER
    assert outcome.record is None
    assert "stays pending" in outcome.record_note and "next start" in outcome.record_note
    os.remove(filled[0])  # the user frees some space
    # As said: still pending, for the orphan sweep of the next start once this process has ended
    # (tests/reliability/test_interrupted_runs.py covers that sweep).
    assert HistoryRepository().get_run(outcome.run_id).status == "pending"
