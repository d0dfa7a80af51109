"""The one command-palette provider: every promptlab action, with its key, greyed when unavailable."""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

from textual.actions import parse as parse_action
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

# (title, help, action, key shown): actions are resolved against the screen first, then the app.
LAB_COMMANDS: tuple[tuple[str, str, str, str], ...] = (
    ("Run prompt", "Send the prompt to the model and stream the answer", "screen.run", "ctrl+r"),
    ("Cancel run", "Stop the streaming run (what was spent is recorded)", "screen.cancel_run", "esc"),
    ("Save prompt", "Save the prompt as a Markdown file with TOML front matter", "screen.save_prompt", "ctrl+s"),
    ("Open saved prompts", "Open, rename or duplicate saved prompts", "screen.open_prompts", "ctrl+o"),
    ("New prompt", "Start an empty prompt", "screen.new_prompt", "ctrl+n"),
    ("Choose model", "Jump to the model picker", "screen.choose_model", "f3"),
    ("Copy answer", "Put the last answer on the clipboard (through the terminal)", "screen.copy_answer", "ctrl+g"),
    ("Save answer", "Write the last answer to a Markdown file in the answers folder", "screen.save_answer", "f9"),
    ("Save prompt and answer", "Save the prompt with the answer as a conversation prompt file",
     "screen.save_conversation", "f10"),
    ("Runs of this prompt", "The last runs of the saved prompt being edited: cost, tokens, when",
     "screen.prompt_runs", "ctrl+f"),
    ("Exact counts online", "Ask the provider's count endpoint (sends the prompt); while the count is approximate",
     "screen.toggle_count_online", "f8"),
    ("Compare models", "Run the prompt on several models side by side", "screen.compare", "alt+c"),
    ("Adjust budget", "Limits, thresholds and hard/warn mode, saved at once", "app.adjust_budget", "ctrl+b"),
    ("Budget setup wizard", "Estimate usage and pick a recommended budget", "app.setup_budget", "f4"),
    ("Show alerts", "Budget alerts: details and acknowledge", "app.show_alerts", "ctrl+l"),
    ("Show history", "Recent runs with tokens, cost and estimate", "app.show_history", "f5"),
    ("Usage dashboard", "Where the money went: charts, breakdowns, forecast, recommendations", "app.show_dashboard",
     "f6"),
    ("Settings (options)", "Theme, and where the config, history and prompts live", "app.settings", "f2"),
    ("Theme", "Pick a theme (remembered)", "app.change_theme", "ctrl+t"),
    ("Quit", "Leave promptlab", "app.quit", "ctrl+q"),
)


class PaletteEntry(NamedTuple):
    label: str
    help: str
    action: str  # "app.x" or "screen.x(...)"
    key: str  # as people type it: "ctrl+b", "esc", "f4"
    available: bool


class PromptLabCommands(Provider):
    """Lists every action; an action its screen reports as unavailable is listed as such and does nothing.

    Over a dialog (the palette key works there too) it also lists the dialog's own keys.
    """

    def _target(self, action: str):
        namespace, _, call = action.partition(".")
        return (self.app if namespace == "app" else self.screen), call

    def _available(self, action: str) -> bool:
        _namespace, name, parameters = parse_action(action)
        target, _call = self._target(action)
        if not hasattr(target, f"action_{name}"):
            return False
        return target.check_action(name, parameters) is True

    def _run(self, action: str) -> None:
        target, call = self._target(action)
        self.app.call_later(target.run_action, call)

    def _commands(self):
        """(title, help, action, key shown): the Lab's and the app's, then the current screen's other keys."""
        yield from LAB_COMMANDS
        listed = {action for _, _, action, _ in LAB_COMMANDS}
        for binding in getattr(self.screen, "BINDINGS", ()):
            if isinstance(binding, Binding) and binding.show and f"screen.{binding.action}" not in listed:
                key = binding.key_display or binding.key.split(",")[0].replace("escape", "esc")  # "$", not dollar_sign
                help_text = f"{binding.description} ({key}) in this dialog"
                yield binding.description, help_text, f"screen.{binding.action}", key

    def entries(self) -> list[PaletteEntry]:
        """Every command the palette offers here, in order, with whether it does something now."""
        found = []
        for title, help_text, action, key in self._commands():
            target, call = self._target(action)
            if not hasattr(target, f"action_{call.partition('(')[0]}"):
                continue
            available = self._available(action)
            label = f"{title}  ({key})" if available else f"{title}  ({key}, unavailable now)"
            found.append(PaletteEntry(label, help_text, action, key, available))
        return found

    async def discover(self) -> Hits:
        for entry in self.entries():
            if entry.available:
                yield DiscoveryHit(entry.label, partial(self._run, entry.action), help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self.entries():
            score = matcher.match(entry.label)
            if score > 0:
                command = partial(self._run, entry.action) if entry.available else (lambda: None)
                yield Hit(score if entry.available else score / 2, matcher.highlight(entry.label), command,
                          text=entry.label, help=entry.help)
