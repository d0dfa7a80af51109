"""Max tokens, temperature and per-run cost cap: one row of three compact Inputs with their labels.

The row draws the labels itself, in the gaps left for them (three fewer widgets). Inputs are among the
costliest widgets to style, so the Lab's first frame shows the row drawing the fields' values too, and
the Inputs are mounted over those values right after that frame (`mount_fields`); until then values
are read from and written to the row.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Input

# (label drawn before the field, field id, width or None for the rest of the row, Input type, placeholder)
FIELDS = (
    ("Max ", "max-tokens", 8, "integer", ""),
    (" Temp ", "temperature", 8, "number", "default"),
    (" Cap $", "cost-cap", None, "number", "none"),
)
MIN_LAST_WIDTH = 6


def plain_dollars(text: str) -> str:
    """'.0001' -> '0.0001' (the Cap field shows "$0.0001", never "$.0001"); anything unreadable is kept as typed."""
    stripped = text.strip()
    try:
        amount = Decimal(stripped)
    except InvalidOperation:
        return text
    return f"{amount:f}" if stripped and amount.is_finite() else text


class ParamsRow(Horizontal):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"params-row--label", "params-row--value", "params-row--placeholder"}
    DEFAULT_CSS = """
    ParamsRow {
        & > .params-row--label { color: $text-muted; }
        & > .params-row--value { background: $surface; color: $foreground; }
        & > .params-row--placeholder { background: $surface; color: $text-disabled; }
    }
    """

    def __init__(self, *, blink: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self._blink = blink
        self._pending = {"max-tokens": "1024", "temperature": "", "cost-cap": ""}

    @property
    def fields_mounted(self) -> bool:
        return bool(self.children)

    def mount_fields(self) -> None:
        """Mount the Inputs (once), holding whatever values were set before."""
        if self.fields_mounted or not self.is_attached:
            return
        inputs = []
        for label, field_id, width, kind, placeholder in FIELDS:
            field = Input(self._pending[field_id], type=kind, id=field_id, placeholder=placeholder, compact=True,
                          select_on_focus=field_id != "max-tokens")
            field.styles.margin = (0, 0, 0, len(label))
            field.styles.width = width if width is not None else "1fr"
            if width is None:
                field.styles.min_width = MIN_LAST_WIDTH
            field.cursor_blink = self._blink
            inputs.append(field)
        self.mount_all(inputs)
        self.refresh()

    def on_input_blurred(self, event: Input.Blurred) -> None:
        if event.input.id == "cost-cap":
            event.input.value = plain_dollars(event.input.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "cost-cap":  # not stopped: the Lab may act on enter too
            event.input.value = plain_dollars(event.input.value)

    def value(self, field_id: str) -> str:
        if self.fields_mounted:
            return self.query_one(f"#{field_id}", Input).value
        return self._pending[field_id]

    def set_value(self, field_id: str, text: str) -> None:
        if self.fields_mounted:
            self.query_one(f"#{field_id}", Input).value = text
        else:
            self._pending[field_id] = text
            self.refresh()

    def render(self) -> Content:
        style = self.get_visual_style  # full styles: a partial one drops an opaque background
        parts: list[tuple[str, object] | str] = []
        used = 0
        for label, field_id, width, _kind, placeholder in FIELDS:
            parts.append((label, style("params-row--label")))
            used += len(label)
            cells = width if width is not None else max(MIN_LAST_WIDTH, self.content_region.width - used)
            used += cells
            if self.fields_mounted:
                parts.append(" " * cells)  # the Input is drawn over this gap
                continue
            text = self._pending[field_id]
            shown, kind = (text, "params-row--value") if text else (placeholder, "params-row--placeholder")
            parts.append((shown[:cells].ljust(cells), style(kind)))
        return Content.assemble(*parts)
