"""Team budgets that hold across clients and server processes.

A reservation is one transaction: lock the budgets that apply (PostgreSQL `SELECT … FOR UPDATE` on the
budget rows, in id order so two reservations never deadlock; SQLite `BEGIN IMMEDIATE`), sum each
budget's settled cost plus open reservations in ONE statement (one snapshot), and insert the
reservation only if every hard budget still has room — the local ledger's rule: refused only when
spent + reserved + this run's worst case would pass the limit. Vanished clients' expired holds are
settled (at their reserved amount, in their own transaction) when a refusal is due, and the
reservation is tried once more: the hot path stays at three statements under the lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, literal, or_, select, update

from promptlab_tui.core.periods import local_day, period_bounds
from promptlab_tui.server import schema as t
from promptlab_tui.server import spend
from promptlab_tui.server.errors import ApiError
from promptlab_tui.server.ingest import as_utc, ingest, upsert_statement
from promptlab_tui.server.models import BudgetStatus, ReserveIn, ReserveOut, RunIn
from promptlab_tui.server.refusals import budget_refusal, budget_warning


def team_settings(connection: Connection, team_id: int) -> Any:
    return connection.execute(select(t.team).where(t.team.c.id == team_id)).one()


def applicable_budgets(connection: Connection, team_id: int, member_id: int | None, lock: bool = False,
                       everything: bool = False) -> list[Any]:
    """The team's budgets, the member's and those of the member's groups (all the team's with `everything`)."""
    query = select(t.budget).where(t.budget.c.team_id == team_id)
    if not everything:
        groups = select(t.group_membership.c.group_id).where(t.group_membership.c.member_id == member_id)
        query = query.where(or_(t.budget.c.scope == "team",
                                and_(t.budget.c.scope == "member", t.budget.c.subject_id == member_id),
                                and_(t.budget.c.scope == "group", t.budget.c.subject_id.in_(groups))))
    query = query.order_by(t.budget.c.id)  # one order for every locker: no deadlocks
    if lock:
        query = query.with_for_update()
    return list(connection.execute(query))


def _scope_filter(column: Any, budget: Any) -> Any:
    if budget.scope == "member":
        return column == budget.subject_id  # (spend_day keeps a removed member's id: team totals stay whole)
    if budget.scope == "group":
        return column.in_(select(t.group_membership.c.member_id).where(
            t.group_membership.c.group_id == budget.subject_id))
    return literal(True)


def _bind(_connection: Connection, value: datetime) -> datetime:
    return as_utc(value)  # type: ignore[return-value]


def budget_statuses(connection: Connection, team_id: int, budgets: list[Any], now: datetime,
                    tz: str) -> list[BudgetStatus]:
    if not budgets:
        return []
    columns, windows = [], []
    for budget in budgets:
        start, end = period_bounds(budget.period, now, tz)
        windows.append((start, end))
        lo, hi = _bind(connection, start), _bind(connection, end)
        columns.append(select(func.coalesce(func.sum(t.spend_day.c.cost_nanos), 0)).where(  # the daily rollup
            t.spend_day.c.team_id == team_id, t.spend_day.c.day >= local_day(start, tz),
            t.spend_day.c.day < local_day(end, tz), _scope_filter(t.spend_day.c.member_id, budget)).scalar_subquery())
        columns.append(select(func.coalesce(func.sum(t.reservation.c.amount_nanos), 0)).where(
            t.reservation.c.team_id == team_id, t.reservation.c.status == "open",
            t.reservation.c.created_at >= lo, t.reservation.c.created_at < hi,
            _scope_filter(t.reservation.c.member_id, budget)).scalar_subquery())
    sums = connection.execute(select(*columns)).one()  # one statement: one snapshot for every sum
    return [BudgetStatus(id=b.id, scope=b.scope, subject_id=b.subject_id, period=b.period, limit_nanos=b.limit_nanos,
                         mode=b.mode, thresholds=[int(x) for x in b.thresholds.split(",") if x],
                         period_start=start, period_end=end, spent_nanos=int(sums[2 * i]),
                         reserved_nanos=int(sums[2 * i + 1]))
            for i, (b, (start, end)) in enumerate(zip(budgets, windows))]


def expire_vanished(connection: Connection, team_id: int, now: datetime) -> int:
    """Reservations past their expiry are settled at their reserved amount (a run row, status expired)."""
    expired = connection.execute(update(t.reservation).where(
        t.reservation.c.team_id == team_id, t.reservation.c.status == "open",
        t.reservation.c.expires_at < _bind(connection, now)).values(status="expired").returning(
        t.reservation.c.id, t.reservation.c.member_id, t.reservation.c.amount_nanos, t.reservation.c.created_at,
        t.reservation.c.provider, t.reservation.c.model)).all()
    if not expired:
        return 0
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    tz, deltas = spend.team_zone(connection, team_id), spend.new_deltas()
    for row in expired:  # a run pushed meanwhile (same id) stays as it is
        spend.lock_run_ids(connection, team_id, [row.id])
        added = connection.execute(dialect_insert(t.run).on_conflict_do_nothing().returning(t.run.c.id), {
            "team_id": team_id, "id": row.id, "member_id": row.member_id, "created_at": as_utc(row.created_at),
            "provider": row.provider, "model": row.model, "status": "expired", "cost_nanos": row.amount_nanos,
            "source": "expired", "updated_at": now}).first()
        if added is not None:
            spend.add(deltas, row.member_id, row.created_at, row.amount_nanos, 1, tz)
    spend.apply(connection, team_id, deltas)
    return len(expired)


def _over(statuses: list[BudgetStatus], amount: int) -> list[BudgetStatus]:
    return [s for s in statuses if s.spent_nanos + s.reserved_nanos + amount > s.limit_nanos]


def reserve(connection: Connection, team_id: int, member_id: int, body: ReserveIn, now: datetime) -> ReserveOut:
    existing = connection.execute(select(t.reservation).where(t.reservation.c.id == body.id)).first()
    if existing is not None:  # a retried request: the same answer, never a second hold
        if existing.team_id != team_id or existing.member_id != member_id:
            raise ApiError(409, "conflict", f"reservation {body.id} belongs to someone else")
        if existing.status != "open":
            raise ApiError(409, "settled", f"reservation {body.id} is {existing.status} already")
        return ReserveOut(id=body.id, amount_nanos=existing.amount_nanos, expires_at=as_utc(existing.expires_at),
                          ttl_s=team_settings(connection, team_id).reservation_ttl_s, budgets=[], warnings=[])
    team = team_settings(connection, team_id)
    # The lock that serialises reservers of the same budgets (every statement after it sees their holds).
    budgets = applicable_budgets(connection, team_id, member_id, lock=True)
    statuses = budget_statuses(connection, team_id, budgets, now, team.timezone)
    warnings = []
    for status in _over(statuses, body.amount_nanos):
        if status.mode == "hard":
            raise ApiError(409, "budget_exceeded", budget_refusal(status, body.amount_nanos),
                           status.model_dump(mode="json"))
        warnings.append(budget_warning(status))
    expires = now + timedelta(seconds=team.reservation_ttl_s)
    connection.execute(insert(t.reservation).values(
        id=body.id, team_id=team_id, member_id=member_id, amount_nanos=body.amount_nanos,
        created_at=_bind(connection, now), expires_at=_bind(connection, expires), status="open",
        provider=body.provider, model=body.model))
    after = [s.model_copy(update={"reserved_nanos": s.reserved_nanos + body.amount_nanos}) for s in statuses]
    return ReserveOut(id=body.id, amount_nanos=body.amount_nanos, expires_at=expires, ttl_s=team.reservation_ttl_s,
                      budgets=after, warnings=warnings)


def _own_reservation(connection: Connection, team_id: int, member_id: int, reservation_id: str) -> Any:
    row = connection.execute(select(t.reservation).where(t.reservation.c.id == reservation_id,
                                                         t.reservation.c.team_id == team_id)).first()
    if row is None or row.member_id != member_id:
        raise ApiError(404, "not_found", f"no reservation {reservation_id} of yours")
    return row


def settle(connection: Connection, team_id: int, member_id: int, share_text: bool, reservation_id: str,
           run: RunIn) -> str:
    """Replace the reservation by the run's cost (a late settle after expiry updates the expired run)."""
    if run.id != reservation_id:
        raise ApiError(422, "invalid_request", f"the run's id {run.id} is not the reservation's {reservation_id}")
    row = _own_reservation(connection, team_id, member_id, reservation_id)
    ingest(connection, team_id, member_id, [run], share_text, source="settle")
    return "settled" if row.status == "open" else row.status


