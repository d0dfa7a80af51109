"""The key bar: every binding of the screen drawn by one widget, wrapped onto two rows in narrow terminals.

One widget instead of Textual's Footer (a widget per key): the Lab's first frame styles and lays out
fifteen fewer widgets. Unavailable actions (check_action None) are greyed; clicking a key presses it.
"""

from __future__ import annotations

from typing import NamedTuple

from textual.binding import Binding
from textual.content import Content
from textual.events import Click
from textual.widget import Widget

NARROW_COLUMNS = 120  # below this the bar always takes two rows (a dialog's bar covers the Lab's)
GAP = 1


class FooterItem(NamedTuple):
    key: str
    key_display: str
    description: str
    enabled: bool

    @property
    def width(self) -> int:
        return len(self.key_display) + 1 + len(self.description)


class WrappingFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer--key", "footer--description", "footer--disabled", "footer--separator"}
    DEFAULT_CSS = """
    WrappingFooter {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        & > .footer--key { color: $footer-key-foreground; text-style: bold; }
        & > .footer--description { color: $footer-description-foreground; }
        & > .footer--disabled { color: $footer-description-foreground 50%; }
        & > .footer--separator { color: $foreground 20%; }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._hits: list[tuple[int, int, int, FooterItem]] = []  # row, start, end, item

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._fit_height()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        self._fit_height()
        self.refresh()

    def on_resize(self) -> None:
        self._fit_height()

    # ---- what is shown --------------------------------------------------------------------------

    def items(self) -> tuple[list[FooterItem], FooterItem | None]:
        """(one item per shown action, in binding order; the command palette key, shown at the right)."""
        app = self.app
        items: list[FooterItem] = []
        palette: FooterItem | None = None
        seen: set[str] = set()
        active = self.screen.active_bindings
        shown = [(key, binding, enabled) for key, (_node, binding, enabled, _tip) in active.items()]
        if self.screen.is_modal:
            shown += self._app_keys_above_dialogs({key for key, _binding, _enabled in shown})
        for key, binding, enabled in shown:
            item = FooterItem(key, app.get_key_display(binding), binding.description, enabled)
            if key == app.COMMAND_PALETTE_BINDING:
                palette = item if app.ENABLE_COMMAND_PALETTE else None
            elif binding.show and binding.action not in seen:
                seen.add(binding.action)
                items.append(item)
        items.sort(key=lambda item: item.key == "ctrl+q")  # Quit last, as people expect
        return items, palette

    def _app_keys_above_dialogs(self, taken: set[str]) -> list[tuple[str, Binding, bool]]:
        """The app's priority keys (palette, quit, budget, alerts) still work while a dialog is open, but a
        dialog's binding chain stops at the dialog: list them too, greyed when the app says they do nothing."""
        app = self.app
        bindings = [b for b in type(app).BINDINGS if isinstance(b, Binding) and b.priority]
        bindings.append(Binding(app.COMMAND_PALETTE_BINDING, "command_palette", "palette", priority=True))
        found = []
        for binding in bindings:
            for key in binding.key.split(","):
                state = app.check_action(binding.action, ())
                if key.strip() not in taken and state is not False:
                    found.append((key.strip(), binding, state is True))
        return found

    def layout_rows(self, width: int) -> list[list[tuple[int, FooterItem]]]:
        """Rows of (x, item): one row when everything fits, else two rows with aligned columns.

        The palette key is not in them: it sits at the right end of the first row, after a bar.
        """
        items, palette = self.items()
        room = width - (palette.width + 3 if palette else 0)
        one_row = sum(item.width for item in items) + GAP * max(0, len(items) - 1)
        if not items:
            return [[]]
        if one_row <= room:
            return [self._pack(items)]
        for count in range(2, 6):  # more rows only when fewer cannot hold every key (none is ever dropped)
            size = -(-len(items) // count)
            rows = [items[i:i + size] for i in range(0, len(items), size)]
            packed = [sum(item.width for item in row) + GAP * (len(row) - 1) for row in rows]
            if count == 5 or all(need <= (room if i == 0 else width) for i, need in enumerate(packed)):
                return self._place(rows, room)
        raise AssertionError("unreachable")

    @staticmethod
    def _place(rows: list[list[FooterItem]], room: int) -> list[list[tuple[int, FooterItem]]]:
        """Columns aligned across rows and spread over the room; packed tight when they do not fit."""
        columns = max(len(row) for row in rows)
        widths = [max(row[i].width for row in rows if i < len(row)) for i in range(columns)]
        spare = room - sum(widths)
        if spare < GAP * (columns - 1):  # no room to align: pack each row on its own
            return [WrappingFooter._pack(row, GAP) for row in rows]
        per_column = spare // columns if columns else 0
        starts = []
        x = 0
        for width in widths:
            starts.append(x)
            x += width + per_column
        return [[(starts[i], item) for i, item in enumerate(row)] for row in rows]

    @staticmethod
    def _pack(row: list[FooterItem], gap: int = 2) -> list[tuple[int, FooterItem]]:
        x, out = 0, []
        for item in row:
            out.append((x, item))
            x += item.width + gap
        return out

    def _fit_height(self) -> None:
        if not self.is_mounted:
            return
        width = self.size.width or self.app.size.width
        rows = len(self.layout_rows(width))
        height = max(2, rows) if width < NARROW_COLUMNS else rows
        if self.styles.height is None or self.styles.height.value != height:
            self.styles.height = height

    # ---- drawing and clicks ---------------------------------------------------------------------

    def render(self) -> Content:
        width = self.size.width
        _items, palette = self.items()
        self._hits = []
        lines: list[Content] = []
        for row_index, row in enumerate(self.layout_rows(width)):
            parts: list[tuple[str, str] | str] = []
            x = 0
            for start, item in row:
                parts += [" " * (start - x), *self._item_parts(item)]
                self._hits.append((row_index, start, start + item.width, item))
                x = start + item.width
            if row_index == 0 and palette is not None:
                start = width - palette.width
                parts += [" " * max(0, start - 2 - x), ("│", ".footer--separator"), " ", *self._item_parts(palette)]
                self._hits.append((0, start, width, palette))
            lines.append(Content.assemble(*parts))
        return Content("\n").join(lines)

    @staticmethod
    def _item_parts(item: FooterItem) -> list[tuple[str, str] | str]:
        if not item.enabled:
            return [(f"{item.key_display} {item.description}", ".footer--disabled")]
        return [(item.key_display, ".footer--key"), " ", (item.description, ".footer--description")]

    def on_click(self, event: Click) -> None:
        for row, start, end, item in self._hits:
            if row == event.y and start <= event.x < end:
                event.stop()
                if item.enabled:
                    self.app.simulate_key(item.key)
                else:
                    self.app.bell()
                return
