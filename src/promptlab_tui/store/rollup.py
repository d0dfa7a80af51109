"""The daily rollup and period sums: whole local days from the per-day totals, the rest from the raw rows.

The rollup's days are local days in one time zone (`meta.rollup_timezone`), updated in the
transaction that settles a run, so they are exact at every instant. A period in another zone is
summed from the raw rows instead, so the figures are always exact, only slower.
Functions take this thread's sqlite3 connection (`Database.raw_read/raw_write`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from promptlab_tui.core.budget import day_bounds, local_day, local_timezone_name, zone
from promptlab_tui.store.codec import from_db, to_db
from promptlab_tui.store.dbapi import driver_connection
from promptlab_tui.store.rollup_dims import add_dimensions, local_day_hour, rebuild_dimensions

if TYPE_CHECKING:
    from datetime import datetime
    from sqlite3 import Connection

ROLLUP_TZ_KEY = "rollup_timezone"
ROLLUP_TZ_SQL = "SELECT value FROM meta WHERE key = 'rollup_timezone'"

_SUMS = ("runs", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "reasoning_tokens",
         "cost_nanos", "unpriced_runs", "error_runs")


def _upsert(table: str, keys: tuple[str, ...], sums: tuple[str, ...]) -> str:
    columns = ", ".join((*keys, *sums))
    values = ", ".join("?" * (len(keys) + len(sums)))
    added = ", ".join(f"{name} = {name} + excluded.{name}" for name in sums)
    return f"INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {added}"


_UPSERT = _upsert("daily_rollup", ("day", "provider", "model", "prompt_name"), _SUMS)
# Coarser per-day totals, each what one question reads: budgets (day), by model, by prompt.
_UPSERT_TOTAL = _upsert("daily_total", ("day",), _SUMS[:-1])
_UPSERT_MODEL = _upsert("daily_model", ("day", "provider", "model"), _SUMS)
_UPSERT_PROMPT = _upsert("daily_prompt", ("day", "prompt_name"), _SUMS)


def fill_coarser_rollups(conn: Connection) -> None:
    """Recount the per-day totals (all, by model, by prompt) from the detailed rollup."""
    for table, keys, sums in (("daily_total", ("day",), _SUMS[:-1]),
                              ("daily_model", ("day", "provider", "model"), _SUMS),
                              ("daily_prompt", ("day", "prompt_name"), _SUMS)):
        conn.execute(f"DELETE FROM {table}")
        conn.execute(f"INSERT INTO {table} ({', '.join((*keys, *sums))}) SELECT {', '.join(keys)}, "
                     f"{', '.join(f'SUM({name})' for name in sums)} FROM daily_rollup GROUP BY {', '.join(keys)}")


def rollup_timezone(conn: Connection) -> str | None:
    row = conn.execute(ROLLUP_TZ_SQL).fetchone()
    return None if row is None else row[0]


def ensure_rollup_timezone(conn: Connection) -> str:
    """The rollup's zone; set on first use to the budget's zone (or the machine's). Write transaction only."""
    name = rollup_timezone(conn)
    if name is None:
        row = conn.execute("SELECT timezone FROM budget WHERE id = 1").fetchone()
        name = (row[0] if row is not None else None) or local_timezone_name()
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (ROLLUP_TZ_KEY, name))
    return name


def add_to_rollup(conn: Connection, tz_name: str, created_at: datetime, provider: str, model: str,
                  prompt_name: str | None, tokens: tuple[int, int, int, int, int], cost_nanos: int | None,
                  status: str, *, tags: tuple[str, ...] = (), source: str | None = None,
                  prompt_id: str | None = None, sign: int = 1) -> None:
    """Count one settled run (sign -1: take a deleted one out); `tokens` = input, output, cached input, cache
    writes, reasoning."""
    day, hour = local_day_hour(created_at, tz_name)
    sums = tuple(sign * value for value in
                 (1, *tokens, cost_nanos or 0, int(cost_nanos is None), int(status == "error")))
    conn.execute(_UPSERT, (day, provider, model, prompt_name or "", *sums))
    conn.execute(_UPSERT_TOTAL, (day, *sums[:-1]))
    conn.execute(_UPSERT_MODEL, (day, provider, model, *sums))
    conn.execute(_UPSERT_PROMPT, (day, prompt_name or "", *sums))
    add_dimensions(conn, day, hour, sums, tags, source, provider, model, prompt_id, prompt_name)


