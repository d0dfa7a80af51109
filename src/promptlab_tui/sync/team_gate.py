"""Team budgets around a local run: reserve the worst case on the server before the call, settle after.

When the server cannot be reached and a hard team budget applies (as last seen), the team's policy
decides: `refuse`, or `local_cap` (allow up to a per-member amount of spend since the last contact).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from promptlab_tui.core.money import format_usd
from promptlab_tui.services.run_types import BudgetRefused
from promptlab_tui.sync import outbox
from promptlab_tui.sync.client import TeamClient, TeamError, TeamUnreachable
from promptlab_tui.sync.credentials import Login
from promptlab_tui.sync.heartbeat import Heartbeats

if TYPE_CHECKING:
    from promptlab_tui.services.run_types import RunPlan
    from promptlab_tui.store.database import Database


class TeamRefused(BudgetRefused):
    """A hard team, member or group budget on the team server (or the offline policy) refuses the run."""

    def __init__(self, reason: str, offline_reason: str | None = None, **numbers: Any) -> None:
        self.reason = reason
        # Set when the server could not be reached and the team's offline policy refused (not a budget):
        # the reason without the connection error's details.
        self.offline_reason = offline_reason
        numbers.setdefault("spent_nanos", 0)
        numbers.setdefault("reserved_nanos", 0)
        numbers.setdefault("limit_nanos", 0)
        numbers.setdefault("resets_at", None)
        super().__init__(**numbers)

    def explain(self) -> str:
        return self.reason

    @property
    def suggestions(self) -> list[str]:
        if self.offline_reason:
            return offline_suggestions(self.scope)
        return ["ask a team admin to raise the budget (promptlab team budget …)", "lower max tokens so the worst "
                "case fits", "pick a cheaper model"]


def offline_suggestions(scope: str) -> list[str]:
    """What can help when the team server is unreachable: reaching it again; under a local cap, a smaller run."""
    items = ["check the team server can be reached, then sync again (promptlab sync; in the Lab: retry sync)"]
    if scope == "team offline cap":
        items.append("lower max tokens or pick a cheaper model so the worst case fits the offline cap")
    else:
        items.append("ask a team admin to allow offline runs up to a cap (promptlab team policy --offline "
                     "local_cap --offline-cap USD)")
    return items


def _now_text() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def remember_team(db: Database, me: dict, budgets: list[dict] | None) -> None:
    """What the client needs to decide offline: the policy, the cap, and whether a hard budget applies."""
    values = {"offline_policy": str(me.get("offline_policy", "refuse")), "run_mode": str(me.get("run_mode", "direct")),
              "offline_cap_nanos": str(int(me.get("offline_cap_nanos", 0))),
              "share_text": "1" if me.get("share_text") else "0", "last_contact_at": _now_text()}
    if budgets is not None:
        values["team_hard"] = "1" if any(b.get("mode") == "hard" for b in budgets) else "0"
    with db.raw_write() as conn:
        outbox.install(conn, backfill=not outbox.installed(conn))
        outbox.set_state(conn, **values)


class TeamGate:
    def __init__(self, db: Database, login: Login) -> None:
        self.db, self.login = db, login
        self._client: TeamClient | None = None
        self.held: set[str] = set()
        self.notes: dict[str, str] = {}
        self.heartbeats = Heartbeats(login)  # a held run stays held while it streams, however long

    @property
    def client(self) -> TeamClient:
        if self._client is None:
            self._client = TeamClient(self.login, timeout=5.0)
        return self._client

    def proxy_mode(self) -> bool:
        with self.db.raw_read() as conn:
            return outbox.get_state(conn).get("run_mode") == "proxy"

    def reserve(self, plan: RunPlan) -> None:
        if self.proxy_mode():
            return  # the server reserves when it makes the call
        worst = plan.worst_case_nanos or 0
        try:
            answer = self.client.reserve(plan.run_id, worst, plan.provider, plan.model)
        except TeamError as error:
            if error.code == "budget_exceeded":
                detail = error.detail or {}
                scope = f"team server {detail.get('scope', 'team')} {detail.get('period', '')}".strip()
                raise TeamRefused(f"refused by the team server: {error.message}", scope=scope,
                                  spent_nanos=int(detail.get("spent_nanos", 0)),
                                  reserved_nanos=int(detail.get("reserved_nanos", 0)),
                                  limit_nanos=int(detail.get("limit_nanos", 0)), worst_case_nanos=worst) from None
            return self._offline(plan, f"the team server refused the request ({error.message})")
        except TeamUnreachable as error:
            return self._offline(plan, f"the team server cannot be reached ({error})")
        self.held.add(plan.run_id)
        self.heartbeats.start(plan.run_id, answer.get("ttl_s"))
        with self.db.raw_write() as conn:
            outbox.install(conn, backfill=not outbox.installed(conn))
            outbox.set_state(conn, last_contact_at=_now_text(),
                             team_hard="1" if any(b["mode"] == "hard" for b in answer.get("budgets", [])) else "0")
        for warning in answer.get("warnings", []):
            self.notes[plan.run_id] = warning

    def _offline(self, plan: RunPlan, why: str) -> None:
        short = why.split(" (", 1)[0]  # without the connection error's details: what the Lab's dialog says
        with self.db.raw_read() as conn:
            state = outbox.get_state(conn)
        if state.get("team_hard") != "1":
            self.notes[plan.run_id] = f"{why}; no hard team budget was known, so the run goes ahead"
            return
        policy = state.get("offline_policy", "refuse")
        if policy != "local_cap":
            rule = "a hard team budget applies: the team's policy is to refuse runs while the server is unreachable"
            raise TeamRefused(f"{why}, and {rule}", scope="team offline policy", offline_reason=f"{short}, and {rule}",
                              worst_case_nanos=plan.worst_case_nanos)
        cap = int(state.get("offline_cap_nanos", "0"))
        spent = self._spent_since(state.get("last_contact_at"))
        worst = plan.worst_case_nanos or 0
        if spent + worst > cap:
            rule = (f"the team's policy allows {format_usd(cap)} per member offline, {format_usd(spent)} is spent or "
                    f"held since the last contact and this run may cost up to {format_usd(worst)}")
            raise TeamRefused(f"{why}; {rule}", scope="team offline cap", offline_reason=f"{short}; {rule}",
                              spent_nanos=spent, limit_nanos=cap, worst_case_nanos=worst)
        self.notes[plan.run_id] = (f"{why}; running under the team's offline cap ({format_usd(spent + worst)} of "
                                   f"{format_usd(cap)} used with this run)")

    def _spent_since(self, since: str | None) -> int:
        with self.db.raw_read() as conn:
            row = conn.execute("SELECT coalesce(sum(CASE WHEN status = 'pending' THEN reserved_nanos "
                               "ELSE coalesce(cost_nanos, 0) END), 0) FROM run WHERE created_at >= ?",
                               (since or "0000",)).fetchone()
        return int(row[0])

    def release(self, plan: RunPlan) -> None:
        if plan.run_id in self.held:
            self.held.discard(plan.run_id)
            self.heartbeats.stop(plan.run_id)
            try:
                self.client.release(plan.run_id)
            except (TeamError, TeamUnreachable):
                pass  # the hold expires on the server

    def settle(self, plan: RunPlan) -> None:
        """Push the settled run now (the outbox pushes it again later if this fails: idempotent)."""
        if plan.run_id not in self.held:
            return
        self.held.discard(plan.run_id)
        self.heartbeats.stop(plan.run_id)
        with self.db.raw_read() as conn:
            state = outbox.get_state(conn)
            row = conn.execute(f"SELECT {outbox._RUN_COLUMNS} FROM run WHERE id = ?", (plan.run_id,)).fetchone()
        if row is None:
            return
        try:
            self.client.settle(outbox.run_body(row, state.get("share_text") == "1"))
        except (TeamError, TeamUnreachable):
            pass
