"""The races the ledger must win, held at their critical points instead of caught by chance.

A is held inside its reservation (write lock taken, period sums read, its row not yet inserted) while B
starts its own reservation; B must wait for A and then read the sums A left, inside its own
BEGIN IMMEDIATE, never sums read before it.
"""

from __future__ import annotations

import threading

import pytest

from promptlab_tui.core.budget import BudgetRefusal, BudgetSettings
from promptlab_tui.core.history import PendingRun
from promptlab_tui.store.repository import HistoryRepository

WORST = 40_000
SETTINGS = BudgetSettings(daily_limit_nanos=WORST + WORST // 2, timezone="UTC")  # room for one worst case


def _pending() -> PendingRun:
    return PendingRun("openai", "gpt-4o-mini", 64, 11, 20, 10_000, WORST)


def _traced(repository: HistoryRepository, on_statement) -> None:
    """Call on_statement(sql) before each statement this thread's connection runs."""
    repository.db.thread_connection().set_trace_callback(on_statement)


def test_a_reservation_waits_for_the_one_in_progress_and_sees_it(tmp_path):
    repository = HistoryRepository(tmp_path / "h.db")
    repository.save_budget(SETTINGS)
    a_inside, release_a, b_begun = threading.Event(), threading.Event(), threading.Event()
    b_statements: list[str] = []
    results: dict[str, object] = {}

    def run_a() -> None:
        def hold(sql: str) -> None:
            if sql.startswith("INSERT INTO run"):  # sums read, lock held, row about to go in
                a_inside.set()
                release_a.wait(30)

        _traced(repository, hold)
        try:
            results["a"] = repository.reserve_run(_pending(), SETTINGS)
        finally:
            _traced(repository, None)

    def run_b() -> None:
        def note(sql: str) -> None:
            b_statements.append(sql)
            if sql == "BEGIN IMMEDIATE":
                b_begun.set()  # about to wait for A's write lock

        _traced(repository, note)
        try:
            results["b"] = repository.reserve_run(_pending(), SETTINGS)
        except BudgetRefusal as refusal:
            results["b"] = refusal
        finally:
            _traced(repository, None)

    a = threading.Thread(target=run_a)
    a.start()
    assert a_inside.wait(30)
    b = threading.Thread(target=run_b)
    b.start()
    assert b_begun.wait(30)
    release_a.set()  # A inserts and commits; only then can B's BEGIN IMMEDIATE go on
    a.join(30)
    b.join(30)

    assert not isinstance(results["a"], BudgetRefusal)
    refusal = results["b"]
    assert isinstance(refusal, BudgetRefusal), "B reserved too: the two together pass the limit"
    assert refusal.reserved_nanos == WORST  # B saw A's reservation
    begin = b_statements.index("BEGIN IMMEDIATE")
    assert not any("FROM run" in sql for sql in b_statements[:begin]), "B read the sums before taking the lock"
    status = repository.budget_status(SETTINGS)[0]
    assert status.reserved_nanos == WORST <= SETTINGS.daily_limit_nanos
    repository.close()


@pytest.mark.parametrize("first_settles_at", [0, WORST // 4])
def test_after_the_first_settles_the_second_sees_the_settled_cost(tmp_path, first_settles_at):
    from promptlab_tui.core.types import CostBreakdown, Usage

    repository = HistoryRepository(tmp_path / "h.db")
    repository.save_budget(SETTINGS)
    first = repository.reserve_run(_pending(), SETTINGS)
    with pytest.raises(BudgetRefusal):
        repository.reserve_run(_pending(), SETTINGS)  # the first's worst case leaves no room
    repository.settle_run(first.run_id, Usage(input_tokens=11, output_tokens=5),
                          CostBreakdown(input_nanos=first_settles_at), "completed")
    second = repository.reserve_run(_pending(), SETTINGS)  # the settled cost is small: room again
    assert second.periods[0].spent_nanos == first_settles_at
    repository.close()
