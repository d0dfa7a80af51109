"""Asked before ctrl+n, ctrl+o or ctrl+q would drop unsaved edits: save, discard, or keep editing."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from promptlab_tui.widgets.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter


class UnsavedChangesDialog(ModalScreen[str | None]):
    """Dismisses with "save", "discard" or None (keep editing)."""

    BINDINGS = [
        Binding("escape", "choose('keep')", "Keep editing"),
        Binding("s", "choose('save')", "Save"),
        Binding("d", "choose('discard')", "Discard"),
    ]

    def __init__(self, prompt_name: str | None, then: str) -> None:
        super().__init__(classes="dialog")
        self.prompt_name = prompt_name
        self.then = then  # what happens afterwards: "start a new prompt", "quit", …

    def compose(self) -> ComposeResult:
        name = escape(self.prompt_name or "untitled")
        with Vertical(id="unsaved-box"):
            yield Static(f"Unsaved changes to {name}", classes="title")
            yield Static(f"Save them before you {escape(self.then)}? A draft is kept either way until you "
                         "save or discard it, and the next start restores it.", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Save (s)", id="save", variant="primary", compact=True)
                yield Button("Discard (d)", id="discard", compact=True)
                yield Button("Keep editing (esc)", id="keep", compact=True)
        yield WrappingFooter()

    def on_mount(self) -> None:
        self.query_one("#save", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose(event.button.id or "keep")

    def action_choose(self, choice: str) -> None:
        self.dismiss(None if choice == "keep" else choice)
