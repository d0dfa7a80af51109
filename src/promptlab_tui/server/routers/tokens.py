"""Tokens: a member lists and revokes their own; admins issue and revoke anyone's in the team."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select, update

from promptlab_tui.server.models import ERROR_RESPONSES, IdPath
from promptlab_tui.server import schema as t
from promptlab_tui.server.auth import Caller, admin_access, member_access
from promptlab_tui.server.errors import ApiError
from promptlab_tui.server.models import NewToken, TokenIn, TokenOut
from promptlab_tui.server.teams import issue_token, member_row, now_utc

router = APIRouter(prefix="/v1", tags=["tokens"], responses=ERROR_RESPONSES)
_COLUMNS = (t.token.c.id, t.token.c.member_id, t.token.c.label, t.token.c.created_at, t.token.c.last_used_at,
            t.token.c.revoked_at)


@router.get("/tokens", response_model=list[TokenOut])
def my_tokens(request: Request, caller: Caller = Depends(member_access)) -> list[TokenOut]:
    with request.app.state.engine.connect() as connection:
        rows = connection.execute(select(*_COLUMNS).where(t.token.c.member_id == caller.member_id)
                                  .order_by(t.token.c.id)).all()
    return [TokenOut(**row._mapping) for row in rows]


@router.get("/members/{member_id}/tokens", response_model=list[TokenOut])
def member_tokens(member_id: IdPath, request: Request, caller: Caller = Depends(admin_access)) -> list[TokenOut]:
    with request.app.state.engine.connect() as connection:
        member_row(connection, caller.team_id, member_id)
        rows = connection.execute(select(*_COLUMNS).where(t.token.c.member_id == member_id)
                                  .order_by(t.token.c.id)).all()
    return [TokenOut(**row._mapping) for row in rows]


@router.post("/members/{member_id}/tokens", response_model=NewToken, status_code=201)
def new_member_token(member_id: IdPath, body: TokenIn, request: Request,
                     caller: Caller = Depends(admin_access)) -> NewToken:
    with request.app.state.engine.begin() as connection:
        row = member_row(connection, caller.team_id, member_id)
        if row.removed_at is not None:
            raise ApiError(409, "removed", f"member {member_id} was removed")
        if row.role == "owner" and caller.role != "owner":
            raise ApiError(403, "forbidden", "only an owner can issue an owner's token")
        token, info = issue_token(connection, caller.team_id, member_id, body.label)
    return NewToken(token=token, **info)


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: IdPath, request: Request, caller: Caller = Depends(member_access)) -> TokenOut:
    with request.app.state.engine.begin() as connection:
        row = connection.execute(select(*_COLUMNS, t.member.c.role).join(
            t.member, t.member.c.id == t.token.c.member_id).where(
            t.token.c.id == token_id, t.token.c.team_id == caller.team_id)).first()
        if row is None:
            raise ApiError(404, "not_found", f"no token {token_id} in this team")
        if row.member_id != caller.member_id and not caller.is_admin:
            raise ApiError(403, "forbidden", "members revoke only their own tokens")
        if row.role == "owner" and row.member_id != caller.member_id and caller.role != "owner":
            raise ApiError(403, "forbidden", "only an owner can revoke an owner's token")
        if row.revoked_at is None:
            connection.execute(update(t.token).where(t.token.c.id == token_id).values(revoked_at=now_utc()))
        fresh = connection.execute(select(*_COLUMNS).where(t.token.c.id == token_id)).one()
    return TokenOut(**fresh._mapping)
