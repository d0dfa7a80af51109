"""No false blocks: a run refused only because other runs hold their worst case waits for them to settle.

A reservation holds a run's worst case until it settles at its (usually much smaller) actual cost.
When the settled spend alone leaves room for this run's worst case, the refusal is only the other
runs' reservations: wait (bounded by `--wait-budget SECONDS` / `wait_budget_seconds`) until the
reserved amount changes, then let the ledger decide again, atomically as always.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from promptlab_tui.services.run_types import RunWaiting
from promptlab_tui.services.signals import RunInterrupted, RunSignals

if TYPE_CHECKING:
    from promptlab_tui.core.budget import BudgetRefusal, BudgetSettings
    from promptlab_tui.store.repository import HistoryRepository

CALENDAR_SCOPES = ("daily", "weekly", "monthly")
POLL_S = 0.05  # a read of the period sums (WAL: never blocks a writer)


def could_fit_later(refusal: BudgetRefusal) -> bool:
    """The run fits once in-flight runs settle (even at their worst case the settled spend leaves room)."""
    return (refusal.scope in CALENDAR_SCOPES and refusal.reserved_nanos > 0
            and refusal.spent_nanos + (refusal.worst_case_nanos or 0) <= refusal.limit_nanos)


class BudgetWait:
    """One run's waiting, over however many refusals; the total wait is bounded by `wait_s`."""

    def __init__(self, repository: HistoryRepository, settings: BudgetSettings | None, wait_s: float,
                 on_event: Callable[[object], None], cancel: threading.Event | None = None,
                 signals: RunSignals | None = None) -> None:
        self.repository = repository
        self.settings = settings
        self.deadline = time.monotonic() + max(wait_s, 0.0)
        self.on_event = on_event
        self.cancel = cancel or threading.Event()
        self.signals = signals  # deferred while reserving: a Ctrl-C is noticed here, within POLL_S
        self.waited = False

    def wait_for_room(self, refusal: BudgetRefusal) -> bool:
        """True when the period's reservations changed (reserve again); False to refuse (no room coming, time up,
        cancelled)."""
        if self.settings is None or not could_fit_later(refusal) or time.monotonic() >= self.deadline:
            return False
        before = self._committed(refusal.scope)
        announced = -1
        while not self._stopped():
            runs = self.repository.in_flight_runs()
            if runs != announced:
                announced = runs
                self.waited = True
                self.on_event(RunWaiting(runs, refusal.scope, max(self.deadline - time.monotonic(), 0.0)))
            remaining = self.deadline - time.monotonic()
            if remaining <= 0 or self.cancel.wait(min(POLL_S, remaining)):
                return False
            now = self._committed(refusal.scope)
            if now != before:  # a run settled (or another reserved): ask the ledger again
                return True
        return False

    def _stopped(self) -> bool:
        return self.cancel.is_set() or bool(self.signals is not None and self.signals.received)

    def raise_if_stopped(self, provider: str) -> None:
        """After waiting ended without room: a signal stops the command, a cancel the run (nothing was sent)."""
        if self.signals is not None and self.signals.received:
            raise RunInterrupted(self.signals.received[0])
        if self.waited and self.cancel.is_set():
            from promptlab_tui.providers.base import Cancelled

            raise Cancelled("Run cancelled while it waited for other runs to settle; nothing was sent or spent.",
                            provider=provider)

    def _committed(self, scope: str) -> tuple[int, int] | None:
        assert self.settings is not None
        for period in self.repository.current_periods(self.settings):
            if period.kind == scope:
                return period.spent_nanos, period.reserved_nanos
        return None
