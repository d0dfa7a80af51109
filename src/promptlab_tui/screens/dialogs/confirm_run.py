"""`confirm_above` in the Lab: a run expected to cost more than the config's threshold asks first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from promptlab_tui.widgets.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter


class ConfirmRunDialog(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "choose(True)", "Run it"),
        Binding("escape,n", "choose(False)", "Cancel"),
    ]

    def __init__(self, model: str, expected: str, worst: str, threshold: str, chain: str | None = None) -> None:
        """`chain`: a fallback chain's worst case if every model is tried, in words."""
        super().__init__(classes="dialog")
        self.model, self.expected, self.worst, self.threshold = model, expected, worst, threshold
        self.chain = chain

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Run this expensive prompt?", classes="title")
            yield Static(f"On [b]{self.model}[/b] it is expected to cost [b]{self.expected}[/b] (worst case "
                         f"{self.worst}), above confirm_above {self.threshold}.", classes="numbers")
            if self.chain:
                yield Static(escape(self.chain), classes="numbers", id="confirm-chain")
            yield Static("confirm_above is set in config.toml; the budget still applies.", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Run it (y)", id="run", variant="warning", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield WrappingFooter()

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()  # the safe choice is the default

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "run")

    def action_choose(self, run: bool) -> None:
        self.dismiss(run)
