"""The daily rollup and period sums: closed days from the rollup, today from the raw rows.

The rollup's days are local days in one time zone (`meta.rollup_timezone`). A period in another
zone is summed from the raw rows instead, so the figures are always exact, only slower.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from promptlab_tui.core.budget import day_bounds, local_day, local_timezone_name, period_bounds, zone
from promptlab_tui.store.codec import from_db, to_db

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.engine import Connection

ROLLUP_TZ_KEY = "rollup_timezone"
_UPSERT = """
INSERT INTO daily_rollup (day, provider, model, prompt_name, runs, input_tokens, output_tokens,
    cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_nanos, unpriced_runs, error_runs)
VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (day, provider, model, prompt_name) DO UPDATE SET
    runs = runs + 1,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
    cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
    reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
    cost_nanos = cost_nanos + excluded.cost_nanos,
    unpriced_runs = unpriced_runs + excluded.unpriced_runs,
    error_runs = error_runs + excluded.error_runs
"""


_UPSERT_TOTAL = """
INSERT INTO daily_total (day, runs, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens,
    reasoning_tokens, cost_nanos, unpriced_runs)
VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (day) DO UPDATE SET
    runs = runs + 1,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
    cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
    reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
    cost_nanos = cost_nanos + excluded.cost_nanos,
    unpriced_runs = unpriced_runs + excluded.unpriced_runs
