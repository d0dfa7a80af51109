"""One line above the editor while a conversation goes on: each turn's cost, the total, the next turn."""

from __future__ import annotations

from textual.widgets import Static


class ConversationStrip(Static):
    DEFAULT_CSS = ""

    def show(self, text: str | None) -> None:
        self.display = bool(text)
        self.update(text or "")
