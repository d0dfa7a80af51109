"""Team threshold alerts: one per budget, period and threshold, recorded when a settled run crosses it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, or_, select

from promptlab_tui.core.budget import crossed_thresholds
from promptlab_tui.core.money import format_usd
from promptlab_tui.server import schema as t
from promptlab_tui.server.reservations import applicable_budgets, budget_statuses, team_settings


def _insert_ignore(connection: Connection) -> Any:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(t.alert).on_conflict_do_nothing()


def _subject(connection: Connection, scope: str, subject_id: int) -> str:
    if scope == "team":
        return "Team"
    table = t.member if scope == "member" else t.group
    name = connection.execute(select(table.c.name).where(table.c.id == subject_id)).scalar()
    return f"{'Member' if scope == 'member' else 'Group'} {name}"


def record_alerts(connection: Connection, team_id: int, member_id: int, now: datetime) -> int:
    """The thresholds the member's budgets (team, own, groups) have reached in their current periods."""
    budgets = applicable_budgets(connection, team_id, member_id)
    if not budgets:
        return 0
    team = team_settings(connection, team_id)
    rows = []
    for status in budget_statuses(connection, team_id, budgets, now, team.timezone):
        for threshold in crossed_thresholds(status.spent_nanos, status.limit_nanos, status.thresholds):
            who = _subject(connection, status.scope, status.subject_id)
            rows.append({"team_id": team_id, "budget_id": status.id, "scope": status.scope,
                         "subject_id": status.subject_id, "period": status.period,
                         "period_start": status.period_start, "threshold": threshold,
                         "spent_nanos": status.spent_nanos, "limit_nanos": status.limit_nanos, "created_at": now,
                         "message": f"{who} {status.period} budget: {threshold}% reached — "
                                    f"{format_usd(status.spent_nanos)} of {format_usd(status.limit_nanos)}"})
    if rows:
        connection.execute(_insert_ignore(connection), rows)
    return len(rows)


def alerts_for(connection: Connection, team_id: int, member_id: int, everything: bool,
               include_acknowledged: bool) -> list[dict[str, Any]]:
    acked = exists().where(t.alert_ack.c.alert_id == t.alert.c.id, t.alert_ack.c.member_id == member_id)
    query = select(t.alert, acked.label("acknowledged")).where(t.alert.c.team_id == team_id)
    if not everything:
        groups = select(t.group_membership.c.group_id).where(t.group_membership.c.member_id == member_id)
        query = query.where(or_(t.alert.c.scope == "team",
                                and_(t.alert.c.scope == "member", t.alert.c.subject_id == member_id),
                                and_(t.alert.c.scope == "group", t.alert.c.subject_id.in_(groups))))
    if not include_acknowledged:
        query = query.where(~acked)
    rows = connection.execute(query.order_by(t.alert.c.created_at.desc(), t.alert.c.id.desc()).limit(500)).all()
    names = {(r.scope, r.subject_id): _subject(connection, r.scope, r.subject_id) for r in rows}
    return [{"id": r.id, "scope": r.scope, "subject_id": r.subject_id, "subject": names[(r.scope, r.subject_id)],
             "period": r.period,
             "period_start": r.period_start, "threshold": r.threshold, "spent_nanos": r.spent_nanos,
             "limit_nanos": r.limit_nanos, "message": r.message, "created_at": r.created_at,
             "acknowledged": bool(r.acknowledged)} for r in rows]
