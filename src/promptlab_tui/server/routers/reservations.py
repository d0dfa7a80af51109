"""Reservations: hold a run's worst case on the team's budgets before the call, settle or release after."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from promptlab_tui.server.models import ERROR_RESPONSES, RunIdPath
from promptlab_tui.server import reservations as ledger
from promptlab_tui.server import reserve_pg
from promptlab_tui.server.database import single_statements
from promptlab_tui.server.auth import Caller, bearer, caller_of, member_access
from promptlab_tui.server.errors import ApiError
from promptlab_tui.server.models import HeartbeatOut, ReserveIn, ReserveOut, RunIn
from promptlab_tui.server.alerts import record_alerts
from promptlab_tui.server.teams import now_utc

router = APIRouter(prefix="/v1", tags=["reservations"], responses=ERROR_RESPONSES)


@router.post("/reservations", response_model=ReserveOut, status_code=201)
async def reserve(body: ReserveIn, request: Request,
                  credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Response:
    """Hold the run's worst case on every budget that applies; 409 budget_exceeded when a hard one has no room."""
    held = await run_in_threadpool(_reserve, request, credentials, body)  # auth and hold in one worker hop
    return Response(held.model_dump_json(), status_code=201, media_type="application/json")


def _reserve(request: Request, credentials: HTTPAuthorizationCredentials | None, body: ReserveIn) -> ReserveOut:
    engine = request.app.state.engine
    if engine.dialect.name == "postgresql" and credentials is not None and credentials.credentials:
        try:  # auth and hold in two round trips, the budget lock held for one server-side statement
            return reserve_pg.reserve(engine, credentials.credentials, body, now_utc())[1]
        except reserve_pg.Refused as refusal:
            with engine.begin() as connection:  # holds of clients that vanished may be what is in the way
                if not ledger.expire_vanished(connection, refusal.caller.team_id, now_utc()):
                    raise
        return reserve_pg.reserve(engine, credentials.credentials, body, now_utc())[1]
    caller = caller_of(request, credentials)
    try:
        return _hold(engine, caller, body)
    except ApiError as refusal:
        if refusal.code != "budget_exceeded":
            raise
        with engine.begin() as connection:  # holds of clients that vanished may be what is in the way
            if not ledger.expire_vanished(connection, caller.team_id, now_utc()):
                raise
    return _hold(engine, caller, body)


def _hold(engine, caller: Caller, body: ReserveIn) -> ReserveOut:  # type: ignore[no-untyped-def]
    with engine.begin() as connection:  # SQLite: BEGIN IMMEDIATE serialises the writers
        return ledger.reserve(connection, caller.team_id, caller.member_id, body, now_utc())


@router.post("/reservations/{reservation_id}/settle")
def settle(reservation_id: RunIdPath, body: RunIn, request: Request, caller: Caller = Depends(member_access)) -> dict:
    with request.app.state.engine.begin() as connection:
        state = ledger.settle(connection, caller.team_id, caller.member_id, caller.share_text, reservation_id, body)
        record_alerts(connection, caller.team_id, caller.member_id, now_utc())
    return {"id": reservation_id, "status": state}


@router.delete("/reservations/{reservation_id}")
def release(reservation_id: RunIdPath, request: Request, caller: Caller = Depends(member_access)) -> dict:
    with single_statements(request.app.state.engine).begin() as connection:  # one UPDATE … RETURNING
        state = ledger.release(connection, caller.team_id, caller.member_id, reservation_id)
    return {"id": reservation_id, "status": state}


@router.post("/reservations/{reservation_id}/heartbeat", response_model=HeartbeatOut)
def heartbeat(reservation_id: RunIdPath, request: Request, caller: Caller = Depends(member_access)) -> HeartbeatOut:
    """A run still streaming: its hold now expires reservation_ttl_s from now (409 once it has expired)."""
    with request.app.state.engine.begin() as connection:
        expires, ttl_s = ledger.extend(connection, caller.team_id, caller.member_id, reservation_id, now_utc())
    return HeartbeatOut(id=reservation_id, expires_at=expires, ttl_s=ttl_s)
