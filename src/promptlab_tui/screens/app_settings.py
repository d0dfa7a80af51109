"""The app's settings: config file (read at start, saved in a worker), theme files, the remembered theme."""

from __future__ import annotations

from textual import work
from textual.theme import Theme

from promptlab_tui.screens.messages import SettingsNotSaved


class AppSettingsMixin:
    """For PromptLabApp: `config` (None when the file is broken: then never overwritten), themes."""

    @staticmethod
    def _default_config():
        from promptlab_tui.config import AppConfig

        return AppConfig()

    def _load_config(self):
        from promptlab_tui.config import ConfigError, load_config

        try:
            return load_config()
        except (ConfigError, OSError) as error:
            self.startup_problems.append(f"Config not loaded (defaults used): {error}")
            return None

    def register_project_themes(self) -> list[str]:
        """The theme files (project's and user's) as themes; returns the problems found (also kept)."""
        from promptlab_tui.screens.theme_files import load_project_themes

        if self.project_themes_loaded:
            return []
        self.project_themes_loaded = True
        problems: list[str] = []
        for theme in load_project_themes(problems):
            self.register_theme(theme)
        self.startup_problems += problems
        return problems

    def get_system_commands(self, screen):
        """Textual's own, less those PromptLabCommands already lists with their keys (one name per action)."""
        ours = {"Theme", "Quit"}
        for command in super().get_system_commands(screen):
            if command.title not in ours:
                yield command

    def _register_themes_after_first_frame(self) -> None:
        for problem in self.register_project_themes():
            self.notify(problem, severity="warning", timeout=10)

    def _remember_theme(self, theme: Theme) -> None:
        if self.config is not None and self.config.theme != theme.name:
            self.config.theme = theme.name
            self.save_config_later()

    def _mark_setup_done(self) -> None:
        if self.config is not None:
            self.config.extra.setdefault("tui", {})["setup_done"] = True
            self.save_config_later()

    @work(thread=True, group="config", exclusive=False)
    def save_config_later(self) -> None:
        from promptlab_tui.config import save_config

        if self.config is None:
            return
        try:
            save_config(self.config)
        except OSError as error:
            self.post_message(SettingsNotSaved(str(error)))

    def on_settings_not_saved(self, message: SettingsNotSaved) -> None:
        self.notify(f"Settings not saved: {message.error}", severity="error")
