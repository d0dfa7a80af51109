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
        self.set_class(narrow and keys > MIN_COLUMNS, "-two-rows")
        # always two rows tall when narrow, so a dialog's footer covers the Lab's two-row footer behind it
        self.set_class(narrow and keys <= MIN_COLUMNS, "-tall")
        if narrow and keys > MIN_COLUMNS:
            self.styles.grid_size_columns = ceil(keys / 2)

    def on_resize(self, event: Resize) -> None:
        if (self.app.size.width < NARROW_COLUMNS) != (self.has_class("-two-rows") or self.has_class("-tall")):
            self.call_after_refresh(self.recompose)
