"""Which format the dashboard exports its period in: CSV, JSON Lines or FOCUS cost-and-usage rows."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter

# (format as services.export names it, label, what it is for)
EXPORT_FORMATS = (
    ("csv", "CSV", "one row per run, every column (spreadsheets)"),
    ("jsonl", "JSON Lines", "one JSON object per run (scripts)"),
    ("focus", "FOCUS 1.2 CSV", "FinOps cost-and-usage rows (finance tools)"),
)


class ExportFormatDialog(ModalScreen[str | None]):
    """Dismisses with 'csv', 'jsonl' or 'focus', or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("1", "choose('csv')", "CSV"),
        Binding("2", "choose('jsonl')", "JSONL"),
        Binding("3", "choose('focus')", "FOCUS"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="export-format-box"):
            yield Static("Export this period as", classes="title")
            yield OptionList(*[Option(f"{n}  {label} · {help_text}", id=fmt)
                               for n, (fmt, label, help_text) in enumerate(EXPORT_FORMATS, 1)], id="export-formats")
            yield Static("enter or 1-3 exports with a progress bar; x on the dashboard cancels it", classes="hint")
        yield WrappingFooter()

    def __init__(self) -> None:
        super().__init__(classes="dialog")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_choose(self, fmt: str) -> None:
        self.dismiss(fmt)

    def action_cancel(self) -> None:
        self.dismiss(None)
