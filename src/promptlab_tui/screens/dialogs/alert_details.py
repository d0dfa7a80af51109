"""Budget alerts in detail: which threshold, which period, when; acknowledge them or adjust the budget."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from promptlab_tui.widgets.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from promptlab_tui.screens.dialogs.budget_adjust import status_markup
from promptlab_tui.services.views import AlertView, BudgetView
from promptlab_tui.widgets.alerts.alert_banner import LEVEL_ICONS
from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter


def alert_label(alert: AlertView) -> str:
    icon = LEVEL_ICONS.get(alert.level, "⚠")
    when = f" [dim]· raised {escape(alert.created)}[/dim]" if alert.created else ""  # apart from "resets …"
    return f"{icon} {escape(alert.message)}{when}"


class AlertDetailsScreen(ModalScreen[list[AlertView] | None]):
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("a", "acknowledge_all", "Acknowledge all"),
        Binding("enter", "acknowledge_selected", "Acknowledge"),
        Binding("b", "adjust", "Adjust budget"),
        Binding("d", "usage", "Usage"),
    ]

    def __init__(self, alerts: list[AlertView], budget: BudgetView | None) -> None:
        super().__init__(classes="dialog")
        self.alerts = alerts
        self.budget = budget
        self.acknowledged: list[AlertView] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Budget alerts ({len(self.alerts)} unacknowledged)", classes="title", id="alerts-title")
            yield Static(status_markup(self.budget), classes="numbers")
            if self.alerts:
                yield OptionList(*[Option(alert_label(a), id=str(i)) for i, a in enumerate(self.alerts)],
                                 id="alert-list")
            else:
                yield Static("No unacknowledged alerts.", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Acknowledge all (a)", id="ack-all", variant="primary", compact=True,
                             disabled=not self.alerts)
                yield Button("Adjust budget (b)", id="adjust", compact=True)
                yield Button("Close (esc)", id="close", compact=True)
            yield Static("[dim]enter acknowledges the selected alert[/dim]", classes="hint")
        yield WrappingFooter()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"ack-all": self.action_acknowledge_all, "adjust": self.action_adjust}.get(
            event.button.id or "", self.action_close)()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._acknowledge_index(event.option_index)

    def action_acknowledge_selected(self) -> None:
        lists = self.query(OptionList)
        if lists and lists.first().highlighted is not None:
            self._acknowledge_index(lists.first().highlighted)

    def _acknowledge_index(self, index: int) -> None:
        remaining = [a for a in self.alerts if a not in self.acknowledged]
        option_list = self.query_one(OptionList)
        option = option_list.get_option_at_index(index)
        alert = self.alerts[int(option.id or 0)]
        if alert in remaining:
            self.acknowledged.append(alert)
            option_list.remove_option_at_index(index)
        left = len(self.alerts) - len(self.acknowledged)
        self.query_one("#alerts-title", Static).update(f"Budget alerts ({left} unacknowledged)")
        if left == 0:
            self.dismiss(self.acknowledged)

    def action_acknowledge_all(self) -> None:
        self.dismiss(list(self.alerts))

    def action_adjust(self) -> None:
        self.dismiss(self.acknowledged or None)
        self.app.call_later(self.app.action_adjust_budget)

    def action_close(self) -> None:
        self.dismiss(self.acknowledged or None)

    def action_usage(self) -> None:
        """The dashboard on the selected (else the first) alert's period: usage by model, projection, advice."""
        lists = self.query(OptionList)
        index = lists.first().highlighted if lists and lists.first().highlighted is not None else 0
        alert = self.alerts[int(lists.first().get_option_at_index(index).id or 0)] if lists else None
        self.dismiss(self.acknowledged or None)
        if alert is not None and alert.period:
            self.app.call_later(self.app.action_show_dashboard_for, alert.period, alert.period_start)
        else:
            self.app.call_later(self.app.action_show_dashboard)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("acknowledge_all", "acknowledge_selected", "usage") and not self.alerts:
            return None
        return True
