"""Ctrl-C twice, SIGTERM and SIGHUP against a real `promptlab run`: the run is always settled, its usage printed.

Deterministic: the fake provider holds the stream open, the child's first words on stdout say it is
streaming, and the test holds SQLite's write lock so that the settlement cannot finish before the
second signal has arrived.
"""

from __future__ import annotations

import signal
import sqlite3

import pytest

from promptlab_tui.store.repository import HistoryRepository
from tests.fakeprovider.behaviours import Behaviour
from tests.fakeprovider.process import FakeProviderProcess
from tests.reliability.processes import process_env, start_promptlab, wait_until, write_prompt

SLOW_ANSWER = " ".join(f"number{i}" for i in range(600))  # 600 chunks at 50 ms: half a minute if not stopped


def _wait_for_stream(process) -> None:
    assert process.stdout.read(6) == "number"  # the child is streaming: its first words are out


def _disconnected(fake) -> bool:
    return any(r.get("client_disconnected") for r in fake.requests())


@pytest.mark.slow
def test_a_second_ctrl_c_during_settlement_cannot_leave_the_run_pending(tmp_path):
    prompt = write_prompt(tmp_path, "count.md")
    repository = HistoryRepository()
    with FakeProviderProcess(default=Behaviour.slow(chunk_delay=0.05, text=SLOW_ANSWER)) as fake:
        process = start_promptlab("run", prompt, env=process_env(fake.env()))
        try:
            _wait_for_stream(process)
            blocker = sqlite3.connect(repository.path, isolation_level=None, timeout=30)
            blocker.execute("BEGIN IMMEDIATE")  # the settlement will wait for this lock
            try:
                process.send_signal(signal.SIGINT)
                # The first Ctrl-C has been handled once the child hung up on the provider.
                wait_until(lambda: _disconnected(fake), timeout=20, what="the child to stop the stream")
                process.send_signal(signal.SIGINT)  # while the run is being settled
                process.send_signal(signal.SIGTERM)
            finally:
                blocker.execute("ROLLBACK")
                blocker.close()
            out, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert "run cancelled" in err and "cost $" in err  # the usage line was printed
    (record,) = repository.recent_runs()
    assert record.status == "cancelled" and record.cost_nanos > 0
    assert record.error == "interrupted by Ctrl-C"


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "code", "name"), [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGHUP, 129, "SIGHUP")])
def test_sigterm_and_sighup_mid_stream_settle_print_and_exit(tmp_path, signum, code, name):
    prompt = write_prompt(tmp_path, "count.md")
    repository = HistoryRepository()
    with FakeProviderProcess(default=Behaviour.slow(chunk_delay=0.05, text=SLOW_ANSWER)) as fake:
        process = start_promptlab("run", prompt, env=process_env(fake.env()))
        try:
            _wait_for_stream(process)
            process.send_signal(signum)
            out, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == code, err
    assert "Traceback" not in err
    assert "run cancelled" in err and "cost $" in err
    (record,) = repository.recent_runs(include_text=True)
    assert record.status == "cancelled" and record.cost_nanos > 0 and record.output_tokens > 0
    assert record.error == f"interrupted by {name}"
    assert SLOW_ANSWER.startswith(("number" + out).strip())
