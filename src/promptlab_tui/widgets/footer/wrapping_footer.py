"""A Footer that wraps its keys onto two rows in narrow terminals, so every binding stays visible at 80x24."""

from __future__ import annotations

from math import ceil

from textual.app import ComposeResult
from textual.events import Resize
from textual.widgets import Footer

NARROW_COLUMNS = 120
MIN_COLUMNS = 5


class WrappingFooter(Footer):
    def compose(self) -> ComposeResult:
        yield from super().compose()
        keys = self.styles.grid_size_columns or 0
        narrow = self.app.size.width < NARROW_COLUMNS
        self.set_class(narrow, "-two-rows")
        if narrow:  # always two rows, so a dialog's footer covers the Lab's footer behind it
            self.styles.grid_size_columns = max(ceil(keys / 2), MIN_COLUMNS)

    def on_resize(self, event: Resize) -> None:
        if (self.app.size.width < NARROW_COLUMNS) != self.has_class("-two-rows"):
            self.call_after_refresh(self.recompose)
