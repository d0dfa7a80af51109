"""Saved prompts (files in the prompts folder): filter, open, save as, rename, duplicate, delete."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from promptlab_tui.widgets.markup import escape
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


class PromptDeleted(Message):
    def __init__(self, path: str, error: str | None) -> None:
        super().__init__()
        self.path = path
        self.error = error


class SavedPromptsScreen(ModalScreen[tuple[str, ...] | None]):
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+s", "save_as", "Save as", priority=True),
        Binding("ctrl+r", "rename", "Rename", priority=True),
        Binding("ctrl+d", "duplicate", "Duplicate", priority=True),
        Binding("ctrl+x", "delete_prompt", "Delete", priority=True),
    ]

    def __init__(self, current: Path | None, *, save_mode: bool = False, suggested_name: str = "") -> None:
        super().__init__(classes="dialog")
        self.current = current
        self.save_mode = save_mode
        self.suggested_name = suggested_name
        self.prompts: list[tuple[str, str]] = []  # every saved prompt (name, path)
        self.shown_prompts: list[tuple[str, str]] = []  # those the filter lets through, as listed
        self.delete_armed: str | None = None  # the path a first ctrl+x asked about

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Save prompt as" if self.save_mode else "Saved prompts", classes="title")
            yield Static("[dim]Loading…[/dim]", id="prompts-folder", classes="hint")
            with Horizontal(classes="row"):
                yield Label("Filter")
                yield Input("", id="prompt-filter", placeholder="type to narrow the list", compact=True)
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
                yield Button("Delete (ctrl+x)", id="delete_prompt", compact=True)
        yield WrappingFooter()

    def on_mount(self) -> None:
        if not self.app.cursor_blink:
            for field in self.query(Input):
                field.cursor_blink = False
        (self._name_input() if self.save_mode else self.query_one(OptionList)).focus()
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
        self._fill_list()
        if message.error:
            self._show_error(message.error)

    def _fill_list(self) -> None:
        """The prompts whose name holds the filter's text (any case), the current one highlighted."""
        wanted = self.query_one("#prompt-filter", Input).value.strip().casefold()
        self.shown_prompts = [(name, path) for name, path in self.prompts if wanted in name.casefold()]
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options([Option(escape(name), id=path) for name, path in self.shown_prompts])
        if not self.shown_prompts:
            empty = ("No prompt matches the filter." if self.prompts
                     else "No saved prompts yet: ctrl+s saves the current one.")
            option_list.add_option(Option(f"[dim]{empty}[/dim]", disabled=True))
            return
        option_list.highlighted = 0
        for index, (_, path) in enumerate(self.shown_prompts):
            if self.current is not None and Path(path) == self.current:
                option_list.highlighted = index

    def _name_input(self) -> Input:
        return self.query_one("#prompt-name-input", Input)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "prompt-filter":
            event.stop()
            self._disarm()
            self._fill_list()

    def on_key(self, event) -> None:
        # typing while the list has the focus filters it (the filter field takes the keys from there on)
        if event.is_printable and event.character and self.focused is self.query_one(OptionList):
            event.stop()
            field = self.query_one("#prompt-filter", Input)
            field.focus()
            field.insert_text_at_cursor(event.character)

    def _selected_path(self) -> str | None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is None or not self.shown_prompts:
            return None
        return option_list.get_option_at_index(option_list.highlighted).id

    def _typed_name(self) -> str | None:
        name = self._name_input().value.strip()
        if not name:
            self._show_error("Name: type a name first")
            self._name_input().focus()
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
        self._disarm()
        if event.option.id and not self.save_mode:
            self._name_input().value = Path(event.option.id).stem

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "prompt-filter":
            self.action_open()
            return
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

    def action_delete_prompt(self) -> None:
        path = self._selected_path()
        if path is None:
            self._show_error("Pick the prompt to delete in the list first")
            return
        if self.delete_armed != path:  # one more press: the file goes for good
            self.delete_armed = path
            self.query_one("#form-error", Static).update(
                f"[$warning]Press ctrl+x again to delete {escape(Path(path).name)} for good.[/]")
            return
        self.delete_armed = None
        self.delete_file(path)

    def _disarm(self) -> None:
        if self.delete_armed is not None:
            self.delete_armed = None
            self._show_error("")

    @work(thread=True, group="prompt-delete")
    def delete_file(self, path: str) -> None:
        from promptlab_tui.services import prompt_store

        try:
            prompt_store.delete_prompt(Path(path))
        except (OSError, ValueError) as error:
            self.post_message(PromptDeleted(path, str(error)))
            return
        self.post_message(PromptDeleted(path, None))

    def on_prompt_deleted(self, message: PromptDeleted) -> None:
        if message.error:
            self._show_error(f"Not deleted: {message.error}")
            return
        self.app.notify(f"Deleted {shown(message.path)}", timeout=4)
        self._show_error("")
        self.list_prompts()

    def action_close(self) -> None:
        self.dismiss(None)
