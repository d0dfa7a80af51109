"""Read-only queries of the history: budget status, spend, pages of runs, output statistics."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Iterator

from promptlab_tui.core.budget import (
    BudgetSettings, PeriodStatus, period_bounds, previous_periods, projected_spend, suggest_budget)
from promptlab_tui.core.history import PERIOD_KINDS, OutputStats, RollupRow, RunRecord, RunSummary, SpendSummary
from promptlab_tui.store.cache_hits import not_cache_hit
from promptlab_tui.store.codec import RUN_SELECT, RUN_SELECT_NO_TEXT, UTC, run_from_row, to_db, utc_now
from promptlab_tui.store.rollup import window_reserved, window_spend

if TYPE_CHECKING:
    from promptlab_tui.store.database import Database

HISTORY_PERIODS = 3  # complete periods looked at for a suggested budget
STATS_WINDOW = 200  # recent completed runs that predict output length
CALIBRATION_WINDOW = 50


def budget_status(db: Database, settings: BudgetSettings, now: datetime | None = None,
                  with_suggestions: bool = True) -> list[PeriodStatus]:
    """Every calendar period (limited or not): spent, reserved, limit, projection and a suggested limit."""
    now = now or utc_now()
    tz = settings.tz
    current = [period_bounds(kind, now, tz) for kind in PERIOD_KINDS]
    history_count = HISTORY_PERIODS if with_suggestions else 0
    past = [previous_periods(kind, now, tz, history_count) for kind in PERIOD_KINDS]
    windows = current + [bounds for periods in past for bounds in periods]
    with db.raw_read() as conn:
        spent = window_spend(conn, windows, settings.timezone)
        held = window_reserved(conn, current)
    statuses = []
    for index, kind in enumerate(PERIOD_KINDS):
        start, end = current[index]
        cost, unpriced = spent[index]
        offset = len(current) + index * history_count
        history = [spent[offset + i][0] for i in range(history_count)]
        projected = projected_spend(cost, start, end, now)
        statuses.append(PeriodStatus(
            kind=kind, start=start, end=end, spent_nanos=cost, reserved_nanos=held[index],
            limit_nanos=settings.limit_for(kind), unpriced_runs=unpriced, projected_nanos=projected,
            suggested_limit_nanos=suggest_budget(history, projected) if with_suggestions else None))
    return statuses


def limit_status(db: Database, settings: BudgetSettings, now: datetime | None = None) -> list[PeriodStatus]:
    if not settings.has_limits:
        return []
    from promptlab_tui.store.periods import period_statuses

    with db.raw_read() as conn:
        return period_statuses(conn, settings, now or utc_now())


_SUMS = ("COUNT(*), COALESCE(SUM(cost_nanos), 0), COALESCE(SUM(cost_nanos IS NULL), 0), "
         "COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cached_input_tokens), 0), "
         "COALESCE(SUM(cache_write_tokens + cache_write_1h_tokens), 0), COALESCE(SUM(reasoning_tokens), 0), "
         "COALESCE(SUM(provider_cost_nanos), 0)")


def spend_between(db: Database, start: datetime | None = None, end: datetime | None = None) -> SpendSummary:
    """Totals of settled runs created in [start, end); open ends mean 'from the first' / 'to the last'."""
    clauses, params = ["status != 'pending'"], []
    if start is not None:
        clauses.append("created_at >= ?")
        params.append(to_db(start))
    if end is not None:
        clauses.append("created_at < ?")
        params.append(to_db(end))
    with db.raw_read() as conn:
        row = conn.execute(f"SELECT {_SUMS} FROM run WHERE {' AND '.join(clauses)}", tuple(params)).fetchone()
    return SpendSummary(*row)


def total_spend(db: Database) -> SpendSummary:
    """All settled runs, from the rollup (fast at any size)."""
    with db.raw_read() as conn:
        row = conn.execute(
            "SELECT COALESCE(SUM(runs), 0), COALESCE(SUM(cost_nanos), 0), COALESCE(SUM(unpriced_runs), 0), "
            "COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cached_input_tokens), 0), "
            "COALESCE(SUM(cache_write_tokens), 0), COALESCE(SUM(reasoning_tokens), 0), 0 FROM daily_total").fetchone()
    return SpendSummary(*row)


def recent_runs(db: Database, limit: int = 50, before: tuple[datetime, str] | None = None,
                include_text: bool = False) -> list[RunRecord]:
    """Newest first; pass the last row's (created_at, id) as `before` for the next page (keyset)."""
    columns = RUN_SELECT if include_text else RUN_SELECT_NO_TEXT
    with db.raw_read() as conn:
        if before is None:
            rows = conn.execute(
                f"SELECT {columns} FROM run ORDER BY created_at DESC, id DESC LIMIT ?", (limit,)).fetchall()
        else:
            rows = conn.execute(
                f"SELECT {columns} FROM run WHERE (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC "
                "LIMIT ?", (to_db(before[0]), before[1], limit)).fetchall()
    return [run_from_row(row) for row in rows]


