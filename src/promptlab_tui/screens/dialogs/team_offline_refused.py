"""The team server could not be reached and the team's offline policy refused the run: why, and what can help.

Not a budget dialog: no budget of the user's can be raised to fix it. The offers are to sync again (the run
can go ahead once the server answers) or to close.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from promptlab_tui.widgets.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from promptlab_tui.services.views import RefusalView
from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter

Choice = tuple[str, object]


def offline_markup(refusal: RefusalView) -> str:
    """The reason in short (the connection error's details are in the result pane behind)."""
    reason = refusal.offline_reason or refusal.message
    return escape(reason[:1].upper() + reason[1:]) + "."


class TeamOfflineRefusedDialog(ModalScreen[Choice | None]):
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("s", "retry_sync", "Retry sync"),
    ]

    def __init__(self, refusal: RefusalView) -> None:
        super().__init__(classes="dialog -danger")
        self.refusal = refusal

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Team server unreachable: run refused", classes="title", id="refusal-title")
            yield Static(offline_markup(self.refusal), classes="numbers", id="refusal-numbers")
            with Horizontal(classes="buttons"):
                yield Button("Retry sync (s)", id="retry-sync", variant="primary", compact=True)
                yield Button("Close (esc)", id="close", compact=True)
            if self.refusal.suggestions:
                yield Static("\n".join(f"· {escape(s)}" for s in self.refusal.suggestions), classes="hint")
        yield WrappingFooter()

    def on_mount(self) -> None:
        self.query_one("#retry-sync", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "retry-sync":
            self.action_retry_sync()
        else:
            self.action_close()

    def action_retry_sync(self) -> None:
        """Sync now in the background (the header shows the result); the user runs again once it is synced."""
        self.dismiss(("cancel", self.refusal.scope))
        kick = getattr(self.app, "kick_team_sync", None)
        if kick is not None:
            kick()
        self.app.notify("Syncing with the team server; press ctrl+r again once the header says synced.")

    def action_close(self) -> None:
        self.dismiss(("cancel", self.refusal.scope))
