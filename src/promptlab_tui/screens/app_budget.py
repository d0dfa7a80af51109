"""The app's budget and alert actions (ctrl+b, f4 setup, ctrl+l): dialogs on the UI thread, saves in workers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from promptlab_tui.screens.messages import AlertsAcknowledged, BudgetSaved

if TYPE_CHECKING:
    from promptlab_tui.services.views import AlertView, BudgetSettingsView


class BudgetAlertsMixin:
    """For PromptLabApp (its state: budget, budget_settings, alerts, models, services)."""

    def action_adjust_budget(self, focus: str | None = None) -> None:
        from promptlab_tui.screens.dialogs.budget_adjust import BudgetAdjustDialog

        self.push_screen(BudgetAdjustDialog(self.budget_settings, self.budget, focus), self._budget_chosen)

    def action_setup_budget(self) -> None:
        from promptlab_tui.screens.dialogs.setup_wizard import SetupWizard

        wizard = SetupWizard(self.models, self.budget_settings)
        self.push_screen(wizard, lambda settings: self._wizard_done(settings, wizard.next_step))

    def _wizard_done(self, settings: BudgetSettingsView | None, next_step: str | None = None) -> None:
        from promptlab_tui.screens.dialogs.setup_wizard import FIRST_PROMPT
        from promptlab_tui.screens.lab.lab_screen import LabScreen

        self._mark_setup_done()
        self._budget_chosen(settings)
        lab = next((s for s in self.screen_stack if isinstance(s, LabScreen)), None)
        if next_step == "run" and lab is not None:
            self.call_after_refresh(lab.run_first_prompt, FIRST_PROMPT)
        elif next_step == "dashboard":
            self.call_after_refresh(self.run_action, "show_dashboard" if hasattr(self, "action_show_dashboard")
                                    else "show_history")

    def _budget_chosen(self, settings: BudgetSettingsView | None) -> None:
        if settings is not None:
            self.save_budget(settings)

    @work(thread=True, group="budget-save")
    def save_budget(self, settings: BudgetSettingsView) -> None:
        from promptlab_tui.services import app_backend as backend

        error = backend.save_budget(self.services, settings)
        self.post_message(BudgetSaved(settings, error))

    def on_budget_saved(self, message: BudgetSaved) -> None:
        if message.error:
            self.notify(message.error, title="Budget not saved", severity="error", timeout=15)
            return
        self.budget_settings = message.settings
        self.notify("Budget saved.", timeout=3)
        self.load_budget()
        for screen in self.screen_stack:
            if hasattr(screen, "budget_changed_by_user"):
                screen.budget_changed_by_user()

    # ---- alerts ---------------------------------------------------------------------------------

    def action_show_alerts(self) -> None:
        from promptlab_tui.screens.dialogs.alert_details import AlertDetailsScreen

        self.push_screen(AlertDetailsScreen(list(self.alerts), self.budget), self._alerts_closed)

    def _alerts_closed(self, acknowledged: list[AlertView] | None) -> None:
        if acknowledged:
            self.acknowledge(acknowledged)

    def acknowledge(self, alerts: list[AlertView]) -> None:
        """Drop alerts from the badge at once; the database follows in a worker."""
        ids = {a.alert_id for a in alerts}
        self.alerts = tuple(a for a in self.alerts if a.alert_id not in ids)
        self.acknowledge_alerts(alerts)

    @work(thread=True, group="alerts")
    def acknowledge_alerts(self, alerts: list[AlertView]) -> None:
        from promptlab_tui.services import app_backend as backend

        self.post_message(AlertsAcknowledged(backend.acknowledge_alerts(self.services, [a.alert_id for a in alerts])))

    def on_alerts_acknowledged(self, message: AlertsAcknowledged) -> None:
        if message.error:
            self.notify(message.error, severity="error")
        self.load_budget()
