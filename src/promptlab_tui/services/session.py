"""The per-session cap: one app session, or one CLI invocation over many files, spends at most N.

Kept in memory (a session is one process); runs reserve their worst case here as in the ledger,
so that two runs started at once from one session cannot together pass the cap.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class SessionStatus:
    limit_nanos: int | None
    spent_nanos: int
    reserved_nanos: int
    runs: int
    unpriced_runs: int = 0  # settled runs whose cost is unknown (not in spent_nanos)

    @property
    def remaining_nanos(self) -> int | None:
        if self.limit_nanos is None:
            return None
        return max(0, self.limit_nanos - self.spent_nanos - self.reserved_nanos)


class SessionSpend:
    """Spend of one session; `limit_nanos=None` tracks without a cap."""

    def __init__(self, limit_nanos: int | None = None, scope: str = "session") -> None:
        self.scope = scope  # how a refusal names the cap: "session", or "compare" (compare --max-cost's set)
        self._lock = threading.Lock()
        self._limit = limit_nanos
        self._spent = 0
        self._reserved: dict[str, int] = {}
        self._runs = 0
        self._unpriced = 0

    @property
    def limit_nanos(self) -> int | None:
        return self._limit

    def set_limit(self, limit_nanos: int | None) -> None:
        with self._lock:
            self._limit = limit_nanos

    def status(self) -> SessionStatus:
        with self._lock:
            return SessionStatus(self._limit, self._spent, sum(self._reserved.values()), self._runs, self._unpriced)

    def remaining_nanos(self) -> int | None:
        return self.status().remaining_nanos

    def try_reserve(self, run_id: str, worst_case_nanos: int | None, limit_nanos: int | None = None) -> bool:
        """Hold the run's worst case; False when it would pass the cap (nothing is held then).

        `limit_nanos` applies when the session has no cap of its own (the budget's session cap).
        """
        amount = worst_case_nanos or 0
        with self._lock:
            limit = self._limit if self._limit is not None else limit_nanos
            if limit is not None and self._spent + sum(self._reserved.values()) + amount > limit:
                return False
            self._reserved[run_id] = amount
            return True

    def settle(self, run_id: str, actual_nanos: int | None) -> None:
        """Replace the run's reservation by what it cost (None: unknown, counted apart as unpriced)."""
        with self._lock:
            self._reserved.pop(run_id, None)
            self._spent += actual_nanos or 0
            self._runs += 1
            self._unpriced += actual_nanos is None

    def release(self, run_id: str) -> None:
        """Drop a reservation for a run that never started (refused by the ledger)."""
        with self._lock:
            self._reserved.pop(run_id, None)
