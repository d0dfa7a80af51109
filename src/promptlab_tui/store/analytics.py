"""The dashboard's grouped sums over local days [first, end): from the per-day rollups, or the raw rows.

The rollups (updated in the transaction that settles each run, so exact at every instant, today included)
answer every unfiltered question and the filters they carry (model/provider/prompt on `daily_rollup`, one
tag on `daily_tag`, one source on `daily_source`). Any other filter (status, tag with another dimension...),
or a time zone other than the rollup's, is answered from the raw rows, grouped by UTC hour in SQL and
mapped to local days in Python (exact for zones with whole-hour offsets).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Iterable

from promptlab_tui.core.analytics.figures import Totals
from promptlab_tui.core.budget import day_bounds, zone
from promptlab_tui.store.cache_hits import not_cache_hit
from promptlab_tui.store.codec import to_db
from promptlab_tui.store.rollup import rollup_timezone

if TYPE_CHECKING:
    from sqlite3 import Connection

UTC = timezone.utc
GROUPINGS = ("total", "day", "model", "provider", "prompt", "tag", "source", "model_prompt", "hour", "input",
             "tag_model", "source_model")
_ROLLUP_SUMS = ("SUM(runs), SUM(input_tokens), SUM(output_tokens), SUM(cached_input_tokens), "
                "SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(cost_nanos), SUM(unpriced_runs), {errors}")
_RAW_SUMS = ("COUNT(*), SUM(r.input_tokens), SUM(r.output_tokens), SUM(r.cached_input_tokens), "
             "SUM(r.cache_write_tokens + r.cache_write_1h_tokens), SUM(r.reasoning_tokens), "
             "COALESCE(SUM(r.cost_nanos), 0), SUM(r.cost_nanos IS NULL), SUM(r.status = 'error')")
_TAGS_OF = "json_each(CASE WHEN json_valid(r.tags) AND r.tags LIKE '[%' THEN r.tags ELSE '[]' END)"
# grouping -> (rollup table, key columns); the raw path's key expressions are in _RAW_KEYS
_TABLES = {
    # totals and days from the per-model table: it counts error runs too (a month is ~30 x models rows)
    "total": ("daily_model", ()), "day": ("daily_model", ("day",)), "model": ("daily_model", ("provider", "model")),
    "provider": ("daily_model", ("provider",)), "prompt": ("daily_prompt", ("prompt_name",)),
    "tag": ("daily_tag", ("tag",)), "source": ("daily_source", ("source",)),
    "model_prompt": ("daily_rollup", ("provider", "model", "prompt_name")), "hour": ("daily_hour", ("day", "hour")),
    "input": ("daily_input", ("provider", "model", "prompt_id")),
    "tag_model": ("daily_tag_model", ("provider", "model", "tag")),
    "source_model": ("daily_source_model", ("provider", "model", "source")),
}
_RAW_KEYS = {
    "total": (), "day": ("day",), "model": ("r.provider", "r.model"), "provider": ("r.provider",),
    "prompt": ("COALESCE(r.prompt_name, '')",), "tag": ("COALESCE(t.value, '')",),
    "source": ("COALESCE(r.source, '')",), "model_prompt": ("r.provider", "r.model", "COALESCE(r.prompt_name, '')"),
    "hour": ("day", "hour"), "input": ("r.provider", "r.model", "r.prompt_id"),
    "tag_model": ("r.provider", "r.model", "COALESCE(t.value, '')"),
    "source_model": ("r.provider", "r.model", "COALESCE(r.source, '')"),
}
_ROLLUP_FILTERS = {"model": "model", "provider": "provider", "prompt": "prompt_name"}


@dataclass(frozen=True)
class Filters:
    """Exact-match filters of `report`, `history` and the dashboard (None: any)."""

    model: str | None = None
    provider: str | None = None
    prompt: str | None = None  # '' matches runs without a name
    tag: str | None = None
    status: str | None = None
    source: str | None = None

    def active(self) -> dict[str, str]:
        return {name: value for name, value in vars(self).items() if value is not None}


def _rollup_plan(grouping: str, filters: Filters) -> tuple[str, tuple[str, ...], list[tuple[str, str]]] | None:
    """(table, keys, [(column, value)]) when a rollup can answer exactly; None: use the raw rows."""
    active = filters.active()
    table, keys = _TABLES[grouping]
    if not active:
        return table, keys, []
    if set(active) <= set(_ROLLUP_FILTERS) and grouping in ("total", "day", "model", "provider", "prompt",
                                                            "model_prompt"):
        return "daily_rollup", keys, [(_ROLLUP_FILTERS[name], value) for name, value in active.items()]
    for only, column in (("tag", "tag"), ("source", "source")):
        if set(active) == {only} and grouping in ("total", "day", only):
            return f"daily_{only}", keys, [(column, active[only])]
        if grouping == f"{only}_model" and set(active) <= {only, "model", "provider"}:
            return table, keys, list(active.items())  # the columns are named as the filters
    return None


def grouped_sums(conn: Connection, first: date, end: date, grouping: str, tz_name: str,
                 filters: Filters | None = None) -> dict[tuple, Totals]:
    """Settled runs of local days [first, end) in `tz_name`, summed per key of `grouping` (see GROUPINGS).

    Keys: () total; (day,) as `date`; (provider, model); (provider,); (prompt,) ('' unnamed); (tag,) (''
    untagged; a run counts in each of its tags); (source,) ('' not recorded); (provider, model, prompt);
    (day, hour) local; (provider, model, input fingerprint); (provider, model, tag); (provider, model, source).
    """
    if grouping not in _TABLES:
        raise ValueError(f"grouping {grouping!r}: expected one of {', '.join(GROUPINGS)}")
    filters = filters or Filters()
    if first >= end:
        return {}
    plan = _rollup_plan(grouping, filters) if rollup_timezone(conn) == tz_name else None
    if plan is not None and not plan[2] and grouping in _WEEKLY and (end - first).days >= 7:
        return _from_weeks(conn, first, end, grouping)
    if plan is not None:
        return _from_rollup(conn, first, end, grouping, *plan)
    return _from_raw(conn, first, end, grouping, tz_name, filters)


def _from_rollup(conn: Connection, first: date, end: date, grouping: str, table: str, keys: tuple[str, ...],
                 where: list[tuple[str, str]]) -> dict[tuple, Totals]:
    errors = "0" if table == "daily_total" else "SUM(error_runs)"
    clauses = "".join(f" AND {column} = ?" for column, _ in where)
    group = f" GROUP BY {', '.join(keys)}" if keys else ""
    select = ", ".join((*keys, _ROLLUP_SUMS.format(errors=errors)))
    sql = f"SELECT {select} FROM {table} WHERE day >= ? AND day < ?{clauses}{group}"
    rows = conn.execute(sql, (first.isoformat(), end.isoformat(), *(value for _, value in where))).fetchall()
    out: dict[tuple, Totals] = {}
    for row in rows:
        key, sums = tuple(row[:len(keys)]), row[len(keys):]
        if sums[0] is None or sums[0] == 0:
            continue
        if grouping in ("day", "hour"):
            key = (date.fromisoformat(key[0]), *key[1:])
        out[key] = Totals(*(value or 0 for value in sums))
    return out


_WEEKLY = {"model_prompt": "weekly_rollup", "input": "weekly_input"}


def week_plan(first: date, end: date, data_end: date) -> tuple[list[date], list[tuple[date, date]],
                                                                list[tuple[date, date]]]:
    """[first, end) as (whole weeks to add, day ranges to add, day ranges to subtract).

    A week the period covers in part is read as its days inside, or as the week minus its days outside,
    whichever reads fewer days (days from `data_end` on hold nothing).
    """
    weeks: list[date] = []
    add: list[tuple[date, date]] = []
    sub: list[tuple[date, date]] = []
    monday = first - timedelta(days=first.weekday())
    while monday < end:
        sunday_end = monday + timedelta(days=7)
        inside = (max(first, monday), min(end, sunday_end))
        if inside == (monday, sunday_end):
            weeks.append(monday)
        else:
            outside = [(monday, inside[0]), (inside[1], min(sunday_end, max(data_end, inside[1])))]
            outside = [(a, b) for a, b in outside if a < b]
            if (inside[1] - inside[0]).days <= sum((b - a).days for a, b in outside):
                add.append(inside)
            else:
                weeks.append(monday)
                sub += outside
        monday = sunday_end
    return weeks, add, sub


def _from_weeks(conn: Connection, first: date, end: date, grouping: str) -> dict[tuple, Totals]:
    """Whole ISO weeks from the weekly table, edges from the daily one (added, or subtracted from a week):
    one statement, summed in SQL."""
    row = conn.execute("SELECT MAX(day) FROM daily_total").fetchone()
    data_end = date.fromisoformat(row[0]) + timedelta(days=1) if row and row[0] else first
    weeks, add, sub = week_plan(first, end, data_end)
    table, keys = _TABLES[grouping]
    columns = ", ".join(keys)
    parts, params = [], []
    if weeks:
        parts.append(f"SELECT {columns}, {_PLAIN_SUMS} FROM {_WEEKLY[grouping]} "
                     f"WHERE week IN ({', '.join('?' * len(weeks))})")
        params += [w.isoformat() for w in weeks]
    for ranges, sums in ((add, _PLAIN_SUMS), (sub, _NEGATED_SUMS)):
        for start, stop in ranges:
            parts.append(f"SELECT {columns}, {sums} FROM {table} WHERE day >= ? AND day < ?")
            params += [start.isoformat(), stop.isoformat()]
    if not parts:
        return {}
    sql = (f"SELECT {columns}, {_ROLLUP_SUMS.format(errors='SUM(error_runs)')} FROM ({' UNION ALL '.join(parts)}) "
           f"GROUP BY {columns} HAVING SUM(runs) > 0")
    return {tuple(found[:len(keys)]): Totals(*found[len(keys):]) for found in conn.execute(sql, params)}


_PLAIN_SUMS = ("runs, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, "
               "cost_nanos, unpriced_runs, error_runs")
_NEGATED_SUMS = ", ".join(f"-{column} AS {column}" for column in _PLAIN_SUMS.split(", "))


def _from_raw(conn: Connection, first: date, end: date, grouping: str, tz_name: str,
              filters: Filters) -> dict[tuple, Totals]:
    start, stop = day_bounds(first, tz_name)[0], day_bounds(end, tz_name)[0]
    keys = tuple(k for k in _RAW_KEYS[grouping] if k not in ("day", "hour"))
    local = "day" in _RAW_KEYS[grouping]
    joins, clauses, params = "", ["r.created_at >= ?", "r.created_at < ?", "r.status != 'pending'"], \
        [to_db(start), to_db(stop)]
    for name, column in (("model", "r.model"), ("provider", "r.provider"), ("status", "r.status"),
                         ("source", "COALESCE(r.source, '')"), ("prompt", "COALESCE(r.prompt_name, '')")):
        value = getattr(filters, name)
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if grouping in ("tag", "tag_model"):
        joins = f" LEFT JOIN {_TAGS_OF} AS t"
    if filters.tag is not None:
        clauses.append(f"EXISTS (SELECT 1 FROM {_TAGS_OF} AS f WHERE f.value = ?)"
                       if filters.tag else "(r.tags IS NULL OR r.tags IN ('', '[]'))")
        if filters.tag:
            params.append(filters.tag)
    if grouping == "input":
        clauses.append("r.prompt_id IS NOT NULL")
    hour = ("substr(r.created_at, 1, 13)",) if local else ()
    group_by = (*hour, *keys)
    select = ", ".join((*group_by, _RAW_SUMS))
    sql = (f"SELECT {select} FROM run AS r{joins} WHERE {' AND '.join(clauses)}"
           + (f" GROUP BY {', '.join(group_by)}" if group_by else ""))
    out: dict[tuple, Totals] = {}
    tz = zone(tz_name)
    local_hours: dict[str, tuple[date, int]] = {}
    for row in conn.execute(sql, params):
        sums = row[len(group_by):]
        if not sums[0]:
            continue
        key = tuple(row[len(hour):len(group_by)])
        if local:
            text = row[0]
            if text not in local_hours:
                instant = datetime.fromisoformat(text + ":00:00").replace(tzinfo=UTC).astimezone(tz)
                local_hours[text] = (instant.date(), instant.hour)
            day, hour_of_day = local_hours[text]
            key = (day, hour_of_day) if grouping == "hour" else (day, *key)
        totals = Totals(*(value or 0 for value in sums))
        out[key] = out[key] + totals if key in out else totals
    return out


def first_recorded_day(conn: Connection) -> date | None:
    """The first local day with a settled run (rollup's zone), None for an empty history."""
    row = conn.execute("SELECT MIN(day) FROM daily_total").fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def input_names(conn: Connection, first: date, end: date,
                inputs: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """The prompt name each (provider, model, input fingerprint) ran under, for the few shown."""
    out: dict[str, str] = {}
    for provider, model, fingerprint in dict.fromkeys(inputs):
        found = conn.execute(
            "SELECT prompt_name FROM daily_input WHERE day >= ? AND day < ? AND provider = ? AND model = ? AND "
            "prompt_id = ? AND prompt_name != '' LIMIT 1",
            (first.isoformat(), end.isoformat(), provider, model, fingerprint)).fetchone()
        if found:
            out[fingerprint] = found[0]
    return out


def output_samples(conn: Connection, start: datetime, end: datetime, keys: Iterable[tuple[str, str, str]],
                   limit: int = 500) -> dict[tuple[str, str, str], tuple[list[int], list[int]]]:
    """(output tokens, max tokens) of the last `limit` completed runs per (provider, model, prompt) in [start, end)."""
    out = {}
    for provider, model, prompt in keys:
        rows = conn.execute(
            "SELECT output_tokens, max_tokens FROM run INDEXED BY ix_run_model_prompt_created WHERE model = ? AND "
            "prompt_name = ? AND created_at >= ? AND created_at < ? AND provider = ? AND status = 'completed' "
            f"AND max_tokens IS NOT NULL{not_cache_hit(conn)} ORDER BY created_at DESC LIMIT ?",
            (model, prompt, to_db(start), to_db(end), provider, limit)).fetchall()
        if rows:
            out[(provider, model, prompt)] = ([r[0] for r in rows], [r[1] for r in rows])
    return out


def estimate_rows(conn: Connection, start: datetime, end: datetime, limit: int = 5000) -> list[tuple]:
    """(model, estimated input, billed input, estimated output, output, expected cost, cost) of the last `limit`
    completed runs in [start, end) with reported usage and an estimate."""
    return conn.execute(
        "SELECT model, estimate_input_tokens, input_tokens + cached_input_tokens + cache_write_tokens "
        "+ cache_write_1h_tokens, estimate_output_tokens, output_tokens, expected_cost_nanos, cost_nanos FROM run "
        "WHERE created_at >= ? AND created_at < ? AND status = 'completed' AND NOT usage_estimated AND "
        f"estimate_input_tokens IS NOT NULL AND estimate_output_tokens IS NOT NULL{not_cache_hit(conn)} "
        "ORDER BY created_at DESC LIMIT ?", (to_db(start), to_db(end), limit)).fetchall()