"""


def rollup_timezone(conn: Connection) -> str | None:
    return conn.exec_driver_sql("SELECT value FROM meta WHERE key = ?", (ROLLUP_TZ_KEY,)).scalar()


def ensure_rollup_timezone(conn: Connection) -> str:
    """The rollup's zone; set on first use to the budget's zone (or the machine's). Write transaction only."""
    name = rollup_timezone(conn)
    if name is None:
        name = conn.exec_driver_sql("SELECT timezone FROM budget WHERE id = 1").scalar() or local_timezone_name()
        conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES (?, ?)", (ROLLUP_TZ_KEY, name))
    return name


def add_to_rollup(conn: Connection, tz_name: str, created_at: datetime, provider: str, model: str,
                  prompt_name: str | None, tokens: tuple[int, int, int, int, int], cost_nanos: int | None,
                  status: str) -> None:
    """Count one settled run; `tokens` = input, output, cached input, cache writes, reasoning."""
    day = local_day(created_at, tz_name)
    conn.exec_driver_sql(_UPSERT, (day, provider, model, prompt_name or "", *tokens, cost_nanos or 0,
                                   int(cost_nanos is None), int(status == "error")))
    conn.exec_driver_sql(_UPSERT_TOTAL, (day, *tokens, cost_nanos or 0, int(cost_nanos is None)))


def rebuild_rollup(conn: Connection, tz_name: str | None) -> str:
    """Recount the whole rollup from the raw rows, in `tz_name` (None: keep the current zone)."""
    name = tz_name or rollup_timezone(conn) or local_timezone_name()
    conn.exec_driver_sql("DELETE FROM daily_rollup")
    conn.exec_driver_sql("DELETE FROM daily_total")
    conn.exec_driver_sql("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (ROLLUP_TZ_KEY, name))
    first, last = conn.exec_driver_sql(
        "SELECT MIN(created_at), MAX(created_at) FROM run WHERE status != 'pending'").one()
    if first is None:
        return name
    tz = zone(name)
    day = from_db(first).astimezone(tz).date()
    last_day = from_db(last).astimezone(tz).date()
    days: list[tuple[str, str, str]] = []
    while day <= last_day:
        start, end = day_bounds(day, tz)
        days.append((day.isoformat(), to_db(start), to_db(end)))
        day += timedelta(days=1)
    conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS rollup_days (day TEXT, start TEXT, end TEXT)")
    conn.exec_driver_sql("DELETE FROM rollup_days")
    conn.exec_driver_sql("INSERT INTO rollup_days VALUES (?, ?, ?)", days)  # type: ignore[arg-type]
    conn.exec_driver_sql("""
        INSERT INTO daily_rollup (day, provider, model, prompt_name, runs, input_tokens, output_tokens,
            cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_nanos, unpriced_runs, error_runs)
        SELECT d.day, r.provider, r.model, COALESCE(r.prompt_name, ''), COUNT(*), SUM(r.input_tokens),
            SUM(r.output_tokens), SUM(r.cached_input_tokens),
            SUM(r.cache_write_tokens + r.cache_write_1h_tokens), SUM(r.reasoning_tokens),
            COALESCE(SUM(r.cost_nanos), 0), SUM(r.cost_nanos IS NULL), SUM(r.status = 'error')
        FROM rollup_days AS d CROSS JOIN run AS r
        WHERE r.created_at >= d.start AND r.created_at < d.end AND r.status != 'pending'
        GROUP BY d.day, r.provider, r.model, COALESCE(r.prompt_name, '')""")
    conn.exec_driver_sql("DROP TABLE rollup_days")
    conn.exec_driver_sql("""
        INSERT INTO daily_total (day, runs, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens,
            reasoning_tokens, cost_nanos, unpriced_runs)
        SELECT day, SUM(runs), SUM(input_tokens), SUM(output_tokens), SUM(cached_input_tokens),
            SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(cost_nanos), SUM(unpriced_runs)
        FROM daily_rollup GROUP BY day""")
    return name


def window_spend(conn: Connection, windows: list[tuple[datetime, datetime]], tz_name: str,
                 now: datetime) -> list[tuple[int, int]]:
    """(settled cost, unpriced runs) for each [start, end) window; windows start and end at local midnights."""
    if not windows:
        return []
    if rollup_timezone(conn) == tz_name:
        today_start, _ = period_bounds("daily", now, tz_name)
    else:
        today_start = min(start for start, _ in windows)  # everything from the raw rows
    results = [[0, 0] for _ in windows]
    first_day = min(local_day(start, tz_name) for start, _ in windows)
    today = local_day(today_start, tz_name)
    if first_day < today:
        rows = conn.exec_driver_sql(
            "SELECT day, cost_nanos, unpriced_runs FROM daily_total WHERE day >= ? AND day < ?",
            (first_day, today)).all()
        bounds = [(local_day(start, tz_name), local_day(end, tz_name)) for start, end in windows]
        for day, cost, unpriced in rows:
            for index, (start_day, end_day) in enumerate(bounds):
                if start_day <= day < end_day:
                    results[index][0] += cost
                    results[index][1] += unpriced
    raw = [(index, max(start, today_start), end) for index, (start, end) in enumerate(windows)
           if max(start, today_start) < end]  # windows that end before today are all in the rollup
    if raw:
        # Cut the raw range at every window edge and sum each piece once (covering index, no CASE per row).
        edges = sorted({edge for _, start, end in raw for edge in (start, end)})
        pieces = list(zip(edges, edges[1:]))
        sql = " UNION ALL ".join(
            f"SELECT {number}, COALESCE(SUM(cost_nanos), 0), COALESCE(SUM(cost_nanos IS NULL), 0) FROM run "
            "WHERE created_at >= ? AND created_at < ? AND status != 'pending'" for number in range(len(pieces)))
        params = tuple(text for start, end in pieces for text in (to_db(start), to_db(end)))
        sums = {number: (cost, unpriced) for number, cost, unpriced in conn.exec_driver_sql(sql, params).all()}
        for index, start, end in raw:
            for number, (piece_start, piece_end) in enumerate(pieces):
                if start <= piece_start and piece_end <= end:
                    results[index][0] += sums[number][0]
                    results[index][1] += sums[number][1]
    return [(cost, unpriced) for cost, unpriced in results]


def window_reserved(conn: Connection, windows: list[tuple[datetime, datetime]]) -> list[int]:
    """Worst cases held by pending runs created in each window."""
    pending = conn.exec_driver_sql("SELECT created_at, reserved_nanos FROM run WHERE status = 'pending'").all()
    held = [0] * len(windows)
    for created_text, reserved in pending:
        created = from_db(created_text)
        for index, (start, end) in enumerate(windows):
            if start <= created < end:
                held[index] += reserved or 0
    return held
