"""The promptlab Textual app: themes, app-wide bindings, budget and alert state, and the Lab screen.

Nothing heavy is imported here: pricing, the database, the SDKs and the tokenizer load in workers
after the first frame (see services/app_backend.py, imported only inside workers).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive

from promptlab_tui.screens.app_budget import BudgetAlertsMixin
from promptlab_tui.screens.app_settings import AppSettingsMixin
from promptlab_tui.screens.commands import PromptLabCommands
from promptlab_tui.screens.team_sync import TeamSyncMixin
from promptlab_tui.screens.messages import BudgetLoaded, PricingLoaded

if TYPE_CHECKING:
    from promptlab_tui.services.views import AlertView, BudgetSettingsView, BudgetView, ModelChoice

FIRST_FRAME_WRITE_S = 0.03  # workers start this long after the first frame is composed
HISTORY_POLL_S = 2.0  # how often the files of the history are looked at for changes made by other processes
TEST_ENV = "PROMPTLAB_TEST"  # set by tests: no cursor blink, so snapshots are stable


class PromptLabApp(BudgetAlertsMixin, TeamSyncMixin, AppSettingsMixin, App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "promptlab"
    COMMANDS = App.COMMANDS | {PromptLabCommands}
    BINDINGS = [
        Binding("ctrl+b", "adjust_budget", "Budget", priority=True),
        Binding("ctrl+l", "show_alerts", "Alerts", priority=True),
        Binding("f2", "settings", "Options"),
        Binding("f5", "show_history", "Runs"),
        Binding("f6", "show_dashboard", "Dashboard", priority=True),  # over the editor's own f6 (select line)
        Binding("f4", "setup_budget", "Setup"),
        Binding("ctrl+t", "change_theme", "Theme"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    budget: reactive[BudgetView | None] = reactive(None, always_update=True, init=False)
    budget_loaded: reactive[bool] = reactive(False, init=False)
    alerts: reactive[tuple[AlertView, ...]] = reactive((), always_update=True, init=False)
    sync_state: reactive[str] = reactive("", init=False)  # team server sync, '' when not logged in
    team_budget: reactive[object | None] = reactive(None, init=False)  # tightest team budget (a BudgetView)

    def __init__(self, *, clock: Callable[[], float] | None = None, now: Callable[[], datetime] | None = None,
                 cursor_blink: bool | None = None, setup_wizard: bool = True,
                 start_dashboard: str | None = None) -> None:
        super().__init__()
        self.clock = clock or time.monotonic  # durations shown (tests freeze it)
        self.now = now  # the budget's "now" (None: the real time); tests pin it for stable snapshots
        self.cursor_blink = (not os.environ.get(TEST_ENV)) if cursor_blink is None else cursor_blink
        self.offer_setup = setup_wizard
        self.start_dashboard = start_dashboard  # `promptlab dashboard [--period P]`: open on it
        self.pricing: object | None = None
        self.pricing_ready = False
        self.models: list[ModelChoice] = []
        self.budget_settings: BudgetSettingsView | None = None
        self.startup_problems: list[str] = []
        self._session: tuple[object, str] | None = None
        self._first_frame_waiting: list[Callable[[], object]] | None = []
        self._history_stamp: tuple[int, ...] | None = None
        self.config = self._load_config()
        from promptlab_tui.services.context import (
            ServiceContext,  # cheap: loads nothing until asked
        )

        # a broken config file is never overwritten: the services run on defaults, settings are not saved
        self.services = ServiceContext(config=self.config or self._default_config())
        self.project_themes_loaded = False
        wanted = self.config.theme if self.config is not None else None
        if wanted and wanted not in self.available_themes:
            self.register_project_themes()  # the remembered theme is one of ours: the first frame needs it
        if wanted and wanted in self.available_themes:
            self.theme = wanted

    def run_context(self):
        """(services, session spend, session id) shared by every run of this app session."""
        if self._session is None:
            from promptlab_tui.core.history import new_run_id
            from promptlab_tui.services.session import SessionSpend

            self._session = (SessionSpend(), new_run_id())
        return self.services, self._session[0], self._session[1]

    # ---- start-up -------------------------------------------------------------------------------

    def on_mount(self) -> None:
        from promptlab_tui.screens.lab.lab_screen import LabScreen

        self.push_screen(LabScreen())  # before the first refresh: the first frame is the Lab
        # The budget bar is what the user looks at first: read it now (~10 ms) so the first frame shows it
        # filled; everything else (maintenance, prices, vocabulary, theme files) follows that frame.
        budget_shown = self._show_budget_now()
        if self.start_dashboard:
            self.action_show_dashboard(self.start_dashboard)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        for problem in self.startup_problems:
            self.notify(problem, severity="warning", timeout=10)
        self.after_first_frame(self.start_up_history if budget_shown else self.load_budget)
        self.after_first_frame(self.load_pricing)
        self.after_first_frame(self._register_themes_after_first_frame)  # (theme files: not for the first frame)
        self.after_first_frame(lambda: self.set_interval(HISTORY_POLL_S, self._check_history_changed))
        self.after_first_frame(self.start_team_sync)

    @property
    def started(self) -> bool:
        """The first frame is painted and what waited for it has been started."""
        return self._first_frame_waiting is None

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Run `callback` once the first frame is painted: workers started earlier share the GIL with it."""
        if self._first_frame_waiting is None:
            callback()
        else:
            self._first_frame_waiting.append(callback)

    def on_ready(self) -> None:
        # The first frame is composed; give the driver's writer thread a moment to put it on the terminal
        # before the workers (tokenizer, pricing, database) compete with it for the GIL.
        self.set_timer(FIRST_FRAME_WRITE_S, self._after_first_frame)

    def _after_first_frame(self) -> None:
        waiting, self._first_frame_waiting = self._first_frame_waiting or [], None
        for callback in waiting:
            callback()

    def _show_budget_now(self) -> bool:
        from promptlab_tui.services import app_backend as backend

        found = backend.read_budget_now(self.services, self.now() if self.now else None)
        if found is None:
            return False
        budget, self.budget_settings, alerts, _ = found
        self.budget, self.alerts, self.budget_loaded = budget, tuple(alerts), True
        self.after_first_frame(self._offer_setup)
        return True

    def _check_history_changed(self) -> None:
        """Another process (`promptlab budget set`, a `run`) wrote to the history: show the budget it left."""
        from promptlab_tui.services import app_backend as backend

        stamp = backend.history_stamp(self.services)
        if self._history_stamp is not None and stamp != self._history_stamp:
            self.load_budget()
        self._history_stamp = stamp

    @work(thread=True, group="budget", exclusive=True)
    def start_up_history(self) -> None:
        """Start-up maintenance (orphans, retention); the budget is read again if it settled a run."""
        from promptlab_tui.services import app_backend as backend

        if backend.start_up_history(self.services):
            budget, settings, alerts, error = backend.read_budget(self.services, self.now() if self.now else None)
            self.post_message(BudgetLoaded(budget, settings, alerts, error))

    @work(thread=True, group="pricing")
    def load_pricing(self) -> None:
        from promptlab_tui.services import app_backend as backend

        pricing, models, error = backend.load_models(self.services)
        self.post_message(PricingLoaded(pricing, models, error))

    @work(thread=True, group="budget", exclusive=True)
    def load_budget(self) -> None:
        from promptlab_tui.services import app_backend as backend

        budget, settings, alerts, error = backend.read_budget(self.services, self.now() if self.now else None)
        self.post_message(BudgetLoaded(budget, settings, alerts, error))

    def on_pricing_loaded(self, message: PricingLoaded) -> None:
        self.pricing = message.pricing
        self.pricing_ready = True
        self.models = message.models
        if message.error:
            self.notify(message.error, title="Pricing", severity="error", timeout=15)
        for screen in self.screen_stack:
            if hasattr(screen, "pricing_loaded"):
                screen.pricing_loaded(message)

    def on_budget_loaded(self, message: BudgetLoaded) -> None:
        first = not self.budget_loaded
        self.budget_settings = message.settings
        self.budget = message.budget
        self.alerts = tuple(message.alerts)
        self.budget_loaded = True
        if message.error:
            self.notify(message.error, title="Budget", severity="error", timeout=15)
        if first:
            self._offer_setup()

    def _offer_setup(self) -> None:
        """The setup wizard, once, for a user with no limit who has not been through it."""
        has_limit = bool(self.budget_settings and self.budget_settings.any_limit)
        if self.offer_setup and not self._setup_done() and not has_limit:
            self.action_setup_budget()

    def _setup_done(self) -> bool:
        return bool(self.config and self.config.extra.get("tui", {}).get("setup_done"))

    # ---- settings and themes --------------------------------------------------------------------

    def action_show_history(self) -> None:
        from promptlab_tui.screens.history.history_screen import HistoryScreen

        self.push_screen(HistoryScreen())

    def action_show_dashboard(self, period: str = "month") -> None:
        from promptlab_tui.screens.dashboard.dashboard_screen import DashboardScreen

        if any(isinstance(screen, DashboardScreen) for screen in self.screen_stack):
            while not isinstance(self.screen, DashboardScreen):  # a dialog over the dashboard: back to it
                self.pop_screen()
            return
        self.push_screen(DashboardScreen(period))

    def action_show_dashboard_for(self, period_kind: str, period_start: str = "") -> None:
        """The dashboard on a budget period (an alert's, or the refused one's: '' start means the current one)."""
        from promptlab_tui.screens.dashboard.dashboard_screen import DashboardScreen

        if isinstance(self.screen, DashboardScreen):
            self.pop_screen()
        self.push_screen(DashboardScreen(alert=(period_kind, period_start)))

    def action_settings(self) -> None:
        from promptlab_tui.screens.dialogs.settings import SettingsScreen

        self.push_screen(SettingsScreen())

    async def action_quit(self) -> None:
        """Quit; unsaved edits in the Lab are asked about first."""
        from promptlab_tui.screens.lab.lab_screen import LabScreen

        lab = next((s for s in self.screen_stack if isinstance(s, LabScreen)), None)
        if lab is None or lab.running:
            self.exit()
        else:
            lab.guard_unsaved("quit", self.exit)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # f6 works from anywhere (esc comes back to the dialog); the others are one dialog at a time
        if action in ("adjust_budget", "setup_budget", "show_alerts", "settings", "show_history"):
            # one dialog at a time: grey these while a dialog is open (the palette closes itself first)
            from textual.command import CommandPalette
            from textual.screen import ModalScreen

            screen = self.screen
            return None if isinstance(screen, ModalScreen) and not isinstance(screen, CommandPalette) else True
        return True


def run_app(start_dashboard: str | None = None) -> int:
    """Entry point for `promptlab` with no command (and for `promptlab dashboard`)."""
    import gc

    # The modules just imported live as long as the process: keep the collector from walking them, and
    # collect nothing until the first frame is painted (collections cost ~30 ms of start-up otherwise).
    gc.freeze()
    gc.disable()  # (the CLI already turned it off before importing this module)
    _upgrade_history_first()
    app = PromptLabApp(start_dashboard=start_dashboard, setup_wizard=start_dashboard is None)
    app.after_first_frame(gc.enable)
    try:
        result = app.run()
    finally:
        if app.team_sync is not None:
            app.team_sync.stop()
        app.services.close()
    return int(result or 0) if isinstance(result, int) else 0


def _upgrade_history_first() -> None:
    """An older history file is upgraded before the app takes the terminal, with a line saying so."""
    import sys

    from promptlab_tui import paths
    from promptlab_tui.services.history_upgrade import older_history, upgrade, upgrade_notice

    path = paths.app_paths().database
    version = older_history(path)
    if version is not None:
        print(upgrade_notice(path, version), file=sys.stderr, flush=True)
        upgrade(path)
