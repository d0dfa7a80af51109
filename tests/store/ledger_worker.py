"""Code run in child processes by the multi-process ledger tests (kept apart so children import little)."""

from __future__ import annotations

import random
import signal
import sys


def reserve_and_settle(db_path: str, limit_nanos: int, seed: int, runs: int, start, results) -> None:
    """Reserve `runs` runs against a hard daily limit, settling each at a random cost <= its reservation."""
    from promptlab_tui.core.budget import BudgetRefusal, BudgetSettings
    from promptlab_tui.core.history import PendingRun
    from promptlab_tui.core.types import CostBreakdown, Usage
    from promptlab_tui.store.repository import HistoryRepository

    rng = random.Random(seed)
    repo = HistoryRepository(db_path)
    settings = BudgetSettings(daily_limit_nanos=limit_nanos, timezone="UTC")
    recorded, refused, spent = [], 0, 0
    start.wait()
    for _ in range(runs):
        worst = rng.randrange(limit_nanos // 40, limit_nanos // 10)
        pending = PendingRun(provider="openai", model="gpt-4o-mini", max_tokens=100, estimate_input_tokens=10,
                             estimate_output_tokens=5, expected_cost_nanos=worst // 2, worst_cost_nanos=worst)
        try:
            reservation = repo.reserve_run(pending, settings)
        except BudgetRefusal:
            refused += 1
            continue
        actual = worst if rng.random() < 0.5 else rng.randrange(0, worst + 1)  # often the full worst case
        repo.settle_run(reservation.run_id, Usage(input_tokens=10, output_tokens=rng.randrange(0, 100)),
                        CostBreakdown(input_nanos=actual // 2, output_nanos=actual - actual // 2), "completed")
        recorded.append(reservation.run_id)
        spent += actual
    repo.close()
    results.put((recorded, refused, spent))


def hold_a_run_then_wait(db_path: str, checkpoint_tokens: int) -> None:
    """Reserve a run, checkpoint it, say so on stdout, then wait to be killed (the orphan test)."""
    from promptlab_tui.core.history import PendingRun
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(db_path)
    pending = PendingRun(provider="openai", model="gpt-4o-mini", max_tokens=1000, estimate_input_tokens=1200,
                         estimate_output_tokens=300, expected_cost_nanos=400_000, worst_cost_nanos=900_000,
                         price_version="test-price-1")
    reservation = repo.reserve_run(pending, None)
    repo.checkpoint_run(reservation.run_id, checkpoint_tokens)
    print(reservation.run_id, flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    hold_a_run_then_wait(sys.argv[1], int(sys.argv[2]))
