"""Team statistics: admins see the team's, a member their own numbers only."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime

from promptlab_tui.server.models import ERROR_RESPONSES
from promptlab_tui.server.auth import Caller, member_access
from promptlab_tui.server.errors import ApiError
from promptlab_tui.server.models import StatsOut
from promptlab_tui.server.reservations import expire_vanished
from promptlab_tui.server.stats import team_stats
from promptlab_tui.server.teams import now_utc

router = APIRouter(prefix="/v1", tags=["stats"], responses=ERROR_RESPONSES)
MAX_SPAN = timedelta(days=3660)


@router.get("/stats", response_model=StatsOut)
def stats(request: Request, start: AwareDatetime | None = None, end: AwareDatetime | None = None,
          top: int = Query(20, ge=1, le=500), caller: Caller = Depends(member_access)) -> StatsOut:
    """Default period: the last 30 days. Bounds are instants with their offset (ISO 8601)."""
    end = end or now_utc()
    start = start or end - timedelta(days=30)
    try:
        span = end - start
    except OverflowError:
        span = MAX_SPAN * 2
    if span <= timedelta(0) or span > MAX_SPAN:
        raise ApiError(422, "invalid_request", "start must be before end, at most 10 years apart")
    _check_range(start, end)
    with request.app.state.engine.begin() as connection:
        expire_vanished(connection, caller.team_id, now_utc())  # vanished clients' holds count as spent
        return team_stats(connection, caller.team_id, start, end,
                          only_member=None if caller.is_admin else caller.member_id, top=top)


def _check_range(*instants: datetime) -> None:
    for instant in instants:
        if not 1970 <= instant.year <= 9000:
            raise ApiError(422, "invalid_request", "dates must lie between 1970 and 9000")
