"""The always-visible status line: the tightest budget period, coloured by threshold, and the alert badge."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import Click
from textual.markup import escape
from textual.reactive import reactive
from textual.widgets import Static

from promptlab_tui.core.money import format_usd
from promptlab_tui.widgets.views import BudgetView

BAR_CELLS = 10
LEVEL_CLASSES = ("-ok", "-warning", "-critical", "-over", "-none")


def budget_line(budget: BudgetView | None, loaded: bool) -> str:
    """One line of markup: 'Monthly $4.20 / $10.00  42% ▰▰▰▰▱▱▱▱▱▱ hard'."""
    if not loaded:
        return "Budget: loading…"
    if budget is None:
        return "No budget set · [b]ctrl+b[/b] to set one"
    filled = min(BAR_CELLS, budget.percent * BAR_CELLS // 100)
    bar = "▰" * filled + "▱" * (BAR_CELLS - filled)
    spent = format_usd(budget.spent_nanos + budget.reserved_nanos, 2)
    limit = format_usd(budget.limit_nanos, 2)
    reserved = " (incl. running)" if budget.reserved_nanos else ""
    return escape(f"{budget.period.capitalize()} {spent} / {limit}{reserved}  {budget.percent}% {bar} {budget.mode}")


class AlertBadge(Static):
    """'⚠ 2 alerts': unacknowledged alerts; clicking it opens the details."""

    count: reactive[int] = reactive(0)

    def watch_count(self, count: int) -> None:
        self.display = count > 0
        self.update(f"⚠ {count} alert{'s' if count != 1 else ''}")

    def on_click(self, event: Click) -> None:
        event.stop()
        self.run_action("app.show_alerts")


class BudgetBar(Horizontal):
    """Shows a placeholder until the budget worker answers (nothing heavy before the first frame)."""

    budget: reactive[BudgetView | None] = reactive(None, always_update=True)
    loaded: reactive[bool] = reactive(False)
    alert_count: reactive[int] = reactive(0)

    def compose(self) -> ComposeResult:
        yield Static("promptlab", id="app-title")
        yield Static(budget_line(None, False), id="budget-text")
        yield AlertBadge(id="alert-badge")

    def on_mount(self) -> None:
        self.query_one(AlertBadge).count = self.alert_count
        self._refresh_text()

    def watch_budget(self) -> None:
        self._refresh_text()

    def watch_loaded(self) -> None:
        self._refresh_text()

    def watch_alert_count(self, count: int) -> None:
        if self.is_mounted:
            self.query_one(AlertBadge).count = count

    def _refresh_text(self) -> None:
        if not self.is_mounted:
            return
        self.query_one("#budget-text", Static).update(budget_line(self.budget, self.loaded))
        level = "-none" if self.budget is None else f"-{self.budget.level}"
        self.remove_class(*LEVEL_CLASSES)
        self.add_class(level)

    def on_click(self, event: Click) -> None:
        self.run_action("app.adjust_budget")
