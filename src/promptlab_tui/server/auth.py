"""Who is calling, and may they: one FastAPI dependency per permission.

    caller: Caller = Depends(member_access)   # any valid token (members see only their own things)
    caller: Caller = Depends(admin_access)    # admins and owners: the team's members, tokens, budgets, stats
    caller: Caller = Depends(owner_access)    # owners: making or unmaking owners
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select, update

from promptlab_tui.server import schema as t
from promptlab_tui.server.database import single_statements
from promptlab_tui.server.errors import ApiError
from promptlab_tui.server.security import hash_token

ROLE_RANK = {"member": 0, "admin": 1, "owner": 2}
LAST_USED_RESOLUTION = timedelta(seconds=60)  # last-used is written at most once a minute per token
bearer = HTTPBearer(auto_error=False, description="a token from `promptlab server init` or `promptlab team token`")


@dataclass(frozen=True)
class Caller:
    team_id: int
    member_id: int
    role: str
    token_id: int
    name: str
    share_text: bool

    @property
    def is_admin(self) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK["admin"]


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def member_access(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Caller:
    return caller_of(request, credentials)


def caller_of(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Caller:
    """member_access's check, callable inside a hot endpoint's own worker thread (one thread hop, not two)."""
    if credentials is None or not credentials.credentials:
        raise ApiError(401, "unauthorized", "missing bearer token (Authorization: Bearer TOKEN)")
    digest = hash_token(credentials.credentials)
    engine = single_statements(request.app.state.engine)  # one lookup, one round trip
    query = (select(t.token.c.id, t.token.c.revoked_at, t.token.c.last_used_at, t.member.c.id, t.member.c.team_id,
                    t.member.c.role, t.member.c.name, t.member.c.share_text, t.member.c.removed_at)
             .join(t.member, t.member.c.id == t.token.c.member_id).where(t.token.c.token_hash == digest))
    with engine.connect() as connection:
        row = connection.execute(query).first()
    caller, stale = caller_from_row(row)
    if stale:
        with engine.begin() as connection:
            connection.execute(update(t.token).where(t.token.c.id == caller.token_id).values(last_used_at=stale))
    return caller


# The columns caller_from_row reads, in order (reserve_pg.py looks them up in its own first query).
CALLER_COLUMNS = ("token.id", "token.revoked_at", "token.last_used_at", "member.id", "member.team_id", "member.role",
                  "member.name", "member.share_text", "member.removed_at")


def caller_from_row(row: Any) -> tuple[Caller, datetime | None]:
    """The caller of a token's row (401 when unknown or revoked), and the time to write as last used, if due."""
    if row is None:
        raise ApiError(401, "unauthorized", "unknown token")
    token_id, revoked_at, last_used, member_id, team_id, role, name, share_text, removed_at = row
    if revoked_at is not None or removed_at is not None:
        raise ApiError(401, "unauthorized", "this token was revoked")
    now = now_utc()
    stale = now if last_used is None or _aware(last_used) + LAST_USED_RESOLUTION < now else None
    return Caller(team_id=team_id, member_id=member_id, role=role, token_id=token_id, name=name,
                  share_text=bool(share_text)), stale


def admin_access(caller: Caller = Depends(member_access)) -> Caller:
    if not caller.is_admin:
        raise ApiError(403, "forbidden", f"this needs the admin or owner role; {caller.name} is a {caller.role}")
    return caller


def owner_access(caller: Caller = Depends(member_access)) -> Caller:
    if caller.role != "owner":
        raise ApiError(403, "forbidden", f"this needs the owner role; {caller.name} is a {caller.role}")
    return caller


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)  # SQLite drops the offset
