"""The one command-palette provider: every promptlab action, with its key, greyed when unavailable."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (title, help, action, key shown): actions are resolved against the screen first, then the app.
LAB_COMMANDS: tuple[tuple[str, str, str, str], ...] = (
    ("Run prompt", "Send the prompt to the model and stream the answer", "screen.run", "ctrl+r"),
    ("Cancel run", "Stop the streaming run (what was spent is recorded)", "screen.cancel_run", "esc"),
    ("Save prompt", "Save the prompt as a Markdown file with TOML front matter", "screen.save_prompt", "ctrl+s"),
    ("Open saved prompts", "Open, rename or duplicate saved prompts", "screen.open_prompts", "ctrl+o"),
    ("New prompt", "Start an empty prompt", "screen.new_prompt", "ctrl+n"),
    ("Choose model", "Jump to the model picker", "screen.choose_model", "f3"),
    ("Adjust budget", "Limits, thresholds and hard/warn mode, saved at once", "app.adjust_budget", "ctrl+b"),
    ("Budget setup wizard", "Estimate usage and pick a recommended budget", "app.setup_budget", "f4"),
    ("Show alerts", "Budget alerts: details and acknowledge", "app.show_alerts", "ctrl+l"),
    ("Show history", "Recent runs with tokens, cost and estimate", "app.show_history", "f5"),
    ("Settings (options)", "Theme, and where the config, history and prompts live", "app.settings", "f2"),
    ("Change theme", "Pick a theme (remembered)", "app.change_theme", "ctrl+t"),
    ("Quit", "Leave promptlab", "app.quit", "ctrl+q"),
)


class PromptLabCommands(Provider):
    """Lists every action; an action its screen reports as unavailable is listed as such and does nothing."""

    def _available(self, action: str) -> bool:
        namespace, _, name = action.partition(".")
        target = self.app if namespace == "app" else self.screen
        if not hasattr(target, f"action_{name}"):
            return False
        return target.check_action(name, ()) is True

    def _run(self, action: str) -> None:
        namespace, _, name = action.partition(".")
        target = self.app if namespace == "app" else self.screen
        self.app.call_later(target.run_action, name)

    def _entries(self):
        for title, help_text, action, key in LAB_COMMANDS:
            namespace, _, name = action.partition(".")
            target = self.app if namespace == "app" else self.screen
            if not hasattr(target, f"action_{name}"):
                continue
            available = self._available(action)
            label = f"{title}  ({key})" if available else f"{title}  ({key}, unavailable now)"
            yield label, help_text, action, available

    async def discover(self) -> Hits:
        for label, help_text, action, available in self._entries():
            if available:
                yield DiscoveryHit(label, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, help_text, action, available in self._entries():
            score = matcher.match(label)
            if score > 0:
                command = partial(self._run, action) if available else (lambda: None)
                yield Hit(score if available else score / 2, matcher.highlight(label), command, text=label, help=help_text)
