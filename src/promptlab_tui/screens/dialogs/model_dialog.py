"""Choose the prompt's model: the priced models with their provider, filtered as you type."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from promptlab_tui.services.views import ModelChoice
from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter


def option_text(choice: ModelChoice) -> Content:
    """'GPT-4o mini (openai)  $0.15 in · $0.60 out per 1M tokens', dimmed with 'no key' when it cannot run."""
    text = Content(choice.label)
    if choice.prices:
        text = text + Content.styled(f"  {choice.prices}", "dim")
    if choice.has_key is False:
        text = text + Content.styled("  · no key", "dim italic")
    return text


class ModelDialog(ModalScreen[str | None]):
    """Dismisses with the chosen 'provider:model' key, or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "pick", "Pick", priority=True),
        Binding("down", "move(1)", "Next", show=False, priority=True),
        Binding("up", "move(-1)", "Previous", show=False, priority=True),
    ]

    def __init__(self, choices: list[ModelChoice], current: str | None, title: str = "Choose a model") -> None:
        super().__init__(classes="dialog")
        self.choices = choices
        self.current = current
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="title")
            yield Static(self._keys_line(), id="model-keys", classes="hint")
            yield Input(placeholder="type to filter (name or provider)", id="model-filter", compact=True)
            yield OptionList(id="model-list")
        yield WrappingFooter()

    def on_mount(self) -> None:
        if not self.app.cursor_blink:
            self.query_one(Input).cursor_blink = False
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, text: str) -> None:
        words = text.lower().split()
        shown = [c for c in self.choices if all(w in f"{c.label} {c.key}".lower() for w in words)]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(option_text(c), id=c.key) for c in shown])
        keys = [c.key for c in shown]
        options.highlighted = keys.index(self.current) if self.current in keys else (0 if keys else None)

    def _keys_line(self) -> str:
        """Which providers have a key: 'Keys set: openai, anthropic · no key: together, groq'."""
        known = {c.provider: c.has_key for c in self.choices if c.has_key is not None}
        with_key = [p for p, ok in known.items() if ok]
        without = [p for p, ok in known.items() if not ok]
        parts = [f"Keys set: {', '.join(with_key) or 'none'}"] + ([f"no key: {', '.join(without)}"] if without else [])
        return " · ".join(parts) if known else "Prices per 1M tokens"

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + step) % options.option_count

    def action_pick(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
