"""Which priced models the user accepts as replacements in recommendations (config.toml `acceptable_models`).

Every current priced model with a checkbox (SelectionList); `ctrl+s` saves the ticked ones, `escape` cancels.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static

from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter


class AcceptableModelsDialog(ModalScreen[list[str] | None]):
    """Dismisses with the ticked model names (in the price file's order), or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(self, choices: list[Any]) -> None:
        """`choices`: services.acceptable_models.AcceptableChoice rows."""
        super().__init__(classes="dialog")
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="acceptable-box"):
            yield Static("Models you accept as replacements in recommendations", classes="title")
            yield Static("Beside each model's smaller siblings, recommendations re-price your runs on these too.",
                         classes="hint")
            yield SelectionList[str](*[(choice.label, choice.model, choice.marked) for choice in self.choices],
                                     id="acceptable-models")
            yield Static(self._ticked_text([c.model for c in self.choices if c.marked]), id="acceptable-ticked")
            yield Static("space or enter ticks a model · ctrl+s saves (config.toml acceptable_models) · esc cancels",
                         classes="hint")
        yield WrappingFooter()

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    @staticmethod
    def _ticked_text(models: list[str]) -> str:
        """The ticks in words (the checkboxes differ only by colour, and NO_COLOR has none)."""
        return f"Ticked: {', '.join(models)}" if models else "None ticked: only each model's smaller siblings."

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        ticked = set(event.selection_list.selected)
        self.query_one("#acceptable-ticked", Static).update(
            self._ticked_text([c.model for c in self.choices if c.model in ticked]))

    def action_save(self) -> None:
        ticked = set(self.query_one(SelectionList).selected)
        self.dismiss([choice.model for choice in self.choices if choice.model in ticked])

    def action_cancel(self) -> None:
        self.dismiss(None)
