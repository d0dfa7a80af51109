"""Writing a run's checkpoints and its settlement so that a database problem never costs a paid answer.

A checkpoint is a best effort: it waits briefly for another writer and a failure is ignored (the
stream goes on; the usage is in memory). The settlement retries for a while; if the database still
cannot be written, the run's usage goes to the journal beside it, which the next start records.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from promptlab_tui.core.budget import crossed_thresholds

if TYPE_CHECKING:
    from promptlab_tui.core.budget import BudgetSettings, PeriodStatus, Reservation
    from promptlab_tui.core.types import CostBreakdown, Usage
    from promptlab_tui.store.repository import HistoryRepository

CHECKPOINT_BUSY_S = 0.05  # a checkpoint never stalls the stream for long behind another writer
SETTLE_WAIT_S = 30.0  # how long a settlement keeps trying before it falls back to the journal
SETTLE_ATTEMPTS = 4  # for errors that waiting on a lock does not cover (full disk, I/O)


def best_effort_checkpointer(repository: HistoryRepository, run_id: str) -> Callable[..., None]:
    def checkpoint(output_tokens: int, input_usage: Usage | None = None) -> None:
        from promptlab_tui.store.database import StoreError

        try:
            repository.checkpoint_run(run_id, output_tokens, busy_timeout_s=CHECKPOINT_BUSY_S,
                                      input_usage=input_usage)
        except StoreError:
            pass  # the next checkpoint, or the settlement, records it

    return checkpoint


@dataclass
class Settlement:
    """How a run's ending was recorded: in the database (record), in the journal, or not at all (problem)."""

    record: Any = None  # RunRecord
    alerts: list[Any] = field(default_factory=list)
    journal: Path | None = None
    problem: str | None = None  # why the database could not be written

    @property
    def note(self) -> str | None:
        """What the user is told when the run is not in the database yet."""
        if self.problem is None:
            return None
        if self.journal is not None:
            return (f"the history database could not be written ({self.problem}); this run's usage and cost were "
                    f"saved to {self.journal} and are recorded at the next start")
        return (f"the history database could not be written ({self.problem}); the run stays pending and the next "
                "start settles it from its last checkpoint")


def settle(repository: HistoryRepository, run_id: str, usage: Usage, cost: CostBreakdown | None, status: str,
           settings: BudgetSettings | None, with_alerts: bool, wait_s: float = SETTLE_WAIT_S,
           **details: Any) -> Settlement:
    """Settle in the database, retrying within `wait_s`; else append to the journal."""
    from promptlab_tui.store.codec import utc_now
    from promptlab_tui.store.database import StoreError

    finished_at: datetime = utc_now()
    deadline = time.monotonic() + wait_s
    problem: StoreError | None = None
    for attempt in range(SETTLE_ATTEMPTS):
        remaining = max(deadline - time.monotonic(), 0.0)
        try:
            if with_alerts and settings is not None:
                record, alerts = repository.settle_run_with_alerts(
                    run_id, usage, cost, status, settings, finished_at=finished_at, busy_timeout_s=remaining,
                    **details)
                return Settlement(record, alerts)
            return Settlement(repository.settle_run(run_id, usage, cost, status, finished_at=finished_at,
                                                    busy_timeout_s=remaining, **details))
        except StoreError as error:
            problem = error
        pause = min(0.1 * 2 ** attempt, deadline - time.monotonic())
        if pause <= 0:
            break
        threading.Event().wait(pause)  # a full disk may free up; another writer may let go
    cause = getattr(problem, "__cause__", None) or problem  # SQLite's own words, not "nothing was written"
    return _journal(repository, run_id, usage, cost, status, finished_at, str(cause), details)


def _journal(repository: HistoryRepository, run_id: str, usage: Usage, cost: CostBreakdown | None, status: str,
             finished_at: datetime, problem: str, details: dict[str, Any]) -> Settlement:
    from promptlab_tui.store.journal import JournalEntry

    entry = JournalEntry(run_id=run_id, status=status, usage=usage, cost=cost, finished_at=finished_at,
                         error=details.get("error"), duration_ms=details.get("duration_ms"),
                         provider_cost_nanos=details.get("provider_cost_nanos"))
    try:
        return Settlement(journal=repository.journal_settlement(entry), problem=problem)
    except OSError as error:
        return Settlement(problem=f"{problem}; the journal {repository.journal_path()} could not be written "
                                  f"either ({error.strerror or error})")


def periods_after(reservation: Reservation | None, worst_nanos: int | None,
                  cost: CostBreakdown | None) -> list[PeriodStatus]:
    """The calendar periods as this run left them: its reservation replaced by its cost (no query needed)."""
    if reservation is None:
        return []
    return [dataclasses.replace(p, spent_nanos=p.spent_nanos + (cost.total_nanos if cost is not None else 0),
                                reserved_nanos=max(0, p.reserved_nanos - (worst_nanos or 0)),
                                unpriced_runs=p.unpriced_runs + (cost is None))
            for p in reservation.periods]


def any_threshold_reached(periods: list[PeriodStatus], settings: BudgetSettings) -> bool:
    """Whether an alert may be due (the ledger then records each one once per period)."""
    return any(p.limit_nanos is not None and crossed_thresholds(p.spent_nanos, p.limit_nanos, settings.thresholds)
               for p in periods)


def cost_of(plan: Any, usage: Usage) -> CostBreakdown | None:
    """What `usage` cost at the plan's price; None when the model has no price and tokens were spent."""
    if plan.price is None:
        # No tokens cost nothing at any price; tokens spent on an unpriced model cost an unknown amount.
        no_tokens = usage.total_input_tokens == 0 and usage.output_tokens == 0  # output includes reasoning
        from promptlab_tui.core.types import CostBreakdown

        return CostBreakdown() if no_tokens else None
    from promptlab_tui.core.pricing import cost_of_usage

    return cost_of_usage(plan.price, usage, plan.tier)
