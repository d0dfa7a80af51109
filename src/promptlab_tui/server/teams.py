"""Teams, members and tokens on the database (used by the routers and by `promptlab server init`)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, insert, select, update

from promptlab_tui.server import schema as t
from promptlab_tui.server.errors import ApiError
from promptlab_tui.server.security import hash_token, new_token


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def create_team(connection: Connection, team_name: str, owner_name: str, tz: str = "UTC") -> tuple[int, int, str]:
    """A new team and its owner; returns (team id, owner id, the owner's token — shown once)."""
    if connection.execute(select(t.team.c.id).where(t.team.c.name == team_name)).first() is not None:
        raise ApiError(409, "exists", f"a team named {team_name!r} exists already")
    now = now_utc()
    team_id = connection.execute(insert(t.team).values(name=team_name, timezone=tz, created_at=now)
                                 .returning(t.team.c.id)).scalar_one()
    owner_id = add_member(connection, team_id, owner_name, "owner")
    token, _ = issue_token(connection, team_id, owner_id, "created by server init")
    return team_id, owner_id, token


def add_member(connection: Connection, team_id: int, name: str, role: str) -> int:
    existing = connection.execute(select(t.member.c.id, t.member.c.removed_at).where(
        t.member.c.team_id == team_id, t.member.c.name == name)).first()
    if existing is not None:
        raise ApiError(409, "exists", f"a member named {name!r} exists already"
                       + (" (removed; pick another name)" if existing.removed_at is not None else ""))
    return connection.execute(insert(t.member).values(team_id=team_id, name=name, role=role, share_text=False,
                                                      created_at=now_utc()).returning(t.member.c.id)).scalar_one()


def issue_token(connection: Connection, team_id: int, member_id: int, label: str) -> tuple[str, dict[str, Any]]:
    token = new_token()
    now = now_utc()
    token_id = connection.execute(insert(t.token).values(team_id=team_id, member_id=member_id,
                                                         token_hash=hash_token(token), label=label, created_at=now)
                                  .returning(t.token.c.id)).scalar_one()
    return token, {"id": token_id, "member_id": member_id, "label": label, "created_at": now,
                   "last_used_at": None, "revoked_at": None}


def member_row(connection: Connection, team_id: int, member_id: int) -> Any:
    row = connection.execute(select(t.member).where(t.member.c.id == member_id, t.member.c.team_id == team_id)).first()
    if row is None:
        raise ApiError(404, "not_found", f"no member {member_id} in this team")
    return row


def revoke_member_tokens(connection: Connection, member_id: int) -> int:
    return connection.execute(update(t.token).where(t.token.c.member_id == member_id, t.token.c.revoked_at.is_(None))
                              .values(revoked_at=now_utc())).rowcount


def owners_left(connection: Connection, team_id: int, excluding: int) -> int:
    rows = connection.execute(select(t.member.c.id).where(
        t.member.c.team_id == team_id, t.member.c.role == "owner", t.member.c.removed_at.is_(None),
        t.member.c.id != excluding)).all()
    return len(rows)
