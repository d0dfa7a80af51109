"""A Footer that wraps its keys onto two rows in narrow terminals, so every binding stays visible at 80x24."""

from __future__ import annotations

from math import ceil

from textual.app import ComposeResult
from textual.events import Resize
from textual.widgets import Footer

NARROW_COLUMNS = 120


class WrappingFooter(Footer):
    def compose(self) -> ComposeResult:
        yield from super().compose()
        keys = self.styles.grid_size_columns or 0
        narrow = self.app.size.width < NARROW_COLUMNS and keys > 6
        self.set_class(narrow, "-two-rows")
        if narrow:
            self.styles.grid_size_columns = ceil(keys / 2)

    def on_resize(self, event: Resize) -> None:
        if (self.app.size.width < NARROW_COLUMNS) != self.has_class("-two-rows"):
            self.call_after_refresh(self.recompose)
