"""Team threshold alerts: the ones that concern the caller (all the team's for admins); each member acknowledges."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from sqlalchemy import select

from promptlab_tui.server import schema as t
from promptlab_tui.server.alerts import alerts_for
from promptlab_tui.server.auth import Caller, member_access
from promptlab_tui.server.errors import ApiError
from promptlab_tui.server.models import ERROR_RESPONSES, IdPath
from promptlab_tui.server.teams import now_utc

router = APIRouter(prefix="/v1", tags=["alerts"], responses=ERROR_RESPONSES)


class AlertOut(BaseModel):
    id: int
    scope: str
    subject_id: int
    subject: str  # "Team", "Member bob", "Group research"
    period: str
    period_start: datetime
    threshold: int
    spent_nanos: int
    limit_nanos: int
    message: str
    created_at: datetime
    acknowledged: bool


@router.get("/alerts", response_model=list[AlertOut])
def list_alerts(request: Request, all: bool = False, caller: Caller = Depends(member_access)) -> list[AlertOut]:
    """Unacknowledged (by the caller) unless `all`; newest first, at most 500."""
    with request.app.state.engine.connect() as connection:
        return [AlertOut(**a) for a in alerts_for(connection, caller.team_id, caller.member_id, caller.is_admin, all)]


@router.post("/alerts/{alert_id}/ack", response_model=AlertOut)
def acknowledge(alert_id: IdPath, request: Request, caller: Caller = Depends(member_access)) -> AlertOut:
    with request.app.state.engine.begin() as connection:
        visible = {a["id"] for a in alerts_for(connection, caller.team_id, caller.member_id, caller.is_admin, True)}
        if alert_id not in visible:
            raise ApiError(404, "not_found", f"no alert {alert_id} for you")
        done = connection.execute(select(t.alert_ack.c.alert_id).where(
            t.alert_ack.c.alert_id == alert_id, t.alert_ack.c.member_id == caller.member_id)).first()
        if done is None:
            connection.execute(t.alert_ack.insert().values(alert_id=alert_id, member_id=caller.member_id,
                                                           acknowledged_at=now_utc()))
        (alert,) = [a for a in alerts_for(connection, caller.team_id, caller.member_id, caller.is_admin, True)
                    if a["id"] == alert_id]
    return AlertOut(**alert)
