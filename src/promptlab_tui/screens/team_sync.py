"""The app's background sync with the team server (issue 12): started after the first frame when logged in.

The sync thread posts its state; the Lab's budget bar shows it (synced, pending N, offline, error).
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.message import Message


class TeamSyncState(Message):
    def __init__(self, label: str, detail: str = "", new_alerts: int = 0, view: Any = None) -> None:
        super().__init__()
        self.view = view  # the tightest team budget as a BudgetView (None: not known now)
        self.label = label
        self.detail = detail
        self.new_alerts = new_alerts


class TeamSyncMixin:
    """For PromptLabApp: `sync_state` is declared there (a reactive); this starts and feeds it."""

    team_sync: Any = None

    def start_team_sync(self) -> None:
        from promptlab_tui.sync.credentials import login_path

        services = self.services  # type: ignore[attr-defined]
        if services.tracking and login_path().exists():
            self._start_team_sync()

    @work(thread=True, group="team-sync")
    def _start_team_sync(self) -> None:
        from promptlab_tui.sync.credentials import LoginError, load_login
        from promptlab_tui.sync.engine import BackgroundSync

        post = self.post_message  # type: ignore[attr-defined]
        try:
            login = load_login()
        except LoginError as error:
            post(TeamSyncState("error", str(error)))
            return
        repository = self.services.repository  # type: ignore[attr-defined]
        if login is None or repository is None:
            return
        self.team_sync = BackgroundSync(repository.db, login,
                                        lambda state: post(TeamSyncState(state.label, state.message,
                                                                                       state.new_alerts, state.view))).start()

    def kick_team_sync(self) -> None:
        if self.team_sync is not None:
            self.team_sync.kick()

    def on_team_sync_state(self, message: TeamSyncState) -> None:
        self.sync_state = message.label  # type: ignore[attr-defined]
        if message.view is not None:  # offline keeps the last known numbers
            self.team_budget = message.view  # type: ignore[attr-defined]
        if message.new_alerts:
            self.load_budget()  # type: ignore[attr-defined]  # team alerts are in the local table now: banner
