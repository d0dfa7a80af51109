"""The stored budget and its threshold alerts (one per threshold per period, kept until acknowledged)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from promptlab_tui.core.budget import (
    BudgetSettings, alert_level, crossed_thresholds, format_amount, format_reset, local_timezone_name)
from promptlab_tui.core.history import AlertRecord
from promptlab_tui.store.codec import ALERT_SELECT, alert_from_row, to_db, utc_now
from promptlab_tui.store.periods import period_statuses
from promptlab_tui.store.rollup import rebuild_rollup, rollup_timezone

if TYPE_CHECKING:
    from sqlite3 import Connection

    from promptlab_tui.store.database import Database

_BUDGET_COLUMNS = ("daily_limit_nanos", "weekly_limit_nanos", "monthly_limit_nanos", "thresholds", "mode",
                   "max_tokens_per_prompt", "timezone", "max_cost_per_run_nanos", "max_cost_per_session_nanos")
_GET_BUDGET_SQL = f"SELECT {', '.join(_BUDGET_COLUMNS)} FROM budget WHERE id = 1"


def get_budget(db: Database) -> BudgetSettings | None:
    """The saved budget, or None before the user set one."""
    row = db.fetch_one(_GET_BUDGET_SQL)
    if row is None:
        return None
    values = dict(zip(_BUDGET_COLUMNS, row))
    values["thresholds"] = tuple(int(t) for t in str(values["thresholds"] or "").split(",") if t.strip())
    values["timezone"] = values["timezone"] or local_timezone_name()
    return BudgetSettings(**values)


def save_budget(db: Database, settings: BudgetSettings, now: datetime | None = None) -> None:
    """Store the budget; a new time zone recounts the daily rollup in it (same transaction)."""
    values = [getattr(settings, name) for name in _BUDGET_COLUMNS]
    values[3] = ",".join(str(t) for t in sorted(set(settings.thresholds)))
    with db.raw_write() as conn:
        conn.execute(
            f"INSERT OR REPLACE INTO budget (id, {', '.join(_BUDGET_COLUMNS)}, updated_at) "
            f"VALUES (1, {', '.join('?' * len(_BUDGET_COLUMNS))}, ?)", (*values, to_db(now or utc_now())))
        current = rollup_timezone(conn)
        if current is not None and current != settings.timezone:
            rebuild_rollup(conn, settings.timezone)


def _message(kind: str, threshold: int, spent: int, limit: int, resets_at: datetime, tz_name: str) -> str:
    return (f"{kind.capitalize()} budget {threshold}% reached: {format_amount(spent, limit)} of {format_amount(limit)} spent; "
            f"resets {format_reset(resets_at, tz_name)}")


def insert_threshold_alerts(conn: Connection, settings: BudgetSettings, now: datetime) -> list[AlertRecord]:
    """Inside a write transaction: the alerts for thresholds newly crossed in the current periods (new ones only).

    A threshold of a changed limit is a new threshold: an alert recorded for the same period and percentage
    under another limit (acknowledged or not) gives way to the new one.
    """
    if not settings.has_limits or not settings.thresholds:
        return []
    created_ids = []
    for status in period_statuses(conn, settings, now):
        assert status.limit_nanos is not None
        for threshold in crossed_thresholds(status.spent_nanos, status.limit_nanos, settings.thresholds):
            conn.execute("DELETE FROM alert WHERE period_kind = ? AND period_start = ? AND threshold = ? "
                         "AND limit_nanos != ?", (status.kind, to_db(status.start), threshold, status.limit_nanos))
            cursor = conn.execute(
                "INSERT OR IGNORE INTO alert (period_kind, period_start, threshold, level, message, spent_nanos, "
                "limit_nanos, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (status.kind, to_db(status.start), threshold, alert_level(threshold),
                 _message(status.kind, threshold, status.spent_nanos, status.limit_nanos, status.end,
                          settings.timezone),
                 status.spent_nanos, status.limit_nanos, to_db(now)))
            if cursor.rowcount:
                created_ids.append(cursor.lastrowid)
    if not created_ids:
        return []
    rows = conn.execute(f"SELECT {ALERT_SELECT} FROM alert WHERE id IN ({', '.join('?' * len(created_ids))}) "
                        "ORDER BY id", tuple(created_ids)).fetchall()
    return [alert_from_row(row) for row in rows]


def record_threshold_alerts(db: Database, settings: BudgetSettings, now: datetime | None = None) -> list[AlertRecord]:
    """Create the alerts for thresholds newly crossed in the current periods; returns only the new ones."""
    if not settings.has_limits or not settings.thresholds:
        return []
    with db.raw_write() as conn:
        return insert_threshold_alerts(conn, settings, now or utc_now())


def alerts(db: Database, include_acknowledged: bool = False, limit: int = 200) -> list[AlertRecord]:
    """Newest first."""
    where = "" if include_acknowledged else "WHERE acknowledged_at IS NULL"
    with db.raw_read() as conn:
        rows = conn.execute(f"SELECT {ALERT_SELECT} FROM alert {where} ORDER BY id DESC LIMIT ?",
                            (limit,)).fetchall()
    return [alert_from_row(row) for row in rows]


def acknowledge_alert(db: Database, alert_id: int | None = None, now: datetime | None = None) -> int:
    """Acknowledge one alert (or all when `alert_id` is None); returns how many changed."""
    with db.raw_write() as conn:
        if alert_id is None:
            result = conn.execute("UPDATE alert SET acknowledged_at = ? WHERE acknowledged_at IS NULL",
                                          (to_db(now or utc_now()),))
        else:
            result = conn.execute(
                "UPDATE alert SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL",
                (to_db(now or utc_now()), alert_id))
    return int(result.rowcount)
