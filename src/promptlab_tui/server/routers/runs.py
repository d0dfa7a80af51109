"""Runs: push a batch (idempotent), list (own; the team's for admins), erase text."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from sqlalchemy import select, update

from promptlab_tui.server.models import ERROR_RESPONSES, RunIdPath
from promptlab_tui.server import schema as t
from promptlab_tui.server.auth import Caller, member_access
from promptlab_tui.server.errors import ApiError
from promptlab_tui.server.ingest import ingest
from promptlab_tui.server.models import IngestResult, RunBatch, RunOut, json_body_schema, validate_json_body
from promptlab_tui.server.alerts import record_alerts
from promptlab_tui.server.teams import member_row, now_utc

router = APIRouter(prefix="/v1", tags=["runs"], responses=ERROR_RESPONSES)


@router.post("/runs/batch", response_model=IngestResult, openapi_extra=json_body_schema(RunBatch))
async def push_runs(request: Request, caller: Caller = Depends(member_access)) -> IngestResult:
    """The caller's own runs; pushing the same run again updates it (keyed by the client's run UUID)."""
    raw = await request.body()
    return await run_in_threadpool(_push, request.app.state.engine, caller, raw)


def _push(engine, caller: Caller, raw: bytes) -> IngestResult:  # type: ignore[no-untyped-def]
    body = validate_json_body(RunBatch, raw)  # pydantic straight from bytes: a third of json.loads + validate
    with engine.begin() as connection:
        stored = ingest(connection, caller.team_id, caller.member_id, body.runs, caller.share_text)
        record_alerts(connection, caller.team_id, caller.member_id, now_utc())  # thresholds crossed, once each
    return IngestResult(received=len(body.runs), stored=stored)


@router.get("/runs", response_model=list[RunOut])
def list_runs(request: Request, member_id: int | None = Query(None, ge=1, le=2**31 - 1),
              before: datetime | None = None, limit: int = Query(100, ge=1, le=500),
              caller: Caller = Depends(member_access)) -> list[RunOut]:
    """Newest first. Members see their own runs; admins and owners the team's (or one member's)."""
    if member_id is not None and member_id != caller.member_id and not caller.is_admin:
        raise ApiError(403, "forbidden", "members see only their own runs")
    query = select(t.run).where(t.run.c.team_id == caller.team_id)
    if not caller.is_admin:
        query = query.where(t.run.c.member_id == caller.member_id)
    elif member_id is not None:
        with request.app.state.engine.connect() as connection:
            member_row(connection, caller.team_id, member_id)  # 404 for another team's member
        query = query.where(t.run.c.member_id == member_id)
    if before is not None:
        query = query.where(t.run.c.created_at < before)
    query = query.order_by(t.run.c.created_at.desc(), t.run.c.id.desc()).limit(limit)
    with request.app.state.engine.connect() as connection:
        return [RunOut(**row._mapping) for row in connection.execute(query)]


@router.delete("/runs/{run_id}/text", response_model=RunOut)
def erase_run_text(run_id: RunIdPath, request: Request, caller: Caller = Depends(member_access)) -> RunOut:
    """Erase the prompt and answer text of one run (the caller's own; any team run for admins)."""
    condition = [t.run.c.team_id == caller.team_id, t.run.c.id == run_id]
    with request.app.state.engine.begin() as connection:
        owner = connection.execute(select(t.run.c.member_id).where(*condition)).first()
        if owner is None:
            raise ApiError(404, "not_found", f"no run {run_id} in this team")
        if owner.member_id != caller.member_id and not caller.is_admin:
            raise ApiError(403, "forbidden", "members erase only their own runs' text")
        connection.execute(update(t.run).where(*condition).values(prompt_text=None, response_text=None))
        return RunOut(**connection.execute(select(t.run).where(*condition)).one()._mapping)
