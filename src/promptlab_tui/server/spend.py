"""The daily spend rollup: settled cost per (team, member, local day), kept in the transaction that writes runs.

A budget check sums at most ~31 rows per member instead of every run of the period, so the time a
reservation holds its lock does not grow with the team's history. Budget periods start at local
midnights, so a period is exactly a range of local days. Changing the team's zone rebuilds it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, text

from promptlab_tui.core.periods import local_day
from promptlab_tui.server import schema as t

Deltas = dict[tuple[int, str], list[int]]  # (member id or 0, day) -> [cost, runs]


def team_zone(connection: Connection, team_id: int) -> str:
    return connection.execute(select(t.team.c.timezone).where(t.team.c.id == team_id)).scalar_one()


# One run's advisory-lock key, computed by PostgreSQL (ingest locks a staged batch with it in one statement).
PG_RUN_LOCK_KEY = "hashtextextended(team_id::text || ':' || {id}, 0)"


def lock_run_ids(connection: Connection, team_id: int, run_ids: list[str]) -> None:
    """PostgreSQL: serialise concurrent pushes of the same runs (so each sees the other's old values).

    Transaction-level advisory locks in one sorted order: never a deadlock. SQLite's BEGIN IMMEDIATE
    serialises writers already.
    """
    if connection.dialect.name != "postgresql" or not run_ids:
        return
    key = PG_RUN_LOCK_KEY.format(id="id")
    connection.execute(text(f"SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT {key} AS k FROM "
                            "(SELECT CAST(:team AS integer) AS team_id, unnest(CAST(:ids AS text[])) AS id) AS s "
                            "ORDER BY k) AS keys"), {"team": team_id, "ids": list(run_ids)})


def previous(connection: Connection, team_id: int, run_ids: list[str]) -> dict[str, Any]:
    rows = connection.execute(select(t.run.c.id, t.run.c.member_id, t.run.c.created_at, t.run.c.cost_nanos).where(
        t.run.c.team_id == team_id, t.run.c.id.in_(run_ids))).all()
    return {row.id: row for row in rows}


def add(deltas: Deltas, member_id: int | None, created_at: datetime, cost: int | None, runs: int, tz: str) -> None:
    entry = deltas[(member_id or 0, local_day(_aware(created_at), tz))]
    entry[0] += cost or 0
    entry[1] += runs


def new_deltas() -> Deltas:
    return defaultdict(lambda: [0, 0])


def apply(connection: Connection, team_id: int, deltas: Deltas) -> None:
    rows = [{"team_id": team_id, "member_id": member, "day": day, "cost_nanos": cost, "runs": runs}
            for (member, day), (cost, runs) in sorted(deltas.items()) if cost or runs]
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(t.spend_day)
    connection.execute(statement.on_conflict_do_update(
        index_elements=[t.spend_day.c.team_id, t.spend_day.c.member_id, t.spend_day.c.day],
        set_={"cost_nanos": t.spend_day.c.cost_nanos + statement.excluded.cost_nanos,
              "runs": t.spend_day.c.runs + statement.excluded.runs}), rows)


def rebuild(connection: Connection, team_id: int) -> None:
    """After a change of the team's zone: every day boundary moved."""
    tz = team_zone(connection, team_id)
    connection.execute(delete(t.spend_day).where(t.spend_day.c.team_id == team_id))
    deltas = new_deltas()
    result = connection.execute(select(t.run.c.member_id, t.run.c.created_at, t.run.c.cost_nanos).where(
        t.run.c.team_id == team_id).execution_options(yield_per=5000))  # streamed, not all in memory
    for member_id, created_at, cost in result:
        add(deltas, member_id, created_at, cost, 1, tz)
    apply(connection, team_id, deltas)


def _aware(value: datetime) -> datetime:
    from datetime import timezone

    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
