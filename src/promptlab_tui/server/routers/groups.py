"""Groups (departments, cost centres): members belong to groups; a group has budgets and is a stats dimension."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import delete, insert, select

from promptlab_tui.server.models import ERROR_RESPONSES, IdPath
from promptlab_tui.server import schema as t
from promptlab_tui.server.auth import Caller, admin_access
from promptlab_tui.server.errors import ApiError
from promptlab_tui.server.models import GroupIn, GroupMembers, GroupOut

router = APIRouter(prefix="/v1", tags=["groups"], responses=ERROR_RESPONSES)


def _group(connection, team_id: int, group_id: int) -> GroupOut:  # type: ignore[no-untyped-def]
    row = connection.execute(select(t.group).where(t.group.c.id == group_id, t.group.c.team_id == team_id)).first()
    if row is None:
        raise ApiError(404, "not_found", f"no group {group_id} in this team")
    members = connection.execute(select(t.group_membership.c.member_id).where(
        t.group_membership.c.group_id == group_id).order_by(t.group_membership.c.member_id)).scalars().all()
    return GroupOut(id=row.id, name=row.name, member_ids=list(members))


@router.get("/groups", response_model=list[GroupOut])
def list_groups(request: Request, caller: Caller = Depends(admin_access)) -> list[GroupOut]:
    with request.app.state.engine.connect() as connection:
        ids = connection.execute(select(t.group.c.id).where(t.group.c.team_id == caller.team_id)
                                 .order_by(t.group.c.id)).scalars().all()
        return [_group(connection, caller.team_id, group_id) for group_id in ids]


@router.post("/groups", response_model=GroupOut, status_code=201)
def create_group(body: GroupIn, request: Request, caller: Caller = Depends(admin_access)) -> GroupOut:
    with request.app.state.engine.begin() as connection:
        if connection.execute(select(t.group.c.id).where(t.group.c.team_id == caller.team_id,
                                                         t.group.c.name == body.name)).first() is not None:
            raise ApiError(409, "exists", f"a group named {body.name!r} exists already")
        group_id = connection.execute(insert(t.group).values(team_id=caller.team_id, name=body.name)
                                      .returning(t.group.c.id)).scalar_one()
        return _group(connection, caller.team_id, group_id)


@router.put("/groups/{group_id}/members", response_model=GroupOut)
def set_group_members(group_id: IdPath, body: GroupMembers, request: Request,
                      caller: Caller = Depends(admin_access)) -> GroupOut:
    wanted = sorted(set(body.member_ids))
    with request.app.state.engine.begin() as connection:
        _group(connection, caller.team_id, group_id)
        if wanted:
            found = set(connection.execute(select(t.member.c.id).where(
                t.member.c.team_id == caller.team_id, t.member.c.removed_at.is_(None),
                t.member.c.id.in_(wanted))).scalars())
            missing = [m for m in wanted if m not in found]
            if missing:
                raise ApiError(404, "not_found", f"no member {missing[0]} in this team")
        connection.execute(delete(t.group_membership).where(t.group_membership.c.group_id == group_id))
        if wanted:
            connection.execute(insert(t.group_membership), [{"group_id": group_id, "member_id": m} for m in wanted])
        return _group(connection, caller.team_id, group_id)


@router.delete("/groups/{group_id}", status_code=204)
def delete_group(group_id: IdPath, request: Request, caller: Caller = Depends(admin_access)) -> None:
    with request.app.state.engine.begin() as connection:
        _group(connection, caller.team_id, group_id)
        connection.execute(delete(t.group_membership).where(t.group_membership.c.group_id == group_id))
        connection.execute(delete(t.budget).where(t.budget.c.team_id == caller.team_id, t.budget.c.scope == "group",
                                                  t.budget.c.subject_id == group_id))
        connection.execute(delete(t.group).where(t.group.c.id == group_id))
