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

    @property
    def label(self) -> str:
        if self.state == "pending":
            return f"pending {self.pending}"
        if self.state in ("offline", "error") and self.pending:
            return f"{self.state} · pending {self.pending}"
        return self.state


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

        remember_team(db, me, client.budgets())  # what a run needs to decide while offline
        from promptlab_tui.sync.team_alerts import mirror_alerts

        new_alerts = mirror_alerts(db, client)
        share_text = bool(me.get("share_text"))
        while True:
            with db.raw_write() as conn:
                batch = outbox.take(conn, BATCH, share_text)
            if not batch:
                break
            pushed += _push(db, client, batch)
        return _finish(db, SyncState("synced", 0, pushed, new_alerts=new_alerts), pushed)
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
                         result.new_alerts)
    if result.state == "synced" and pending:
        return SyncState("pending", pending, pushed, new_alerts=result.new_alerts)
    return SyncState(result.state, pending, pushed, result.message, result.new_alerts)


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
