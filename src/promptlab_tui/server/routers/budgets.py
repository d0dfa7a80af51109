"""Budgets (team, member, group; daily/weekly/monthly; hard or warn) and the team's policy."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import delete, insert, select, update

from promptlab_tui.core.periods import BudgetSettingsError, zone
from promptlab_tui.server.models import ERROR_RESPONSES, IdPath
from promptlab_tui.server import schema as t
from promptlab_tui.server import spend
from promptlab_tui.server.auth import Caller, admin_access, member_access
from promptlab_tui.server.errors import ApiError
from promptlab_tui.server.models import BudgetIn, BudgetStatus, PolicyIn, PolicyOut
from promptlab_tui.server.reservations import applicable_budgets, budget_statuses, expire_vanished, team_settings
from promptlab_tui.server.teams import member_row, now_utc

router = APIRouter(prefix="/v1", tags=["budgets"], responses=ERROR_RESPONSES)


@router.get("/budgets", response_model=list[BudgetStatus])
def list_budgets(request: Request, caller: Caller = Depends(member_access)) -> list[BudgetStatus]:
    """With spend so far: the caller's own, team and group budgets (every budget for admins)."""
    now = now_utc()
    with request.app.state.engine.begin() as connection:
        expire_vanished(connection, caller.team_id, now)  # show expired holds as spent, not in flight
        team = team_settings(connection, caller.team_id)
        budgets = applicable_budgets(connection, caller.team_id, caller.member_id, everything=caller.is_admin)
        return budget_statuses(connection, caller.team_id, budgets, now, team.timezone)


@router.put("/budgets", response_model=BudgetStatus)
def set_budget(body: BudgetIn, request: Request, caller: Caller = Depends(admin_access)) -> BudgetStatus:
    """Create or replace the budget for (scope, subject, period)."""
    subject = 0 if body.scope == "team" else body.subject_id
    with request.app.state.engine.begin() as connection:
        if body.scope == "member":
            member_row(connection, caller.team_id, subject)
        elif body.scope == "group" and connection.execute(select(t.group.c.id).where(
                t.group.c.id == subject, t.group.c.team_id == caller.team_id)).first() is None:
            raise ApiError(404, "not_found", f"no group {subject} in this team")
        key = (t.budget.c.team_id == caller.team_id, t.budget.c.scope == body.scope,
               t.budget.c.subject_id == subject, t.budget.c.period == body.period)
        values = dict(limit_nanos=body.limit_nanos, mode=body.mode,
                      thresholds=",".join(str(x) for x in sorted(set(body.thresholds))))
        if connection.execute(select(t.budget.c.id).where(*key)).first() is None:
            connection.execute(insert(t.budget).values(team_id=caller.team_id, scope=body.scope, subject_id=subject,
                                                       period=body.period, **values))
        else:
            connection.execute(update(t.budget).where(*key).values(**values))
        row = connection.execute(select(t.budget).where(*key)).one()
        team = team_settings(connection, caller.team_id)
        return budget_statuses(connection, caller.team_id, [row], now_utc(), team.timezone)[0]


@router.delete("/budgets/{budget_id}", status_code=204)
def delete_budget(budget_id: IdPath, request: Request, caller: Caller = Depends(admin_access)) -> None:
    with request.app.state.engine.begin() as connection:
        gone = connection.execute(delete(t.budget).where(t.budget.c.id == budget_id,
                                                         t.budget.c.team_id == caller.team_id)).rowcount
    if not gone:
        raise ApiError(404, "not_found", f"no budget {budget_id} in this team")


def _policy(team) -> PolicyOut:  # type: ignore[no-untyped-def]
    return PolicyOut(run_mode=team.run_mode, offline_policy=team.offline_policy,
                     offline_cap_nanos=team.offline_cap_nanos, reservation_ttl_s=team.reservation_ttl_s,
                     timezone=team.timezone)


@router.get("/policy", response_model=PolicyOut)
def get_policy(request: Request, caller: Caller = Depends(member_access)) -> PolicyOut:
    with request.app.state.engine.connect() as connection:
        return _policy(team_settings(connection, caller.team_id))


@router.patch("/policy", response_model=PolicyOut)
def set_policy(body: PolicyIn, request: Request, caller: Caller = Depends(admin_access)) -> PolicyOut:
    """Run mode (direct or proxy), what clients do offline under a hard team budget, reservation expiry, zone."""
    values = body.model_dump(exclude_none=True)
    if "timezone" in values:
        try:
            zone(values["timezone"])
        except BudgetSettingsError as error:
            raise ApiError(422, "invalid_request", str(error)) from None
    with request.app.state.engine.begin() as connection:
        before = team_settings(connection, caller.team_id).timezone
        if values:
            connection.execute(update(t.team).where(t.team.c.id == caller.team_id).values(**values))
        if values.get("timezone", before) != before:
            spend.rebuild(connection, caller.team_id)  # local days moved: the daily rollup is re-made
        return _policy(team_settings(connection, caller.team_id))
