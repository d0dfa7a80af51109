"""Dashboard reports: spend by model, by day and by prompt over [start, end), grouped in SQL.

Whole local days come from the per-day totals (`daily_model`, `daily_total`, `daily_prompt`: a month is a
few hundred rows, exact at every instant as the settling transaction updates them), partial days at the
edges from the raw rows. Days are local days in the rollup's zone (the budget's); asked in another
zone, everything comes from the raw rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from promptlab_tui.core.budget import day_bounds, zone
from promptlab_tui.store.codec import to_db
from promptlab_tui.store.rollup import rollup_timezone

if TYPE_CHECKING:
    from sqlite3 import Connection

    from promptlab_tui.store.database import Database


@dataclass(frozen=True)
class SpendGroup:
    """Settled runs of one model, day or prompt; cost in nanos (runs without a price count 0 and are counted)."""

    key: str  # the model, the local day (YYYY-MM-DD) or the prompt name ('' for runs without one)
    runs: int
    cost_nanos: int
    unpriced_runs: int
    input_tokens: int
    output_tokens: int
    provider: str | None = None  # by model only

    def plus(self, other: SpendGroup) -> SpendGroup:
        return SpendGroup(self.key, self.runs + other.runs, self.cost_nanos + other.cost_nanos,
                          self.unpriced_runs + other.unpriced_runs, self.input_tokens + other.input_tokens,
                          self.output_tokens + other.output_tokens, self.provider)


_ROLLUP_SUMS = "SUM(runs), SUM(cost_nanos), SUM(unpriced_runs), SUM(input_tokens), SUM(output_tokens)"
_RAW_SUMS = ("COUNT(*), COALESCE(SUM(cost_nanos), 0), COALESCE(SUM(cost_nanos IS NULL), 0), "
             "COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0)")
_RAW_RANGE = "FROM run WHERE created_at >= ? AND created_at < ? AND status != 'pending'"


@dataclass(frozen=True)
class _Split:
    whole_days: tuple[str, str] | None  # [first, end) local days read from the rollup
    pieces: list[tuple[datetime, datetime, str]]  # raw [start, end) ranges, each inside one local day


def _days(start: datetime, end: datetime, tz_name: str, use_rollup: bool) -> _Split:
    tz = zone(tz_name)
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    if not use_rollup:  # one raw piece per local day
        pieces, day = [], first
        while day <= last:
            day_start, day_end = day_bounds(day, tz)
            if max(start, day_start) < min(end, day_end):
                pieces.append((max(start, day_start), min(end, day_end), day.isoformat()))
            day += timedelta(days=1)
        return _Split(None, pieces)
    first_start, first_end = day_bounds(first, tz)
    if first == last:
        return _Split(None, [(start, end, first.isoformat())])
    pieces = []
    whole_from: date = first
    if start != first_start:
        pieces.append((start, first_end, first.isoformat()))
        whole_from = first + timedelta(days=1)
    last_start, _ = day_bounds(last, tz)
    if end != last_start:
        pieces.append((last_start, end, last.isoformat()))
    whole = (whole_from.isoformat(), last.isoformat()) if whole_from < last else None
    return _Split(whole, pieces)


def _split(conn: Connection, start: datetime, end: datetime, tz_name: str | None = None,
           per_day: bool = False) -> _Split:
    stored = rollup_timezone(conn)
    name = tz_name or stored or "UTC"
    if stored != name and not per_day:  # no rollup in that zone, and no need of days: one raw range
        return _Split(None, [(start, end, "")])
    return _days(start, end, name, use_rollup=stored == name)


def _merge(groups: dict[tuple, SpendGroup], key: tuple, group: SpendGroup) -> None:
    groups[key] = groups[key].plus(group) if key in groups else group


def _check_range(start: datetime, end: datetime) -> bool:
    if start.utcoffset() is None or end.utcoffset() is None:
        raise ValueError("report bounds must be timezone-aware datetimes")
    return start < end


def spend_by_model(db: Database, start: datetime, end: datetime) -> list[SpendGroup]:
    """Settled runs created in [start, end) by (provider, model), most expensive first."""
    if not _check_range(start, end):
        return []
    groups: dict[tuple, SpendGroup] = {}
    with db.raw_read() as conn:
        split = _split(conn, start, end)
        if split.whole_days is not None:
            for provider, model, *sums in conn.execute(
                    f"SELECT provider, model, {_ROLLUP_SUMS} FROM daily_model WHERE day >= ? AND day < ? "
                    "GROUP BY provider, model", split.whole_days):
                _merge(groups, (provider, model), SpendGroup(model, *sums, provider=provider))
        for piece_start, piece_end, _day in split.pieces:
            for provider, model, *sums in conn.execute(
                    f"SELECT provider, model, {_RAW_SUMS} {_RAW_RANGE} GROUP BY provider, model",
                    (to_db(piece_start), to_db(piece_end))):
                _merge(groups, (provider, model), SpendGroup(model, *sums, provider=provider))
    return sorted(groups.values(), key=lambda g: (-g.cost_nanos, -g.runs, g.provider or "", g.key))


def spend_by_day(db: Database, start: datetime, end: datetime, tz_name: str | None = None) -> list[SpendGroup]:
    """Settled runs created in [start, end) by local day (in `tz_name`, default the budget's zone), oldest first.

    Only days with runs are listed.
    """
    if not _check_range(start, end):
        return []
    groups: dict[tuple, SpendGroup] = {}
    with db.raw_read() as conn:
        split = _split(conn, start, end, tz_name, per_day=True)
        if split.whole_days is not None:
            for day, *sums in conn.execute(
                    "SELECT day, runs, cost_nanos, unpriced_runs, input_tokens, output_tokens FROM daily_total "
                    "WHERE day >= ? AND day < ?", split.whole_days):
                _merge(groups, (day,), SpendGroup(day, *sums))
        if split.pieces:
            sql = " UNION ALL ".join(f"SELECT {number}, {_RAW_SUMS} {_RAW_RANGE}"
                                     for number in range(len(split.pieces)))
            params = [text for piece_start, piece_end, _ in split.pieces
                      for text in (to_db(piece_start), to_db(piece_end))]
            for number, *sums in conn.execute(sql, params):
                if sums[0]:
                    day = split.pieces[number][2]
                    _merge(groups, (day,), SpendGroup(day, *sums))
    return [groups[key] for key in sorted(groups)]


def top_prompts(db: Database, start: datetime, end: datetime, limit: int = 10) -> list[SpendGroup]:
    """The `limit` prompts that cost most over [start, end) (runs without a name are the prompt '')."""
    if not _check_range(start, end) or limit <= 0:
        return []
    order = "ORDER BY SUM(cost_nanos) DESC, SUM(runs) DESC, prompt_name"
    groups: dict[tuple, SpendGroup] = {}
    with db.raw_read() as conn:
        split = _split(conn, start, end)
        if split.whole_days is not None:
            cut = "" if split.pieces else f" LIMIT {int(limit)}"  # with edges, merge first and cut after
            for name, *sums in conn.execute(
                    f"SELECT prompt_name, {_ROLLUP_SUMS} FROM daily_prompt WHERE day >= ? AND day < ? "
                    f"GROUP BY prompt_name {order}{cut}", split.whole_days):
                _merge(groups, (name,), SpendGroup(name, *sums))
        for piece_start, piece_end, _day in split.pieces:
            for name, *sums in conn.execute(
                    f"SELECT COALESCE(prompt_name, ''), {_RAW_SUMS} {_RAW_RANGE} GROUP BY COALESCE(prompt_name, '')",
                    (to_db(piece_start), to_db(piece_end))):
                _merge(groups, (name,), SpendGroup(name, *sums))
    ranked = sorted(groups.values(), key=lambda g: (-g.cost_nanos, -g.runs, g.key))
    return ranked[:limit]