def rebuild_rollup(conn: Any, tz_name: str | None) -> str:
    """Recount the whole rollup from the raw rows, in `tz_name` (None: keep the current zone).

    `conn`: a sqlite3 connection or a SQLAlchemy one (migrations, bulk imports), inside a write transaction.
    """
    conn = driver_connection(conn)
    name = tz_name or rollup_timezone(conn) or local_timezone_name()
    conn.execute("DELETE FROM daily_rollup")
    fill_coarser_rollups(conn)  # empty
    for table in ("daily_tag", "daily_source", "daily_hour", "daily_input", "weekly_rollup", "weekly_input",
                  "daily_tag_model", "daily_source_model"):
        conn.execute(f"DELETE FROM {table}")
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (ROLLUP_TZ_KEY, name))
    if not make_rollup_days(conn, name):
        return name
    conn.execute("""
        INSERT INTO daily_rollup (day, provider, model, prompt_name, runs, input_tokens, output_tokens,
            cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_nanos, unpriced_runs, error_runs)
        SELECT d.day, r.provider, r.model, COALESCE(r.prompt_name, ''), COUNT(*), SUM(r.input_tokens),
            SUM(r.output_tokens), SUM(r.cached_input_tokens),
            SUM(r.cache_write_tokens + r.cache_write_1h_tokens), SUM(r.reasoning_tokens),
            COALESCE(SUM(r.cost_nanos), 0), SUM(r.cost_nanos IS NULL), SUM(r.status = 'error')
        FROM rollup_days AS d CROSS JOIN run AS r
        WHERE r.created_at >= d.start AND r.created_at < d.end AND r.status != 'pending'
        GROUP BY d.day, r.provider, r.model, COALESCE(r.prompt_name, '')""")
    rebuild_dimensions(conn, name)
    conn.execute("DROP TABLE rollup_days")
    fill_coarser_rollups(conn)
    return name


def make_rollup_days(conn: Connection, tz_name: str) -> bool:
    """The temp table `rollup_days` (day, start, end) of every local day holding a settled run; False: none."""
    first, last = conn.execute("SELECT MIN(created_at), MAX(created_at) FROM run WHERE status != 'pending'").fetchone()
    if first is None:
        return False
    tz = zone(tz_name)
    day = from_db(first).astimezone(tz).date()
    last_day = from_db(last).astimezone(tz).date()
    days: list[tuple[str, str, str]] = []
    while day <= last_day:
        start, end = day_bounds(day, tz)
        days.append((day.isoformat(), to_db(start), to_db(end)))
        day += timedelta(days=1)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS rollup_days (day TEXT, start TEXT, end TEXT)")
    conn.execute("DELETE FROM rollup_days")
    conn.executemany("INSERT INTO rollup_days VALUES (?, ?, ?)", days)
    return True


def _current_sums_sql(count: int) -> str:
    per_window = ("(SELECT COALESCE(SUM(cost_nanos), 0) FROM daily_total WHERE day >= ? AND day < ?), "
                  "(SELECT COALESCE(SUM(unpriced_runs), 0) FROM daily_total WHERE day >= ? AND day < ?), "
                  "(SELECT COALESCE(SUM(reserved_nanos), 0) FROM run INDEXED BY ix_run_pending "
                  "WHERE status = 'pending' AND created_at >= ? AND created_at < ?)")  # few rows, whatever the stats
    return f"SELECT ({ROLLUP_TZ_SQL}), " + ", ".join([per_window] * count)


