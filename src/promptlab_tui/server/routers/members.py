"""Members: who am I, the team's members (admins), roles, removal with optional text erasure."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select, update

from promptlab_tui.server.models import ERROR_RESPONSES, IdPath
from promptlab_tui.server import schema as t
from promptlab_tui.server.auth import Caller, admin_access, member_access
from promptlab_tui.server.errors import ApiError
from promptlab_tui.server.models import MemberIn, MemberOut, MemberPatch, MeOut, NewToken, SettingsPatch
from promptlab_tui.server.teams import add_member, issue_token, member_row, now_utc, owners_left, revoke_member_tokens

router = APIRouter(prefix="/v1", tags=["members"], responses=ERROR_RESPONSES)


def _out(row) -> MemberOut:  # type: ignore[no-untyped-def]
    return MemberOut(id=row.id, name=row.name, role=row.role, share_text=bool(row.share_text),
                     created_at=row.created_at, removed_at=row.removed_at)


@router.get("/me", response_model=MeOut)
def me(request: Request, caller: Caller = Depends(member_access)) -> MeOut:
    with request.app.state.engine.connect() as connection:
        row = member_row(connection, caller.team_id, caller.member_id)
        team = connection.execute(select(t.team).where(t.team.c.id == caller.team_id)).one()
        groups = connection.execute(select(t.group.c.name).join(
            t.group_membership, t.group_membership.c.group_id == t.group.c.id).where(
            t.group_membership.c.member_id == caller.member_id).order_by(t.group.c.name)).scalars().all()
    return MeOut(**_out(row).model_dump(), team_id=team.id, team=team.name, run_mode=team.run_mode,
                 offline_policy=team.offline_policy, offline_cap_nanos=team.offline_cap_nanos, groups=list(groups))


@router.patch("/me/settings", response_model=MemberOut)
def my_settings(body: SettingsPatch, request: Request, caller: Caller = Depends(member_access)) -> MemberOut:
    with request.app.state.engine.begin() as connection:
        connection.execute(update(t.member).where(t.member.c.id == caller.member_id).values(share_text=body.share_text))
        return _out(member_row(connection, caller.team_id, caller.member_id))


@router.get("/members", response_model=list[MemberOut])
def list_members(request: Request, include_removed: bool = False,
                 caller: Caller = Depends(admin_access)) -> list[MemberOut]:
    query = select(t.member).where(t.member.c.team_id == caller.team_id).order_by(t.member.c.id)
    if not include_removed:
        query = query.where(t.member.c.removed_at.is_(None))
    with request.app.state.engine.connect() as connection:
        return [_out(row) for row in connection.execute(query)]


@router.post("/members", response_model=NewToken, status_code=201)
def create_member(body: MemberIn, request: Request, caller: Caller = Depends(admin_access)) -> NewToken:
    """Adds a member and issues their first token (shown once in `token`)."""
    if body.role == "owner" and caller.role != "owner":
        raise ApiError(403, "forbidden", "only an owner can add an owner")
    with request.app.state.engine.begin() as connection:
        member_id = add_member(connection, caller.team_id, body.name, body.role)
        token, info = issue_token(connection, caller.team_id, member_id, "first token")
    return NewToken(token=token, **info)


@router.patch("/members/{member_id}", response_model=MemberOut)
def change_member(member_id: IdPath, body: MemberPatch, request: Request,
                  caller: Caller = Depends(admin_access)) -> MemberOut:
    with request.app.state.engine.begin() as connection:
        row = member_row(connection, caller.team_id, member_id)
        if row.removed_at is not None:
            raise ApiError(409, "removed", f"member {member_id} was removed")
        values: dict = {}
        if body.role is not None and body.role != row.role:
            if "owner" in (body.role, row.role) and caller.role != "owner":
                raise ApiError(403, "forbidden", "only an owner can make or unmake an owner")
            if row.role == "owner" and owners_left(connection, caller.team_id, member_id) == 0:
                raise ApiError(409, "last_owner", "a team keeps at least one owner: make another owner first")
            values["role"] = body.role
        if body.share_text is not None:
            values["share_text"] = body.share_text
        if values:
            connection.execute(update(t.member).where(t.member.c.id == member_id).values(**values))
        return _out(member_row(connection, caller.team_id, member_id))


@router.delete("/members/{member_id}", response_model=MemberOut)
def remove_member(member_id: IdPath, request: Request,
                  erase_text: bool = Query(False, description="also erase their prompt and answer text"),
                  caller: Caller = Depends(admin_access)) -> MemberOut:
    """Revokes their tokens; their runs stay in the team's totals, unattributed (text erased on request)."""
    with request.app.state.engine.begin() as connection:
        row = member_row(connection, caller.team_id, member_id)
        if row.role == "owner" and caller.role != "owner":
            raise ApiError(403, "forbidden", "only an owner can remove an owner")
        if row.role == "owner" and owners_left(connection, caller.team_id, member_id) == 0:
            raise ApiError(409, "last_owner", "a team keeps at least one owner: make another owner first")
        revoke_member_tokens(connection, member_id)
        connection.execute(update(t.member).where(t.member.c.id == member_id).values(removed_at=now_utc()))
        connection.execute(t.group_membership.delete().where(t.group_membership.c.member_id == member_id))
        changes: dict = {"member_id": None}
        if erase_text:
            changes.update(prompt_text=None, response_text=None)
        connection.execute(update(t.run).where(t.run.c.team_id == caller.team_id, t.run.c.member_id == member_id)
                           .values(**changes))
        connection.execute(update(t.reservation).where(t.reservation.c.member_id == member_id)
                           .values(member_id=None))
        return _out(member_row(connection, caller.team_id, member_id))
