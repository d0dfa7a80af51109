"""The prompt's model on one line (provider shown); Enter, a click or f3 opens the list of priced models.

One focusable widget instead of a Select (five widgets and an option list composed up front): the
list is built only when the user opens it: the picker posts OpenRequested and its screen opens the dialog
(screens/dialogs/model_dialog.py), then hands the answer back with `picked`. Its value is 'provider:model'.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from promptlab_tui.services.model_choice import ModelChoice


class ModelPicker(Widget, can_focus=True):
    ALLOW_SELECT = False
    BINDINGS = [Binding("enter,space,down", "show_overlay", "Pick model", show=False)]
    COMPONENT_CLASSES = {"model-picker--label", "model-picker--value", "model-picker--arrow"}
    DEFAULT_CSS = """
    ModelPicker {
        height: 1;
        width: 1fr;
        padding: 0 1;
        pointer: pointer;
        & > .model-picker--label { color: $text-muted; }
        & > .model-picker--value { background: $surface; color: $foreground; }
        & > .model-picker--arrow { background: $surface; color: $foreground 50%; }
        &:focus > .model-picker--value { background: $primary-muted; text-style: bold; }
        &:focus > .model-picker--arrow { background: $primary-muted; }
    }
    """
    LABEL = "Model "

    value: reactive[str] = reactive("", repaint=True)

    class Changed(Message):
        """The user (or a dialog answer) picked another model."""

        def __init__(self, picker: ModelPicker, value: str) -> None:
            super().__init__()
            self.picker = picker
            self.value = value

        @property
        def control(self) -> ModelPicker:
            return self.picker

    class OpenRequested(Message):
        """The user asked for the model list: the screen shows it and calls `picker.picked(key or None)`."""

        def __init__(self, picker: ModelPicker, choices: list[ModelChoice], value: str) -> None:
            super().__init__()
            self.picker = picker
            self.choices = choices
            self.value = value

        @property
        def control(self) -> ModelPicker:
            return self.picker

    def __init__(self, current: ModelChoice, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.choices: dict[str, ModelChoice] = {current.key: current}
        self.set_reactive(ModelPicker.value, current.key)

    def render(self) -> Content:
        choice = self.selected
        name = choice.label if choice is not None else self.value
        room = max(2, (self.content_region.width or 80) - len(self.LABEL) - 2)
        if len(name) > room:
            name = name[: room - 1] + "…"
        style = self.get_visual_style  # full styles: a partial one drops an opaque background
        return Content.assemble((self.LABEL, style("model-picker--label")),
                                (name.ljust(room), style("model-picker--value")), (" ▼", style("model-picker--arrow")))

    def set_models(self, models: list[ModelChoice], current_key: str | None = None) -> None:
        """Replace the list, keeping the current selection (added if it is not priced); posts nothing."""
        keep = current_key or self.value
        choices = {m.key: m for m in models}
        if keep and keep not in choices and keep in self.choices:
            wanted = self.choices[keep]
            same_model = next((m for m in models if m.model == wanted.model), None)
            if same_model is not None:
                keep = same_model.key  # the config named the model without (or with another) provider
            else:
                choices[keep] = wanted  # not priced: still selectable, its cost shows as "no price"
        self.choices = choices
        if keep in choices:
            self.value = keep
        self.refresh()

    @property
    def selected(self) -> ModelChoice | None:
        return self.choices.get(self.value)

    def select_key(self, key: str) -> bool:
        """Pick a model by key; posts Changed when the model changes."""
        if key not in self.choices:
            return False
        if key != self.value:
            self.value = key
            self.post_message(self.Changed(self, key))
        return True

    def action_show_overlay(self) -> None:
        self.post_message(self.OpenRequested(self, list(self.choices.values()), self.value))

    def picked(self, key: str | None) -> None:
        """The dialog's answer (None: dismissed): focus comes back here, and a new key selects it."""
        self.focus()
        if key is not None:
            self.select_key(key)

    def on_click(self, event: Click) -> None:
        event.stop()
        self.focus()
        self.action_show_overlay()
