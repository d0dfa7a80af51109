"""The dashboard's recommendations pane: shown when computed; `a` applies the first one that names a saved
prompt (its model or max tokens), `u` undoes the last applied (DashboardService.apply / undo); `o` picks the
models accepted as replacements (config.toml `acceptable_models`), saved, then the recommendations recomputed."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Static


class RecommendationsLoaded(Message):
    def __init__(self, recommendations: Any, period: Any) -> None:
        super().__init__()
        self.recommendations, self.period = recommendations, period


class ChangeApplied(Message):
    def __init__(self, applied: Any, undone: bool, error: str | None) -> None:
        super().__init__()
        self.applied, self.undone, self.error = applied, undone, error


class AcceptableChoices(Message):
    def __init__(self, choices: list[Any], error: str | None) -> None:
        super().__init__()
        self.choices, self.error = choices, error


class RecommendationsMixin:
    """Mixed into DashboardScreen (which holds `service`, `view`, `recommendations`, `applied`)."""

    acceptable: tuple[str, ...] = ()  # the config's acceptable_models the recommendations on screen used
    acceptable_problem: str | None = None  # a bad acceptable_models in the config (then none is used)

    def compute_recommendations(self, service: Any, period: Any) -> Any:
        """In a worker: the recommendations with the config's acceptable models (none, said, when the key is bad)."""
        from promptlab_tui.config import ConfigError
        from promptlab_tui.services.acceptable_models import configured_acceptable

        try:
            self.acceptable, self.acceptable_problem = configured_acceptable(
                service.context.config, service.context.pricing), None
        except ConfigError as error:
            self.acceptable, self.acceptable_problem = (), str(error)
        return service.recommendations(period, self.acceptable)

    @work(thread=True, group="dashboard-acceptable", exclusive=True)
    def load_acceptable_choices(self) -> None:
        from promptlab_tui.config import ConfigError
        from promptlab_tui.services.acceptable_models import acceptable_choices, configured_acceptable

        context = self.service.context
        try:
            try:
                marked = configured_acceptable(context.config, context.pricing)
            except ConfigError:  # a bad list: start from none ticked; saving replaces it
                marked = ()
            self.post_message(AcceptableChoices(acceptable_choices(context.pricing, marked), None))
        except Exception as error:  # noqa: BLE001 - unreadable prices
            self.post_message(AcceptableChoices([], f"Prices not available: {error}"))

    def action_acceptable_models(self) -> None:
        self.load_acceptable_choices()

    def on_acceptable_choices(self, message: AcceptableChoices) -> None:
        if message.error:
            self.notify(message.error, severity="error")
            return
        from promptlab_tui.screens.dashboard.acceptable_models_dialog import AcceptableModelsDialog

        self.app.push_screen(AcceptableModelsDialog(message.choices), self._acceptable_picked)

    def _acceptable_picked(self, models: list[str] | None) -> None:
        if models is None:
            return
        if self.app.config is None:  # a broken config file is never overwritten
            self.notify("The config file could not be read at start, so it is not changed: fix it and restart.",
                        title="Not saved", severity="error")
            return
        from promptlab_tui.services.acceptable_models import set_acceptable

        set_acceptable(self.app.config, models)
        self.app.save_config_later()
        self.notify(f"Accepted as replacements: {', '.join(models) or 'none'} (saved to the config).", timeout=4)
        if self.view is not None:
            self.query_one("#dash-recs", Static).update(Text("Recommendations\nRecomputing…", style="dim"))
            self.load_recommendations(self.view.period)

    @work(thread=True, group="dashboard-apply", exclusive=True)
    def change_prompt(self, change: Any, applied: Any) -> None:
        """Apply a recommendation's change to its saved prompt, or undo one (`applied`)."""
        try:
            if applied is not None:
                self.service.undo(applied)
                self.post_message(ChangeApplied(applied, True, None))
            else:
                self.post_message(ChangeApplied(self.service.apply(change), False, None))
        except Exception as error:  # noqa: BLE001 - ChangeConflict and file errors say what happened
            self.post_message(ChangeApplied(None, applied is not None, str(error)))

    @work(thread=True, group="dashboard-recs", exclusive=True)
    def load_recommendations(self, period: Any) -> None:
        try:
            recs = self.compute_recommendations(self.service, period)  # with the config's acceptable_models
        except Exception:  # noqa: BLE001 - the figures still show without recommendations
            recs = None
        self.post_message(RecommendationsLoaded(recs, period))

    def on_recommendations_loaded(self, message: RecommendationsLoaded) -> None:
        if self.view is not None and message.period == self.view.period:
            self.recommendations = message.recommendations
            self._show_recommendations(message.recommendations)
            self.show_savings()
            self.refresh_bindings()
            if getattr(self, "panes_due", None) == message.period:  # the panes' queries wait for what is on screen
                self.panes_due = None
                self.reload_insights(message.period)

    def on_change_applied(self, message: ChangeApplied) -> None:
        if message.error:
            self.notify(message.error, title="Prompt not changed", severity="error")
            return
        change = message.applied.change
        if message.undone:
            self.applied = [a for a in self.applied if a is not message.applied]
            self.notify(f"Undone: {change.prompt} is back to {change.field} = {change.old}.")
        else:
            self.applied.append(message.applied)
            self.notify(f"{change.prompt}: {change.field} {change.old} → {change.new} (u undoes).")
        self.refresh_bindings()
        if self.view is not None:
            self.load_panes(self.view.period)  # savings achieved: the applied changes

    def _applicable(self) -> Any:
        recs = self.recommendations
        done = {id(a.change) for a in self.applied}
        for item in (recs.items if recs is not None else ()):
            if item.change is not None and id(item.change) not in done:
                return item
        return None

    def action_apply_recommendation(self) -> None:
        item = self._applicable()
        if item is not None:
            self.change_prompt(item.change, None)

    def action_undo_recommendation(self) -> None:
        if self.applied:
            self.change_prompt(None, self.applied[-1])

    def _show_recommendations(self, recs: Any) -> None:
        from promptlab_tui.core.money import format_usd

        text = Text("Recommendations\n", style="bold")
        if recs is None or not recs.items:
            text.append("None for this period: nothing would save more than a cent.", style="dim")
        else:
            text.append(f"Potential savings: {format_usd(recs.potential_monthly_savings_nanos)} a month\n")
            first = self._applicable()
            for item in recs.items[:5]:
                mark = " [a applies]" if item is first else ""
                text.append(f"• {item.title}{mark}\n  {item.how}\n", style="")
        if self.acceptable_problem:
            text.append(f"\n{self.acceptable_problem}", style="bold red")
        elif self.acceptable:
            text.append(f"\nAlso re-priced on the models you accept: {', '.join(self.acceptable)} (o changes)",
                        style="dim")
        self.query_one("#dash-recs", Static).update(text)
