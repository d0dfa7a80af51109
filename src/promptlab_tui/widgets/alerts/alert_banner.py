"""The banner shown when a budget threshold is crossed: view details, adjust budget, dismiss."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from promptlab_tui.widgets.markup import escape
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Static

from promptlab_tui.services.views import AlertView

LEVEL_ICONS = {"info": "ℹ", "warning": "⚠", "critical": "⛔"}


class AlertBanner(Horizontal):
    """Mounted by the Lab when the first alert arrives; shows the newest unacknowledged one."""

    alert: reactive[AlertView | None] = reactive(None, always_update=True)

    class Dismissed(Message):
        def __init__(self, alert: AlertView) -> None:
            super().__init__()
            self.alert = alert

    def __init__(self, alert: AlertView | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(AlertBanner.alert, alert)

    def compose(self) -> ComposeResult:
        yield Static("", id="alert-text")
        yield Button("Details", id="alert-details", compact=True)
        yield Button("Adjust", id="alert-adjust", compact=True)
        yield Button("Dismiss", id="alert-dismiss", compact=True)

    def watch_alert(self, alert: AlertView | None) -> None:
        self.display = alert is not None
        texts = self.query("#alert-text")  # not there before compose: on_mount shows the first alert
        if alert is None or not texts:
            return
        self.remove_class("-info", "-warning", "-critical")
        self.add_class(f"-{alert.level}")
        icon = LEVEL_ICONS.get(alert.level, "⚠")
        texts.first(Static).update(f"{icon} {escape(alert.short or alert.message)}")

    def on_mount(self) -> None:
        self.watch_alert(self.alert)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "alert-details":
            await self.run_action("app.show_alerts")
        elif event.button.id == "alert-adjust":
            await self.run_action("app.adjust_budget")
        elif event.button.id == "alert-dismiss" and self.alert is not None:
            self.post_message(self.Dismissed(self.alert))
