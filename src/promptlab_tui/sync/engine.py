"""Push the outbox to the team server: `sync_once` (the CLI's `promptlab sync`) and `BackgroundSync` (the app).

States shown to the user: "synced", "pending N", "offline" (no answer; retried with backoff), "error"
(the server refused: bad token, a run it cannot take). Never raises for network trouble.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable

from promptlab_tui.sync import outbox
from promptlab_tui.sync.client import TeamClient, TeamError, TeamUnreachable
from promptlab_tui.sync.credentials import Login

if TYPE_CHECKING:
    from promptlab_tui.store.database import Database

BATCH = 500


@dataclass(frozen=True)
class SyncState:
    state: str  # synced | pending | offline | error | logged-out
    pending: int = 0
    pushed: int = 0
    message: str = ""
    new_alerts: int = 0  # team alerts brought into the local alert table by this sync
    budget: str = ""  # the tightest team budget that applies, e.g. "team monthly 42%"
    view: object | None = None  # the same as a BudgetView, for the Lab's preview

    @property
    def label(self) -> str:
        if self.state == "pending":
            text = f"pending {self.pending}"
        elif self.state in ("offline", "error") and self.pending:
            text = f"{self.state} · pending {self.pending}"
        else:
            text = self.state
        return f"{text} · {self.budget}" if self.budget else text


def tightest_budget(me: dict, budgets: list[dict]) -> str:
    """The team-server budget closest to its limit among those that apply to this member, labelled."""
    best = tightest(me, budgets)
    if best is None:
        return ""
    percent = (best["spent_nanos"] + best["reserved_nanos"]) * 100 // max(1, best["limit_nanos"])
    return f"{scope_label(best)} {best['period']} {percent}%"


def tightest(me: dict, budgets: list[dict]) -> dict | None:
    mine = [b for b in budgets if b["scope"] != "member" or b["subject_id"] == me.get("id")]
    if me.get("role") in ("admin", "owner"):  # admins are sent every budget: keep team, own and groups
        mine = [b for b in mine if b["scope"] in ("team", "member")]
    if not mine:
        return None
    return max(mine, key=lambda b: (b["spent_nanos"] + b["reserved_nanos"]) * 10_000 // max(1, b["limit_nanos"]))


def scope_label(budget: dict) -> str:
    return {"team": "team", "member": "you"}.get(budget["scope"], "group")


def budget_view(me: dict, budgets: list[dict]) -> object | None:
    """The same budget as the Lab's preview shows it (a services.views.BudgetView)."""
    best = tightest(me, budgets)
    if best is None:
        return None
    from promptlab_tui.services.views import BudgetView

    return BudgetView(period=f"{scope_label(best)} {best['period']}", spent_nanos=best["spent_nanos"],
                      limit_nanos=best["limit_nanos"], reserved_nanos=best["reserved_nanos"], mode=best["mode"],
                      thresholds=tuple(best["thresholds"]))


def _now_text() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def sync_once(db: Database, login: Login, client: TeamClient | None = None) -> SyncState:
    own = client is None
    client = client or TeamClient(login)
    pushed = 0
    try:
        with db.raw_write() as conn:
            outbox.install(conn, backfill=not outbox.installed(conn))
        me = client.me()
        from promptlab_tui.sync.team_gate import remember_team

        budgets = client.budgets()
        remember_team(db, me, budgets)  # what a run needs to decide while offline
        budget, view = tightest_budget(me, budgets), budget_view(me, budgets)
        from promptlab_tui.sync.team_alerts import mirror_alerts

        new_alerts = mirror_alerts(db, client)
        share_text = bool(me.get("share_text"))
        while True:
            with db.raw_write() as conn:
                batch = outbox.take(conn, BATCH, share_text)
            if not batch:
                break
            pushed += _push(db, client, batch)
        return _finish(db, SyncState("synced", 0, pushed, new_alerts=new_alerts, budget=budget, view=view), pushed)
    except TeamUnreachable as error:
        return _finish(db, SyncState("offline", message=str(error)), pushed)
    except TeamError as error:
        return _finish(db, SyncState("error", message=str(error)), pushed)
    finally:
        if own:
            client.close()


def _push(db: Database, client: TeamClient, batch: list[tuple[str, dict]]) -> int:
    try:
        client.push([body for _queued, body in batch])
        with db.raw_write() as conn:
            outbox.done(conn, [(queued, body["id"]) for queued, body in batch], _now_text())
        return len(batch)
    except TeamError as error:
        if error.status != 422:
            raise
    pushed = 0  # one bad run must not hold the others back: find it
    for queued, body in batch:
        try:
            client.push([body])
        except TeamError as error:
            if error.status != 422:
                raise
            with db.raw_write() as conn:
                outbox.give_up(conn, body["id"], error.message)
            continue
        with db.raw_write() as conn:
            outbox.done(conn, [(queued, body["id"])], _now_text())
        pushed += 1
    return pushed


def _finish(db: Database, result: SyncState, pushed: int) -> SyncState:
    with db.raw_write() as conn:
        pending = outbox.pending_count(conn)
        stuck = outbox.failed(conn) if outbox.installed(conn) else []
        values = {"last_attempt_at": _now_text(), "last_state": result.state, "last_message": result.message}
        if result.state == "synced":
            values["last_success_at"] = values["last_attempt_at"]
        if outbox.installed(conn):
            outbox.set_state(conn, **values)
    if result.state == "synced" and stuck:
        return SyncState("error", pending, pushed, f"{len(stuck)} run(s) refused by the server: {stuck[0][1]}",
                         result.new_alerts, result.budget, result.view)
    if result.state == "synced" and pending:
        return SyncState("pending", pending, pushed, new_alerts=result.new_alerts, budget=result.budget,
                         view=result.view)
    return SyncState(result.state, pending, pushed, result.message, result.new_alerts, result.budget, result.view)


def status(db: Database) -> tuple[int, dict[str, str], list[tuple[str, str]]]:
    with db.raw_read() as conn:
        if not outbox.installed(conn):
            return 0, {}, []
        return outbox.pending_count(conn), outbox.get_state(conn), outbox.failed(conn)


class BackgroundSync:
    """A daemon thread: sync now, then every `interval` s; after failures back off up to `max_delay` s.

    `kick()` syncs at once (after a run settles). `on_state` is called from the thread.
    """

    def __init__(self, db: Database, login: Login, on_state: Callable[[SyncState], None],
                 interval: float = 30.0, base_delay: float = 2.0, max_delay: float = 300.0) -> None:
        self.db, self.login, self.on_state = db, login, on_state
        self.interval, self.base_delay, self.max_delay = interval, base_delay, max_delay
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="promptlab-sync", daemon=True)
        self.failures = 0

    def start(self) -> "BackgroundSync":
        self._thread.start()
        return self

    def kick(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def next_delay(self, state: SyncState) -> float:
        if state.state in ("offline", "error"):
            self.failures += 1
            return min(self.max_delay, self.base_delay * 2 ** (self.failures - 1))
        self.failures = 0
        return self.interval

    def _loop(self) -> None:
        client: TeamClient | None = None
        while not self._stop.is_set():
            try:
                client = client or TeamClient(self.login)
                state = sync_once(self.db, self.login, client)
            except Exception as error:  # noqa: BLE001 - a sync bug must never take the app down
                state = SyncState("error", message=f"{type(error).__name__}: {error}")
            self.on_state(state)
            self._wake.wait(self.next_delay(state))
            self._wake.clear()
        if client is not None:
            client.close()
