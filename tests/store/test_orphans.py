"""A process killed mid-run leaves a pending row that the next start settles: nothing spent is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from promptlab_tui.core.types import CostBreakdown
from promptlab_tui.store import ledger
from tests.store.conftest import pending

REPO_ROOT = Path(__file__).resolve().parents[2]


def price_per_token(run):
    """A stand-in for the pricing table: 100 n$ per input token, 400 per output token, by price version."""
    assert run.price_version == "test-price-1" and run.usage_estimated
    return CostBreakdown(input_nanos=run.input_tokens * 100, output_nanos=run.output_tokens * 400,
                         price_version=run.price_version)


def start_holder(db_path: Path, checkpoint: int) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "tests.store.ledger_worker", str(db_path), str(checkpoint)],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    run_id = process.stdout.readline().strip()
    assert run_id, "the child did not reserve its run"
    return process, run_id


def test_a_run_killed_with_sigkill_is_settled_from_its_checkpoint(repo):
    repo.open()
    process, run_id = start_holder(repo.path, checkpoint=250)
    assert repo.settle_orphans(price_per_token) == []  # its process is alive: not an orphan
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    [settled] = repo.settle_orphans(price_per_token)
    assert settled.id == run_id and settled.status == "interrupted" and settled.usage_estimated
    assert (settled.input_tokens, settled.output_tokens) == (1200, 250)  # input in full, output to the checkpoint
    assert settled.cost_nanos == 1200 * 100 + 250 * 400
    assert "interrupted" in settled.error
    assert repo.total_spend().cost_nanos == settled.cost_nanos
    assert repo.settle_orphans(price_per_token) == []  # settled once


def test_without_a_price_an_orphan_keeps_its_reserved_worst_case(repo):
    repo.open()
    process, run_id = start_holder(repo.path, checkpoint=10)
    process.kill()
    process.wait(timeout=30)
    [settled] = repo.settle_orphans(None)
    assert settled.cost_nanos == 900_000 and settled.cost is None and "worst case" in settled.error


def test_own_runs_and_other_hosts_runs_are_left_pending(repo):
    mine = repo.reserve_run(pending(1000), None)
    elsewhere = repo.reserve_run(pending(1000), None)
    with repo.db.write() as conn:
        conn.exec_driver_sql("UPDATE run SET hostname = 'another-host', pid = 999999 WHERE id = ?",
                             (elsewhere.run_id,))
    assert repo.settle_orphans(None) == []
    assert repo.get_run(mine.run_id).pending and repo.get_run(elsewhere.run_id).pending


def test_a_reused_pid_is_not_taken_for_the_runs_process(repo):
    if ledger.process_start_token(os.getpid()) is None:
        pytest.skip("no /proc: process start times are not available")
    reservation = repo.reserve_run(pending(1000), None)
    with repo.db.write() as conn:  # same live pid, but a different process start: the run's process is gone
        conn.exec_driver_sql("UPDATE run SET pid_start = '1' WHERE id = ?", (reservation.run_id,))
    [settled] = repo.settle_orphans(None)
    assert settled.id == reservation.run_id and settled.status == "interrupted"


def test_process_liveness():
    assert ledger.process_alive(os.getpid(), ledger.process_start_token(os.getpid()))
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not ledger.process_alive(child.pid, None)
    assert not ledger.process_alive(None, None)
