"""Many processes reserving against one hard limit: never overspent, every run recorded exactly once."""

from __future__ import annotations

import multiprocessing

from promptlab_tui.store.repository import HistoryRepository
from tests.store.ledger_worker import reserve_and_settle

PROCESSES = 8
RUNS_EACH = 10
LIMIT = 1_000_000_000  # $1 a day


def test_concurrent_processes_never_pass_a_hard_limit_and_lose_no_run(tmp_path):
    path = tmp_path / "shared.db"
    HistoryRepository(path).open().close()  # created once, as the first start of the app would
    context = multiprocessing.get_context("spawn")  # no inherited connections
    start = context.Event()
    results = context.Queue()
    workers = [context.Process(target=reserve_and_settle, args=(str(path), LIMIT, seed, RUNS_EACH, start, results))
               for seed in range(PROCESSES)]
    for worker in workers:
        worker.start()
    start.set()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    recorded = [run_id for ids, _, _ in outcomes for run_id in ids]
    refused = sum(count for _, count, _ in outcomes)
    spent = sum(amount for _, _, amount in outcomes)
    assert refused > 0, "the load did not reach the limit: the test proves nothing"
    assert len(recorded) + refused == PROCESSES * RUNS_EACH

    repo = HistoryRepository(path)
    runs = list(repo.iter_runs())
    assert sorted(run.id for run in runs) == sorted(recorded)  # each run once, none lost
    assert all(run.status == "completed" for run in runs)
    total = repo.total_spend()
    assert total.cost_nanos == spent == sum(run.cost_nanos for run in runs)
    assert total.cost_nanos <= LIMIT
    repo.close()