_SUMMARY_SELECT = ("SELECT id, created_at, status, provider, model, prompt_name, input_tokens + cached_input_tokens"
                   " + cache_write_tokens + cache_write_1h_tokens, output_tokens, usage_estimated, cost_nanos,"
                   " reserved_nanos, expected_cost_nanos, duration_ms FROM run")
_NEWEST_FIRST = " ORDER BY created_at DESC, id DESC LIMIT ?"


def history_page(db: Database, limit: int = 50, before: tuple[datetime, str] | None = None,
                 prompt_name: str | None = None) -> list[RunSummary]:
    """A page of the history table, newest first (keyset: pass the last row's (created_at, id) as `before`).

    Only the shown columns, one statement (atomic by itself, so no BEGIN/COMMIT), one timestamp parsed
    per row: cheaper than `SELECT *` on the same index.
    """
    clauses, params = [], []
    if before is not None:
        clauses.append("(created_at, id) < (?, ?)")
        params += [to_db(before[0]), before[1]]
    if prompt_name is not None:
        clauses.append("prompt_name = ?")
        params.append(prompt_name)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = db.fetch_all(f"{_SUMMARY_SELECT}{where}{_NEWEST_FIRST}", (*params, limit))
    parse = datetime.fromisoformat  # stored as naive UTC text (codec.to_db)
    return [RunSummary(r[0], parse(r[1]).replace(tzinfo=UTC), r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]),
                       r[9], r[10] or 0, r[11], r[12]) for r in rows]


def iter_runs(db: Database, start: datetime | None = None, end: datetime | None = None,
              batch: int = 2000) -> Iterator[RunRecord]:
    """Oldest first, in batches (constant memory at any history size)."""
    after: tuple[str, str] = (to_db(start) if start else "", "")
    stop = to_db(end) if end else "9999-12-31 23:59:59.999999"  # text: "9999" would compare as a number
    while True:
        with db.raw_read() as conn:
            rows = conn.execute(
                f"SELECT {RUN_SELECT} FROM run WHERE (created_at, id) > (?, ?) AND created_at < ? "
                "ORDER BY created_at, id LIMIT ?", (*after, stop, batch)).fetchall()
        if not rows:
            return
        for row in rows:
            yield run_from_row(row)
        after = (rows[-1][1], rows[-1][0])


def get_run(db: Database, run_id: str) -> RunRecord | None:
    with db.raw_read() as conn:
        row = conn.execute(f"SELECT {RUN_SELECT} FROM run WHERE id = ?", (run_id,)).fetchone()
    return None if row is None else run_from_row(row)


def count_runs(db: Database) -> int:
    with db.raw_read() as conn:
        return int(conn.execute("SELECT COUNT(*) FROM run").fetchone()[0] or 0)