def release(connection: Connection, team_id: int, member_id: int, reservation_id: str) -> str:
    """Nothing was sent: drop the hold without a run (one statement when it is the caller's open hold)."""
    if connection.execute(update(t.reservation).where(
            t.reservation.c.id == reservation_id, t.reservation.c.team_id == team_id,
            t.reservation.c.member_id == member_id, t.reservation.c.status == "open").values(
            status="released").returning(t.reservation.c.id)).first() is not None:
        return "released"
    row = _own_reservation(connection, team_id, member_id, reservation_id)
    if row.status != "open":
        raise ApiError(409, "settled", f"reservation {reservation_id} is {row.status} already")
    connection.execute(update(t.reservation).where(t.reservation.c.id == reservation_id).values(status="released"))
    return "released"


def extend(connection: Connection, team_id: int, member_id: int, reservation_id: str,
           now: datetime) -> tuple[datetime, int]:
    """A heartbeat: the open hold lives reservation_ttl_s more (an expired one stays expired: it was settled)."""
    ttl_s = team_settings(connection, team_id).reservation_ttl_s
    expires = now + timedelta(seconds=ttl_s)
    if connection.execute(update(t.reservation).where(
            t.reservation.c.id == reservation_id, t.reservation.c.team_id == team_id,
            t.reservation.c.member_id == member_id, t.reservation.c.status == "open").values(
            expires_at=_bind(connection, expires)).returning(t.reservation.c.id)).first() is not None:
        return expires, ttl_s
    row = _own_reservation(connection, team_id, member_id, reservation_id)
    raise ApiError(409, row.status, f"reservation {reservation_id} is {row.status}: its hold is gone")


__all__ = ["extend", "reserve", "settle", "release", "budget_statuses", "applicable_budgets", "expire_vanished",
           "upsert_statement"]
