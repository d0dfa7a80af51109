"""Saved prompts (files in the prompts folder): open, save as, rename, duplicate."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from promptlab_tui.screens.dialogs.form import shown
from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter


class PromptsListed(Message):
    def __init__(self, folder: str, prompts: list[tuple[str, str]], error: str | None) -> None:
        super().__init__()
        self.folder = folder
        self.prompts = prompts
        self.error = error


class SavedPromptsScreen(ModalScreen[tuple[str, ...] | None]):
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+s", "save_as", "Save as", priority=True),
        Binding("ctrl+r", "rename", "Rename", priority=True),
        Binding("ctrl+d", "duplicate", "Duplicate", priority=True),
    ]

    def __init__(self, current: Path | None, *, save_mode: bool = False, suggested_name: str = "") -> None:
        super().__init__(classes="dialog")
        self.current = current
        self.save_mode = save_mode
        self.suggested_name = suggested_name
        self.prompts: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Save prompt as" if self.save_mode else "Saved prompts", classes="title")
            yield Static("[dim]Loading…[/dim]", id="prompts-folder", classes="hint")
            yield OptionList(id="prompt-list")
            with Horizontal(classes="row"):
                yield Label("Name")
                yield Input(self.suggested_name, id="prompt-name-input", placeholder="name for save as / rename / duplicate",
                            compact=True)
            yield Static("", classes="error", id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Open (enter)", id="open", variant="primary" if not self.save_mode else "default",
                             compact=True)
                yield Button("Save as (ctrl+s)", id="save_as", variant="primary" if self.save_mode else "default",
                             compact=True)
                yield Button("Close (esc)", id="close", compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Rename (ctrl+r)", id="rename", compact=True)
                yield Button("Duplicate (ctrl+d)", id="duplicate", compact=True)
        yield WrappingFooter()

    def on_mount(self) -> None:
        if not self.app.cursor_blink:
            self.query_one(Input).cursor_blink = False
        (self.query_one(Input) if self.save_mode else self.query_one(OptionList)).focus()
        self.list_prompts()

    @work(thread=True, group="prompt-list")
    def list_prompts(self) -> None:
        from promptlab_tui.services import prompt_store

        folder, prompts, error = prompt_store.list_prompts()
        self.post_message(PromptsListed(folder, prompts, error))

    def on_prompts_listed(self, message: PromptsListed) -> None:
        self.prompts = message.prompts
        count = f"{len(message.prompts)} prompt{'s' if len(message.prompts) != 1 else ''}"
        self.query_one("#prompts-folder", Static).update(f"[dim]{count} in {escape(shown(message.folder))}[/dim]")
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options([Option(escape(name), id=path) for name, path in message.prompts])
        if not message.prompts:
            option_list.add_option(Option("[dim]No saved prompts yet: ctrl+s saves the current one.[/dim]",
                                          disabled=True))
        if message.prompts:
            option_list.highlighted = 0
        for index, (_, path) in enumerate(message.prompts):
            if self.current is not None and Path(path) == self.current:
                option_list.highlighted = index
        if message.error:
            self._show_error(message.error)

    def _selected_path(self) -> str | None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is None or not self.prompts:
            return None
        return option_list.get_option_at_index(option_list.highlighted).id

    def _typed_name(self) -> str | None:
        name = self.query_one(Input).value.strip()
        if not name:
            self._show_error("Name: type a name first")
            self.query_one(Input).focus()
            return None
        if "/" in name or "\\" in name or name.startswith("."):
            self._show_error("Name: use letters, digits, spaces, - and _ (no slashes, not starting with .)")
            return None
        return name

    def _show_error(self, text: str) -> None:
        self.query_one("#form-error", Static).update(escape(text))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and not self.save_mode:
            self.query_one(Input).value = Path(event.option.id).stem

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save_as() if self.save_mode else self.action_open()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        getattr(self, f"action_{event.button.id}")()

    def action_open(self) -> None:
        path = self._selected_path()
        if path is None:
            self._show_error("Pick a prompt in the list first")
            return
        self.dismiss(("open", path))

    def action_save_as(self) -> None:
        name = self._typed_name()
        if name is not None:
            self.dismiss(("save_as", name))

    def action_rename(self) -> None:
        path, name = self._selected_path(), self._typed_name()
        if path is None:
            self._show_error("Pick the prompt to rename in the list first")
        elif name is not None:
            self.dismiss(("rename", path, name))

    def action_duplicate(self) -> None:
        path, name = self._selected_path(), self._typed_name()
        if path is None:
            self._show_error("Pick the prompt to duplicate in the list first")
        elif name is not None:
            self.dismiss(("duplicate", path, name))

    def action_close(self) -> None:
        self.dismiss(None)