def output_stats(db: Database, model: str, prompt_name: str | None = None) -> OutputStats | None:
    """Mean and 90th percentile of output tokens over the model's recent completed runs."""
    sql = "SELECT output_tokens FROM run WHERE model = ? AND status = 'completed'"
    params: tuple = (model,)
    if prompt_name is not None:
        sql += " AND prompt_name = ?"
        params += (prompt_name,)
    with db.raw_read() as conn:
        values = [row[0] for row in conn.execute(
            f"{sql}{not_cache_hit(conn)} ORDER BY created_at DESC LIMIT {STATS_WINDOW}", params).fetchall()]
    if not values:
        return None
    ordered = sorted(values)
    rank = -(-9 * len(ordered) // 10)  # nearest rank, ceil(0.9 n)
    return OutputStats(mean=round(sum(values) / len(values)), p90=ordered[rank - 1], count=len(values))


def duration_samples(db: Database, model: str, prompt_name: str | None = None) -> list[tuple[int, int]]:
    """(duration ms, output tokens) of the model's (and prompt's) recent completed runs, newest first."""
    sql = "SELECT duration_ms, output_tokens FROM run WHERE model = ? AND status = 'completed' AND duration_ms > 0"
    params: tuple = (model,)
    if prompt_name is not None:
        sql += " AND prompt_name = ?"
        params += (prompt_name,)
    with db.raw_read() as conn:
        rows = conn.execute(f"{sql}{not_cache_hit(conn)} ORDER BY created_at DESC LIMIT {CALIBRATION_WINDOW}",
                            params).fetchall()
    return [(int(ms), int(out)) for ms, out in rows]


def usage_of_prompt(db: Database, prompt_id: str) -> list[tuple[str, int, int, int | None]]:
    """(model, input tokens billed, output tokens, cost nanos) of completed runs of exactly this prompt text."""
    with db.raw_read() as conn:
        rows = conn.execute(
            "SELECT model, input_tokens + cached_input_tokens + cache_write_tokens + cache_write_1h_tokens,"
            " output_tokens, cost_nanos FROM run WHERE prompt_id = ? AND status = 'completed'"
            f" AND NOT usage_estimated{not_cache_hit(conn)} ORDER BY created_at DESC", (prompt_id,)).fetchall()
    return [(str(model), int(billed), int(out), cost) for model, billed, out, cost in rows]


def calibration_ratio(db: Database, model: str, kind: str = "text") -> float | None:
    """The calibration factor learned from the model's recent runs with reported usage (None: no data):
    a `core.calibration.CalibrationFactor` (median of ratios, bounded, with its runs and upper bound)."""
    from promptlab_tui.core.calibration import learn_calibration

    with db.raw_read() as conn:
        rows = conn.execute(
            "SELECT estimate_input_tokens, input_tokens + cached_input_tokens + cache_write_tokens"
            " + cache_write_1h_tokens FROM run WHERE model = ? AND status = 'completed' AND NOT usage_estimated"
            f" AND estimate_input_tokens > 0 AND COALESCE(estimate_kind, 'text') = ?{not_cache_hit(conn)}"
            f" ORDER BY created_at DESC LIMIT {CALIBRATION_WINDOW}", (model, kind)).fetchall()
    return learn_calibration((int(estimated), int(actual)) for estimated, actual in rows)


def rollup_rows(db: Database, start_day: str, end_day: str) -> list[RollupRow]:
    """Daily totals for local days in [start_day, end_day) (YYYY-MM-DD), settled runs only."""
    with db.raw_read() as conn:
        rows = conn.execute(
            "SELECT day, provider, model, prompt_name, runs, input_tokens, output_tokens, cached_input_tokens, "
            "cache_write_tokens, reasoning_tokens, cost_nanos, unpriced_runs, error_runs FROM daily_rollup "
            "WHERE day >= ? AND day < ? ORDER BY day, provider, model, prompt_name", (start_day, end_day)).fetchall()
    return [RollupRow(row[0], row[1], row[2], row[3] or None, *row[4:]) for row in rows]
