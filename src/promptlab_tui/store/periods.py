"""Spent and reserved in the budget's current calendar periods: what every reservation checks against."""

from __future__ import annotations

from typing import TYPE_CHECKING

from promptlab_tui.core.budget import BudgetSettings, PeriodStatus, period_bounds, projected_spend
from promptlab_tui.store.rollup import window_sums

if TYPE_CHECKING:
    from datetime import datetime
    from sqlite3 import Connection


def period_statuses(conn: Connection, settings: BudgetSettings, now: datetime) -> list[PeriodStatus]:
    """Spent and reserved for each calendar period that has a limit (no suggestions: the hot path).

    One statement: the per-day totals of the periods' days and the pending runs' reservations.
    """
    limits = settings.active_limits()
    windows = [period_bounds(kind, now, settings.tz) for kind, _ in limits]
    sums = window_sums(conn, windows, settings.timezone)
    return [PeriodStatus(kind=kind, start=start, end=end, spent_nanos=cost, reserved_nanos=reserved,
                         limit_nanos=limit, unpriced_runs=unpriced,
                         projected_nanos=projected_spend(cost, start, end, now))
            for (kind, limit), (start, end), (cost, unpriced, reserved) in zip(limits, windows, sums)]
