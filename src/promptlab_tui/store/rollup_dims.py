"""The dashboard's rollup dimensions (schema 4): per local day by tag, by source, by local hour, by input.

Kept in step with `store.rollup`: counted in the transaction that settles a run, recounted from the raw
rows with the rest of the rollup. A run with several tags counts in each tag; untagged runs count under ''.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Sequence

from promptlab_tui.core.budget import zone
from promptlab_tui.store.codec import from_db, to_db

if TYPE_CHECKING:
    from datetime import datetime
    from sqlite3 import Connection

SUMS = ("runs", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "reasoning_tokens",
        "cost_nanos", "unpriced_runs", "error_runs")
# table -> its key columns after `day`
DIMENSION_TABLES: dict[str, tuple[str, ...]] = {
    "daily_tag": ("tag",), "daily_source": ("source",), "daily_hour": ("hour",),
    "daily_input": ("provider", "model", "prompt_id"),
    "daily_tag_model": ("tag", "provider", "model"), "daily_source_model": ("source", "provider", "model"),
}


def _upsert(table: str, keys: tuple[str, ...]) -> str:
    columns = ", ".join(("day", *keys, *SUMS))
    added = ", ".join(f"{name} = {name} + excluded.{name}" for name in SUMS)
    return (f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * (1 + len(keys) + len(SUMS)))}) "
            f"ON CONFLICT (day, {', '.join(keys)}) DO UPDATE SET {added}")


_UPSERTS = {table: _upsert(table, keys) for table, keys in DIMENSION_TABLES.items()}
_UPSERTS["weekly_rollup"] = _upsert("weekly_rollup", ("provider", "model", "prompt_name")).replace("day", "week")
_UPSERTS["weekly_input"] = _upsert("weekly_input", ("provider", "model", "prompt_id")).replace("day", "week").replace(
    "(week, provider, model, prompt_id, runs", "(week, provider, model, prompt_id, prompt_name, runs").replace(
    "VALUES (?", "VALUES (?, ?", 1)
WEEKLY_TABLES = {"weekly_rollup": ("daily_rollup", ("provider", "model", "prompt_name")),
                 "weekly_input": ("daily_input", ("provider", "model", "prompt_id"))}
_UPSERTS["daily_input"] = _UPSERTS["daily_input"].replace(
    "(day, provider, model, prompt_id, runs", "(day, provider, model, prompt_id, prompt_name, runs").replace(
    "VALUES (?", "VALUES (?, ?", 1)


def add_dimensions(conn: Connection, day: str, hour: int, sums: Sequence[int], tags: Sequence[str],
                   source: str | None, provider: str, model: str, prompt_id: str | None,
                   prompt_name: str | None = None) -> None:
    """Count one settled run (`sums` in the order of SUMS) in every dimension table."""
    each_tag = tuple(dict.fromkeys(tags)) or ("",)
    conn.executemany(_UPSERTS["daily_tag"], [(day, tag, *sums) for tag in each_tag])
    conn.execute(_UPSERTS["daily_source"], (day, source or "", *sums))
    conn.executemany(_UPSERTS["daily_tag_model"], [(day, tag, provider, model, *sums) for tag in each_tag])
    conn.execute(_UPSERTS["daily_source_model"], (day, source or "", provider, model, *sums))
    conn.execute(_UPSERTS["daily_hour"], (day, hour, *sums))
    week = week_of(day)
    conn.execute(_UPSERTS["weekly_rollup"], (week, provider, model, prompt_name or "", *sums))
    if prompt_id:
        conn.execute(_UPSERTS["daily_input"], (day, provider, model, prompt_id, prompt_name or "", *sums))
        conn.execute(_UPSERTS["weekly_input"], (week, provider, model, prompt_id, prompt_name or "", *sums))


_RAW_SUMS = ("COUNT(*), SUM(r.input_tokens), SUM(r.output_tokens), SUM(r.cached_input_tokens), "
             "SUM(r.cache_write_tokens + r.cache_write_1h_tokens), SUM(r.reasoning_tokens), "
             "COALESCE(SUM(r.cost_nanos), 0), SUM(r.cost_nanos IS NULL), SUM(r.status = 'error')")
_TAGS_OF = "json_each(CASE WHEN json_valid(r.tags) AND r.tags LIKE '[%' THEN r.tags ELSE '[]' END)"


def rebuild_dimensions(conn: Connection, tz_name: str) -> None:
    """Recount the dimension tables from the raw rows; needs the temp table `rollup_days` (day, start, end)."""
    for table in DIMENSION_TABLES:
        conn.execute(f"DELETE FROM {table}")
    where = "r.created_at >= d.start AND r.created_at < d.end AND r.status != 'pending'"
    conn.execute(f"""INSERT INTO daily_tag (day, tag, {', '.join(SUMS)})
        SELECT d.day, COALESCE(t.value, ''), {_RAW_SUMS} FROM rollup_days AS d CROSS JOIN run AS r
        LEFT JOIN {_TAGS_OF} AS t WHERE {where} GROUP BY d.day, COALESCE(t.value, '')""")
    conn.execute(f"""INSERT INTO daily_source (day, source, {', '.join(SUMS)})
        SELECT d.day, COALESCE(r.source, ''), {_RAW_SUMS} FROM rollup_days AS d CROSS JOIN run AS r
        WHERE {where} GROUP BY d.day, COALESCE(r.source, '')""")
    conn.execute(f"""INSERT INTO daily_input (day, provider, model, prompt_id, prompt_name, {', '.join(SUMS)})
        SELECT d.day, r.provider, r.model, r.prompt_id, COALESCE(MIN(r.prompt_name), ''), {_RAW_SUMS} FROM rollup_days AS d CROSS JOIN run AS r
        WHERE {where} AND r.prompt_id IS NOT NULL GROUP BY d.day, r.provider, r.model, r.prompt_id""")
    fill_model_dimensions(conn)
    _rebuild_hours(conn, tz_name)
    rebuild_weeks(conn)


def fill_model_dimensions(conn: Connection) -> None:
    """Count the tag x model and source x model tables from the raw rows (empty tables; needs `rollup_days`)."""
    where = "r.created_at >= d.start AND r.created_at < d.end AND r.status != 'pending'"
    conn.execute(f"""INSERT INTO daily_tag_model (day, tag, provider, model, {', '.join(SUMS)})
        SELECT d.day, COALESCE(t.value, ''), r.provider, r.model, {_RAW_SUMS} FROM rollup_days AS d CROSS JOIN run AS r
        LEFT JOIN {_TAGS_OF} AS t WHERE {where} GROUP BY d.day, COALESCE(t.value, ''), r.provider, r.model""")
    conn.execute(f"""INSERT INTO daily_source_model (day, source, provider, model, {', '.join(SUMS)})
        SELECT d.day, COALESCE(r.source, ''), r.provider, r.model, {_RAW_SUMS} FROM rollup_days AS d
        CROSS JOIN run AS r WHERE {where} GROUP BY d.day, COALESCE(r.source, ''), r.provider, r.model""")


def week_of(day: str) -> str:
    """The Monday (YYYY-MM-DD) of the ISO week of a local day."""
    first = date.fromisoformat(day)
    return (first - timedelta(days=first.weekday())).isoformat()


_WEEK_SQL = "date(day, '-' || ((CAST(strftime('%w', day) AS INTEGER) + 6) % 7) || ' days')"


def rebuild_weeks(conn: Connection) -> None:
    """Recount the weekly tables from the daily ones."""
    for weekly, (daily, keys) in WEEKLY_TABLES.items():
        name = ", prompt_name" if weekly == "weekly_input" else ""
        conn.execute(f"DELETE FROM {weekly}")
        conn.execute(f"INSERT INTO {weekly} (week, {', '.join(keys)}{name}, {', '.join(SUMS)}) SELECT {_WEEK_SQL}, "
                     f"{', '.join(keys)}{', MAX(prompt_name)' if name else ''}, "
                     f"{', '.join(f'SUM({column})' for column in SUMS)} FROM {daily} "
                     f"GROUP BY {_WEEK_SQL}, {', '.join(keys)}")


def _rebuild_hours(conn: Connection, tz_name: str) -> None:
    first, last = conn.execute("SELECT MIN(created_at), MAX(created_at) FROM run WHERE status != 'pending'").fetchone()
    if first is None:
        return
    tz = zone(tz_name)
    # Half-hour steps, each labelled by the local (day, hour) it starts in: exact for whole- and half-hour zones.
    step = from_db(first).replace(minute=0, second=0, microsecond=0)
    stop = from_db(last) + timedelta(hours=1)
    slots: list[tuple[str, int, str, str]] = []
    while step < stop:
        local = step.astimezone(tz)
        slots.append((local.date().isoformat(), local.hour, to_db(step), to_db(step + timedelta(minutes=30))))
        step += timedelta(minutes=30)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS rollup_hours (day TEXT, hour INTEGER, start TEXT, end TEXT)")
    conn.execute("DELETE FROM rollup_hours")
    conn.executemany("INSERT INTO rollup_hours VALUES (?, ?, ?, ?)", slots)
    conn.execute(f"""INSERT INTO daily_hour (day, hour, {', '.join(SUMS)})
        SELECT h.day, h.hour, {_RAW_SUMS} FROM rollup_hours AS h CROSS JOIN run AS r
        WHERE r.created_at >= h.start AND r.created_at < h.end AND r.status != 'pending'
        GROUP BY h.day, h.hour""")
    conn.execute("DROP TABLE rollup_hours")


def local_day_hour(instant: datetime, tz_name: str) -> tuple[str, int]:
    local = instant.astimezone(zone(tz_name))
    return local.date().isoformat(), local.hour
