"""Recent runs (newest first, a page at a time from the database): works with no key and no network."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Static

from promptlab_tui.core.money import format_usd
from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter

PAGE_SIZE = 50
COLUMNS = ("When (UTC)", "Model", "Status", "In", "Out", "Cost", "Est.")


class RunsLoaded(Message):
    def __init__(self, rows: list[tuple[str, ...]], cursor: Any, error: str | None) -> None:
        super().__init__()
        self.rows = rows
        self.cursor = cursor
        self.error = error


def run_row(run: Any) -> tuple[str, ...]:
    cost = format_usd(run.cost_nanos) + ("*" if run.usage_estimated else "")
    return (f"{run.created_at:%Y-%m-%d %H:%M}", run.model, run.status, f"{run.total_input_tokens:,}",
            f"{run.output_tokens:,}", cost, format_usd(run.expected_cost_nanos))


class HistoryScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("m", "more", "More runs"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog")
        self.cursor: Any = None
        self.exhausted = False

    def compose(self) -> ComposeResult:
        with Vertical(id="history-box"):
            yield Static("Recent runs", classes="title")
            yield Static("[dim]Loading…[/dim]", id="history-status", classes="hint")
            table = DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
            table.add_columns(*COLUMNS)
            yield table
            with Horizontal(classes="buttons"):
                yield Button("More (m)", id="more", compact=True)
                yield Button("Close (esc)", id="close", compact=True)
        yield WrappingFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load_page(None)

    @work(thread=True, group="history", exclusive=True)
    def load_page(self, before: Any) -> None:
        try:
            repo = self.app.services.repository
            runs = repo.recent_runs(PAGE_SIZE, before=before) if repo is not None else []
        except Exception as error:  # an unreadable database: say so, keep the app running
            self.post_message(RunsLoaded([], before, f"History not available: {error}"))
            return
        cursor = (runs[-1].created_at, runs[-1].id) if len(runs) == PAGE_SIZE else None
        self.post_message(RunsLoaded([run_row(r) for r in runs], cursor, None))

    def on_runs_loaded(self, message: RunsLoaded) -> None:
        table = self.query_one(DataTable)
        table.add_rows(message.rows)
        self.cursor = message.cursor
        self.exhausted = message.cursor is None
        if not message.error and table.row_count == 0:
            message.error = "No runs yet: ctrl+r in the Lab runs the prompt."
        status = message.error or (f"{table.row_count:,} runs shown" + ("" if self.exhausted else " · m loads more")
                                   + " · * usage estimated locally")
        self.query_one("#history-status", Static).update(f"[dim]{escape(status)}[/dim]")
        self.query_one("#more", Button).disabled = self.exhausted
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "more" and self.exhausted:
            return None
        return True

    def action_more(self) -> None:
        if not self.exhausted:
            self.load_page(self.cursor)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "more":
            self.action_more()
        else:
            self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
