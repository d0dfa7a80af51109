"""Settings: the theme (built-in or the project's own, remembered in the config file) and where data lives."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from promptlab_tui.widgets.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from promptlab_tui.screens.dialogs.form import shown
from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter

PROJECT_THEME_PREFIX = "promptlab-"


class SettingsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self) -> None:
        super().__init__(classes="dialog")

    def compose(self) -> ComposeResult:
        from promptlab_tui.paths import app_paths

        paths = app_paths()
        names = sorted(self.app.available_themes, key=lambda n: (not n.startswith(PROJECT_THEME_PREFIX), n))
        options = [Option(f"{name}  [dim](promptlab)[/dim]" if name.startswith(PROJECT_THEME_PREFIX) else name,
                          id=name) for name in names]
        with Vertical():
            yield Static("Settings", classes="title")
            yield Static("Theme (enter applies it; it is remembered)", classes="hint")
            yield OptionList(*options, id="theme-list")
            yield Static(
                f"Config   {escape(shown(paths.config_file))}\nHistory  {escape(shown(paths.database))}\n"
                f"Prompts  {escape(shown(paths.prompts_dir))}",
                classes="numbers", id="settings-paths",
            )
            with Horizontal(classes="buttons"):
                yield Button("Close (esc)", id="close", compact=True)
        yield WrappingFooter()

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        try:
            option_list.highlighted = option_list.get_option_index(self.app.theme)
        except Exception:  # an unregistered theme name: leave the cursor at the top
            pass
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.app.theme = event.option.id
            self.notify(f"Theme: {event.option.id}", timeout=2)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