_CURRENT_SUMS_SQL = {count: _current_sums_sql(count) for count in (1, 2, 3)}


def window_sums(conn: Connection, windows: list[tuple[datetime, datetime]],
                tz_name: str) -> list[tuple[int, int, int]]:
    """(settled cost, unpriced runs, reserved) for each [start, end) window of local days in `tz_name`.

    One statement over the per-day totals (about 30 rows a month) and the pending runs, when the
    rollup keeps days in `tz_name`; otherwise the raw rows (exact, slower).
    """
    if not windows:
        return []
    days = [(local_day(start, tz_name), local_day(end, tz_name)) for start, end in windows]
    params: list[str | None] = []
    for (start_day, end_day), (start, end) in zip(days, windows):
        params += [start_day, end_day, start_day, end_day, to_db(start), to_db(end)]
    sql = _CURRENT_SUMS_SQL.get(len(windows)) or _current_sums_sql(len(windows))
    row = conn.execute(sql, params).fetchone()
    if row[0] == tz_name:
        return [(row[1 + 3 * i], row[2 + 3 * i], row[3 + 3 * i]) for i in range(len(windows))]
    spent = window_spend(conn, windows, tz_name)
    return [(cost, unpriced, row[3 + 3 * i]) for i, (cost, unpriced) in enumerate(spent)]


def window_spend(conn: Connection, windows: list[tuple[datetime, datetime]],
                 tz_name: str) -> list[tuple[int, int]]:
    """(settled cost, unpriced runs) for each [start, end) window; windows start and end at local midnights.

    Whole days from the per-day totals when the rollup is in `tz_name`, else everything from the raw rows.
    """
    if not windows:
        return []
    results = [[0, 0] for _ in windows]
    if rollup_timezone(conn) == tz_name:
        bounds = [(local_day(start, tz_name), local_day(end, tz_name)) for start, end in windows]
        rows = conn.execute("SELECT day, cost_nanos, unpriced_runs FROM daily_total WHERE day >= ? AND day < ?",
                            (min(b[0] for b in bounds), max(b[1] for b in bounds))).fetchall()
        for day, cost, unpriced in rows:
            for index, (start_day, end_day) in enumerate(bounds):
                if start_day <= day < end_day:
                    results[index][0] += cost
                    results[index][1] += unpriced
        return [(cost, unpriced) for cost, unpriced in results]
    # Cut the range at every window edge and sum each piece once (covering index, no CASE per row).
    edges = sorted({edge for start, end in windows for edge in (start, end)})
    pieces = list(zip(edges, edges[1:]))
    sql = " UNION ALL ".join(
        f"SELECT {number}, COALESCE(SUM(cost_nanos), 0), COALESCE(SUM(cost_nanos IS NULL), 0) FROM run "
        "WHERE created_at >= ? AND created_at < ? AND status != 'pending'" for number in range(len(pieces)))
    params = tuple(text for start, end in pieces for text in (to_db(start), to_db(end)))
    sums = {number: (cost, unpriced) for number, cost, unpriced in conn.execute(sql, params).fetchall()}
    for index, (start, end) in enumerate(windows):
        for number, (piece_start, piece_end) in enumerate(pieces):
            if start <= piece_start and piece_end <= end:
                results[index][0] += sums[number][0]
                results[index][1] += sums[number][1]
    return [(cost, unpriced) for cost, unpriced in results]


def window_reserved(conn: Connection, windows: list[tuple[datetime, datetime]]) -> list[int]:
    """Worst cases held by pending runs created in each window."""
    pending = conn.execute("SELECT created_at, reserved_nanos FROM run WHERE status = 'pending'").fetchall()
    held = [0] * len(windows)
    for created_text, reserved in pending:
        created = from_db(created_text)
        for index, (start, end) in enumerate(windows):
            if start <= created < end:
                held[index] += reserved or 0
    return held
