"""The prompt has more tokens than the budget's max tokens per prompt: the count, the limit, what to do."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from promptlab_tui.widgets.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from promptlab_tui.services.views import TooLongView
from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter

DEFAULT_SUGGESTIONS = (
    "shorten the prompt (move reference material out, summarise long context)",
    "raise the max tokens per prompt in the budget (ctrl+b)",
)


class PromptTooLongDialog(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "choose('cancel')", "Cancel"),
        Binding("e", "choose('edit')", "Edit prompt"),
        Binding("b", "choose('adjust')", "Raise limit"),
    ]

    def __init__(self, too_long: TooLongView) -> None:
        super().__init__(classes="dialog -danger")
        self.too_long = too_long

    def compose(self) -> ComposeResult:
        t = self.too_long
        about = "" if t.exact else "about "
        over = t.tokens - t.limit
        suggestions = t.suggestions or DEFAULT_SUGGESTIONS
        context = t.kind == "context"
        with Vertical():
            if context:
                yield Static(f"Prompt too long for {escape(t.model)}'s context window", classes="title")
                yield Static(f"This prompt has [b]{about}{t.tokens:,}[/b] tokens; {escape(t.model)} reads at most "
                             f"[b]{t.limit:,}[/b] ({over:,} over). Nothing was sent.", classes="numbers")
            else:
                yield Static("Prompt too long for the budget's limit", classes="title")
                yield Static(
                    f"This prompt has [b]{about}{t.tokens:,}[/b] tokens; the limit is [b]{t.limit:,}[/b] tokens per "
                    f"prompt ({over:,} over).",
                    classes="numbers",
                )
            yield Static("\n".join(f"· {escape(s)}" for s in suggestions), classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Edit prompt (e)", id="edit", variant="primary", compact=True)
                if not context:  # a context window cannot be raised
                    yield Button("Raise the limit (b)", id="adjust", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield WrappingFooter()

    def on_mount(self) -> None:
        self.query_one("#edit", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id or "cancel")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and parameters and parameters[0] == "adjust" and self.too_long.kind == "context":
            return False
        return True

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
