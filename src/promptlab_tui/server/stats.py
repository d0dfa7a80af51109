"""Team statistics over [start, end): totals, per member, model, local day, prompt and group.

One grouped query (member, provider, model, prompt, local day); the dimensions are folded from it,
so every breakdown sums to the totals. Days are in the team's time zone, like the local report's.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, literal_column, select

from promptlab_tui.core.periods import local_day
from promptlab_tui.server import schema as t
from promptlab_tui.server.ingest import as_utc
from promptlab_tui.server.models import MemberStats, StatsOut, StatsRow
from promptlab_tui.server.reservations import budget_statuses, team_settings

_SUMS = ("runs", "input_tokens", "output_tokens", "cost_nanos", "unpriced_runs")


def _day_key(connection: Connection, tz: str) -> Any:
    if connection.dialect.name == "postgresql":
        return func.to_char(func.timezone(tz, t.run.c.created_at), "YYYY-MM-DD")
    return func.substr(t.run.c.created_at, 1, 16)  # UTC minute; folded into local days below


def team_stats(connection: Connection, team_id: int, start: datetime, end: datetime,
               only_member: int | None = None, top: int = 20) -> StatsOut:
    team = team_settings(connection, team_id)
    tz = team.timezone
    day = _day_key(connection, tz).label("day")
    query = (select(t.run.c.member_id, t.run.c.model, t.run.c.prompt_name, day, func.count().label("runs"),
                    func.coalesce(func.sum(t.run.c.input_tokens), 0), func.coalesce(func.sum(t.run.c.output_tokens), 0),
                    func.coalesce(func.sum(t.run.c.cost_nanos), 0),
                    func.sum(case((t.run.c.cost_nanos.is_(None), 1), else_=0)))
             .where(t.run.c.team_id == team_id, t.run.c.created_at >= as_utc(start), t.run.c.created_at < as_utc(end))
             .group_by(t.run.c.member_id, t.run.c.model, t.run.c.prompt_name, literal_column("day")))
    if only_member is not None:
        query = query.where(t.run.c.member_id == only_member)
    dims: dict[str, dict[Any, list[int]]] = {k: defaultdict(lambda: [0] * 5) for k in
                                             ("total", "member", "model", "day", "prompt", "group")}
    groups_of = _groups_of(connection, team_id)
    for member_id, model, prompt, day_value, *numbers in connection.execute(query):
        numbers = [int(n or 0) for n in numbers]
        if connection.dialect.name != "postgresql":
            day_value = local_day(as_utc(datetime.fromisoformat(day_value)), tz)
        keys = {"total": "", "member": member_id, "model": model, "day": day_value, "prompt": prompt or ""}
        for dim, key in keys.items():
            _add(dims[dim][key], numbers)
        for group in groups_of.get(member_id, ()):  # a member in two groups counts in both (chargeback)
            _add(dims["group"][group], numbers)
    names = dict(connection.execute(select(t.member.c.id, t.member.c.name).where(t.member.c.team_id == team_id)).all())
    members = _member_rows(connection, team_id, dims["member"], names, tz)
    return StatsOut(
        start=start, end=end, timezone=tz, totals=_row("total", dims["total"].get("", [0] * 5)), members=members,
        models=_sorted(dims["model"]), days=sorted(_rows(dims["day"]), key=lambda r: r.key),
        prompts=_sorted(dims["prompt"])[:top], groups=_sorted(dims["group"]))


def _add(into: list[int], numbers: list[int]) -> None:
    for i, value in enumerate(numbers):
        into[i] += value


def _row(key: Any, numbers: list[int]) -> StatsRow:
    return StatsRow(key=str(key), **dict(zip(_SUMS, numbers)))


def _rows(dim: dict[Any, list[int]]) -> list[StatsRow]:
    return [_row(key, numbers) for key, numbers in dim.items()]


def _sorted(dim: dict[Any, list[int]]) -> list[StatsRow]:
    return sorted(_rows(dim), key=lambda r: (-r.cost_nanos, -r.runs, r.key))


def _groups_of(connection: Connection, team_id: int) -> dict[int, list[str]]:
    result: dict[int, list[str]] = defaultdict(list)
    for member_id, name in connection.execute(select(t.group_membership.c.member_id, t.group.c.name).join(
            t.group, t.group.c.id == t.group_membership.c.group_id).where(t.group.c.team_id == team_id)):
        result[member_id].append(name)
    return result


def _member_rows(connection: Connection, team_id: int, dim: dict[Any, list[int]], names: dict[int, str],
                 tz: str) -> list[MemberStats]:
    from promptlab_tui.server.teams import now_utc

    budgets = list(connection.execute(select(t.budget).where(t.budget.c.team_id == team_id,
                                                             t.budget.c.scope == "member")))
    statuses = budget_statuses(connection, team_id, budgets, now_utc(), tz)
    tightest: dict[int, Any] = {}
    for status in statuses:
        ratio = (status.spent_nanos / status.limit_nanos) if status.limit_nanos else float("inf")
        if status.subject_id not in tightest or ratio > tightest[status.subject_id][0]:
            tightest[status.subject_id] = (ratio, status)
    rows = []
    for member_id, numbers in dim.items():
        key = names.get(member_id, "(removed member)") if member_id is not None else "(unattributed)"
        row = MemberStats(member_id=member_id, **_row(key, numbers).model_dump())
        if member_id in tightest:
            ratio, status = tightest[member_id]
            row.budget_limit_nanos = status.limit_nanos
            warn_at = min(status.thresholds or [100]) / 100
            row.budget_status = "over" if ratio >= 1 else "warning" if ratio >= warn_at else "ok"
        rows.append(row)
    return sorted(rows, key=lambda r: (-r.cost_nanos, r.key))
