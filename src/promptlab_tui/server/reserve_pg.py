"""PostgreSQL's reservation: the budget lock held only while the server runs one statement.

Same rule as reservations.reserve (the SQLite and reference path): lock the budget rows that apply
(`SELECT … FOR UPDATE`, id order), then one statement sums each budget's settled cost (daily rollup)
and open holds and inserts the hold only if every hard budget has room. Here the lock, that statement
and COMMIT go to the server in ONE query string: the lock is held while PostgreSQL executes them, never
across a network round trip or a Python thread waiting for the GIL. The statement after the lock
starts a new snapshot (READ COMMITTED), so it sees every hold committed by earlier lock holders.
(A pipeline of four statements was tried first: a worker thread could lose the GIL between sending the
lock and sending the rest, holding the lock for a scheduler slice; one query string cannot.)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from promptlab_tui.core.periods import local_day, period_bounds
from promptlab_tui.server.auth import CALLER_COLUMNS, Caller, caller_from_row
from promptlab_tui.server.errors import ApiError
from promptlab_tui.server.models import BudgetStatus, ReserveIn, ReserveOut
from promptlab_tui.server.refusals import budget_refusal, budget_warning
from promptlab_tui.server.security import hash_token

_APPLIES = ("b.team_id = %(team)s AND (b.scope = 'team' OR (b.scope = 'member' AND b.subject_id = %(member)s) "
            "OR (b.scope = 'group' AND b.subject_id IN "
            "(SELECT group_id FROM group_membership WHERE member_id = %(member)s)))")


def _in_scope(column: str) -> str:
    return (f"(b.scope = 'team' OR (b.scope = 'member' AND {column} = b.subject_id) OR (b.scope = 'group' AND "
            f"{column} IN (SELECT member_id FROM group_membership WHERE group_id = b.subject_id)))")


# Who calls (auth.caller_from_row's columns), their team's settings and a hold with this id: one round trip.
_BEFORE = ("SELECT " + ", ".join(CALLER_COLUMNS) + ", team.timezone, team.reservation_ttl_s, r.team_id, r.member_id, "
           "r.status, r.amount_nanos, r.expires_at FROM token JOIN member ON member.id = token.member_id "
           "JOIN team ON team.id = member.team_id LEFT JOIN reservation AS r ON r.id = %(id)s "
           "WHERE token.token_hash = %(hash)s")
_LOCK = f"SELECT b.id FROM budget AS b WHERE {_APPLIES} ORDER BY b.id FOR UPDATE"
_CHECK_AND_HOLD = f"""
WITH w(period, lo_day, hi_day, lo, hi) AS (VALUES
    ('daily', %(daily_lo_day)s, %(daily_hi_day)s, %(daily_lo)s::timestamptz, %(daily_hi)s::timestamptz),
    ('weekly', %(weekly_lo_day)s, %(weekly_hi_day)s, %(weekly_lo)s::timestamptz, %(weekly_hi)s::timestamptz),
    ('monthly', %(monthly_lo_day)s, %(monthly_hi_day)s, %(monthly_lo)s::timestamptz, %(monthly_hi)s::timestamptz)),
s AS (SELECT b.id, b.scope, b.subject_id, b.period, b.limit_nanos, b.mode, b.thresholds, w.lo, w.hi,
        (SELECT coalesce(sum(d.cost_nanos), 0) FROM spend_day AS d WHERE d.team_id = %(team)s
           AND d.day >= w.lo_day AND d.day < w.hi_day AND {_in_scope("d.member_id")}) AS spent,
        (SELECT coalesce(sum(r.amount_nanos), 0) FROM reservation AS r WHERE r.team_id = %(team)s
           AND r.status = 'open' AND r.created_at >= w.lo AND r.created_at < w.hi AND {_in_scope("r.member_id")})
           AS reserved
      FROM budget AS b JOIN w ON w.period = b.period WHERE {_APPLIES}),
held AS (INSERT INTO reservation (id, team_id, member_id, amount_nanos, created_at, expires_at, status, provider, model)
         SELECT %(id)s, %(team)s, %(member)s, %(amount)s, %(now)s, %(expires)s, 'open', %(provider)s, %(model)s
         WHERE NOT EXISTS (SELECT 1 FROM s WHERE s.mode = 'hard' AND s.spent + s.reserved + %(amount)s > s.limit_nanos)
         ON CONFLICT (id) DO NOTHING RETURNING 1)
