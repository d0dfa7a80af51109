"""Proxy mode: provider keys held by the server (admins), and runs made by the server for members (streamed)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import delete, insert, select, update

from promptlab_tui.server import proxy
from promptlab_tui.server import reservations as ledger
from promptlab_tui.server import schema as t
from promptlab_tui.server.auth import Caller, admin_access, member_access
from promptlab_tui.server.errors import ApiError
from promptlab_tui.server.alerts import record_alerts
from promptlab_tui.server.ingest import ingest
from promptlab_tui.server.models import ERROR_RESPONSES, ProviderKeyIn, ProxyRunIn, ReserveIn, RunIn
from promptlab_tui.server.teams import now_utc

router = APIRouter(prefix="/v1", tags=["proxy"], responses=ERROR_RESPONSES)
ProviderName = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/provider-keys")
def list_provider_keys(request: Request, caller: Caller = Depends(admin_access)) -> list[dict]:
    """The providers the server holds a key for: never the keys, only their last 4 characters to tell them apart."""
    with request.app.state.engine.connect() as connection:
        rows = connection.execute(select(t.provider_key.c.provider, t.provider_key.c.base_url,
                                         t.provider_key.c.updated_at, t.provider_key.c.key_encrypted).where(
            t.provider_key.c.team_id == caller.team_id).order_by(t.provider_key.c.provider)).all()
    return [{"provider": r.provider, "base_url": r.base_url, "updated_at": r.updated_at.isoformat(),
             "last4": proxy.last4(r.key_encrypted)} for r in rows]


@router.put("/provider-keys/{provider}")
def store_provider_key(provider: ProviderName, body: ProviderKeyIn, request: Request,
                       caller: Caller = Depends(admin_access)) -> dict:
    sealed = proxy.encrypt(body.api_key)
    values = dict(base_url=body.base_url, key_encrypted=sealed, updated_at=now_utc())
    with request.app.state.engine.begin() as connection:
        key = (t.provider_key.c.team_id == caller.team_id, t.provider_key.c.provider == provider)
        if connection.execute(select(t.provider_key.c.provider).where(*key)).first() is None:
            connection.execute(insert(t.provider_key).values(team_id=caller.team_id, provider=provider, **values))
        else:
            connection.execute(update(t.provider_key).where(*key).values(**values))
    return {"provider": provider, "base_url": body.base_url, "stored": True}


@router.delete("/provider-keys/{provider}", status_code=204)
def delete_provider_key(provider: ProviderName, request: Request, caller: Caller = Depends(admin_access)) -> None:
    with request.app.state.engine.begin() as connection:
        gone = connection.execute(delete(t.provider_key).where(t.provider_key.c.team_id == caller.team_id,
                                                               t.provider_key.c.provider == provider)).rowcount
    if not gone:
        raise ApiError(404, "not_found", f"no key for {provider}")


@router.post("/proxy/runs", response_class=StreamingResponse,
             responses={200: {"content": {"application/x-ndjson": {}},
                              "description": "NDJSON: delta lines, then one done or error line"}})
def proxy_run(body: ProxyRunIn, request: Request, caller: Caller = Depends(member_access)) -> StreamingResponse:
    """Run a prompt with the team's key: reserved on the team's budgets first, settled with what it cost."""
    engine = request.app.state.engine
    with engine.connect() as connection:
        team = ledger.team_settings(connection, caller.team_id)
        stored = connection.execute(select(t.provider_key).where(t.provider_key.c.team_id == caller.team_id,
                                                                 t.provider_key.c.provider == body.provider)).first()
    if team.run_mode != "proxy":
        raise ApiError(409, "direct_mode", "the team runs in direct mode: members call providers with their own keys")
    if stored is None:
        raise ApiError(409, "no_provider_key", f"the server holds no key for {body.provider}: an admin stores one "
                       f"with PUT /v1/provider-keys/{body.provider}")
    service = proxy.run_service(body.provider, proxy.decrypt(stored.key_encrypted), stored.base_url)
    plan = proxy.plan_run(service, body)
    reserve = ReserveIn(id=body.id, amount_nanos=plan.worst_case_nanos or 0, provider=body.provider,
                        model=body.model)
    with engine.begin() as connection:
        ledger.reserve(connection, caller.team_id, caller.member_id, reserve, now_utc())
    created = datetime.now(timezone.utc)

    def finish(outcome):  # type: ignore[no-untyped-def]
        summary = proxy.outcome_summary(outcome)
        run = RunIn(id=body.id, created_at=created, finished_at=created + timedelta(milliseconds=summary["duration_ms"]),
                    provider=body.provider, model=body.model, prompt_name=body.prompt_name, status=outcome.status,
                    input_tokens=outcome.usage.input_tokens, output_tokens=outcome.usage.output_tokens,
                    cached_input_tokens=outcome.usage.cached_input_tokens,
                    cache_write_tokens=summary["usage"]["cache_write_tokens"],
                    reasoning_tokens=outcome.usage.reasoning_tokens, cost_nanos=summary["cost_nanos"],
                    duration_ms=summary["duration_ms"],
                    prompt_text="\n\n".join(m.get("content", "") for m in body.messages), response_text=outcome.text)
        with engine.begin() as connection:
            ingest(connection, caller.team_id, caller.member_id, [run], caller.share_text, source="proxy")
            record_alerts(connection, caller.team_id, caller.member_id, now_utc())
        return summary

    def abandon() -> None:  # nothing was sent (the provider could not be made): drop the hold
        with engine.begin() as connection:
            ledger.release(connection, caller.team_id, caller.member_id, body.id)

    def heartbeat() -> None:  # a run longer than the hold expiry keeps its hold while it streams
        with engine.begin() as connection:
            ledger.extend(connection, caller.team_id, caller.member_id, body.id, now_utc())

    return StreamingResponse(proxy.stream_run(service, plan, finish, abandon, heartbeat,
                                              heartbeat_s=max(0.1, team.reservation_ttl_s / 4)),
                             media_type="application/x-ndjson")