SELECT (SELECT count(*) FROM held), s.* FROM (SELECT 1) AS one LEFT JOIN s ON true ORDER BY s.id
"""


def _one_trip(connection: Any, params: dict[str, Any]) -> list[Any]:
    """BEGIN; lock; check-and-hold; COMMIT as ONE query string (values bound client-side by psycopg): one
    socket write, so no thread of ours can be descheduled between taking the lock and releasing it."""
    from psycopg import ClientCursor

    with ClientCursor(connection) as cursor:
        cursor.execute(f"BEGIN; {_LOCK}; {_CHECK_AND_HOLD}; COMMIT", params)
        for _ in range(2):  # the results of BEGIN and of the lock come first
            cursor.nextset()
        return cursor.fetchall()


def _windows(now: datetime, tz: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for period in ("daily", "weekly", "monthly"):
        lo, hi = period_bounds(period, now, tz)
        params.update({f"{period}_lo": lo, f"{period}_hi": hi, f"{period}_lo_day": local_day(lo, tz),
                       f"{period}_hi_day": local_day(hi, tz)})
    return params


class Refused(ApiError):
    """A hard budget has no room: the caller is known (the router settles vanished holds, then tries again)."""

    def __init__(self, caller: Caller, refusal: ApiError) -> None:
        super().__init__(refusal.status, refusal.code, refusal.message, refusal.detail)
        self.caller = caller


def reserve(engine: Engine, token: str, body: ReserveIn, now: datetime) -> tuple[Caller, ReserveOut]:
    """Authenticate (as auth.member_access does) and hold, in two round trips; raises Refused when over."""
    params = {"id": body.id, "hash": hash_token(token), "amount": body.amount_nanos, "now": now,
              "provider": body.provider, "model": body.model}
    raw = engine.raw_connection()
    connection = raw.driver_connection
    connection.autocommit = True  # one round trip for the read; _one_trip says BEGIN and COMMIT itself
    try:
        row = connection.execute(_BEFORE, params).fetchone()
        caller, stale = caller_from_row(row[:len(CALLER_COLUMNS)] if row is not None else None)
        if stale is not None:  # at most once a minute per token
            connection.execute("UPDATE token SET last_used_at = %s WHERE id = %s", (stale, caller.token_id))
        timezone_name, ttl_s, *existing = row[len(CALLER_COLUMNS):]
        if existing[0] is not None:
            return caller, _retried(body, caller.team_id, caller.member_id, existing, ttl_s)
        params.update(_windows(now, timezone_name), expires=now + timedelta(seconds=ttl_s), team=caller.team_id,
                      member=caller.member_id)
        rows = _one_trip(connection, params)
    finally:
        try:
            if connection.info.transaction_status != 0:  # not idle: an error left a transaction open
                connection.execute("ROLLBACK")
            connection.autocommit = False  # as SQLAlchemy's pool expects it
        except Exception:  # noqa: BLE001 - a broken connection: never hand it back to the pool
            raw.invalidate()
        raw.close()
    held = rows[0][0] == 1
    statuses = [BudgetStatus(id=r[1], scope=r[2], subject_id=r[3], period=r[4], limit_nanos=r[5], mode=r[6],
                             thresholds=[int(x) for x in r[7].split(",") if x], period_start=r[8], period_end=r[9],
                             spent_nanos=int(r[10]), reserved_nanos=int(r[11])) for r in rows if r[1] is not None]
    over = [s for s in statuses if s.spent_nanos + s.reserved_nanos + body.amount_nanos > s.limit_nanos]
    if not held:
        for status in over:
            if status.mode == "hard":
                raise Refused(caller, ApiError(409, "budget_exceeded", budget_refusal(status, body.amount_nanos),
                                               status.model_dump(mode="json")))
        return reserve(engine, token, body, now)  # a concurrent retry inserted it: answer as a retry
    after = [s.model_copy(update={"reserved_nanos": s.reserved_nanos + body.amount_nanos}) for s in statuses]
    return caller, ReserveOut(id=body.id, amount_nanos=body.amount_nanos, expires_at=params["expires"], ttl_s=ttl_s,
                              budgets=after, warnings=[budget_warning(s) for s in over])


def _retried(body: ReserveIn, team_id: int, member_id: int, existing: list[Any], ttl_s: int) -> ReserveOut:
    owner_team, owner, status, amount, expires_at = existing
    if owner_team != team_id or owner != member_id:
        raise ApiError(409, "conflict", f"reservation {body.id} belongs to someone else")
    if status != "open":
        raise ApiError(409, "settled", f"reservation {body.id} is {status} already")
    return ReserveOut(id=body.id, amount_nanos=amount, expires_at=expires_at, ttl_s=ttl_s, budgets=[], warnings=[])
