"""Recent runs (newest first, a page at a time from the database): works with no key and no network."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from promptlab_tui.widgets.markup import escape
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Static

from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter

PAGE_SIZE = 50
# money first: cost, estimate and the estimate's error fit at 80 columns; the rest scrolls sideways
COLUMNS = ("When (UTC)", "Cost", "Est.", "Error", "Model", "Status", "In", "Out", "Time", "Prompt")


class RunsLoaded(Message):
    def __init__(self, rows: list[tuple[str, tuple[str, ...]]], cursor: Any, error: str | None) -> None:
        super().__init__()
        self.rows = rows  # (run id, cells)
        self.cursor = cursor
        self.error = error


class HistoryScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("m", "more", "More runs"),
        Binding("enter", "open_run", "Details", priority=True),  # over the table's own enter: shown in the footer
    ]

    def __init__(self, prompt_name: str | None = None) -> None:
        super().__init__(classes="dialog")
        self.prompt_name = prompt_name  # only this prompt's runs (the Lab's ctrl+f)
        self.cursor: Any = None
        self.exhausted = False

    def compose(self) -> ComposeResult:
        with Vertical(id="history-box"):
            title = f"Runs of {self.prompt_name}" if self.prompt_name is not None else "Recent runs"
            yield Static(escape(title), classes="title")
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
        from promptlab_tui.services.run_detail import summary_row
        from promptlab_tui.services.run_links_view import origins

        try:
            repo = self.app.services.repository
            runs = repo.history_page(PAGE_SIZE, before=before, prompt_name=self.prompt_name) if repo is not None else []
        except Exception as error:  # an unreadable database: say so, keep the app running
            self.post_message(RunsLoaded([], before, f"History not available: {error}"))
            return
        cursor = (runs[-1].created_at, runs[-1].id) if len(runs) == PAGE_SIZE else None
        linked = origins(repo, [r.id for r in runs])
        self.post_message(RunsLoaded([(r.id, summary_row(r, linked.get(r.id))) for r in runs], cursor, None))

    def on_runs_loaded(self, message: RunsLoaded) -> None:
        table = self.query_one(DataTable)
        for run_id, cells in message.rows:
            table.add_row(*cells, key=run_id)
        self.cursor = message.cursor
        self.exhausted = message.cursor is None
        if not message.error and table.row_count == 0:
            message.error = "No runs yet: ctrl+r in the Lab runs the prompt."
        self._show_status(message.error)
        self.query_one("#more", Button).disabled = self.exhausted
        self.refresh_bindings()

    def _show_status(self, error: str | None = None) -> None:
        count = self.query_one(DataTable).row_count
        status = error or (f"{count:,} runs shown" + ("" if self.exhausted else " · m loads more")
                           + " · enter: details · * usage estimated locally")
        self.query_one("#history-status", Static).update(f"[dim]{escape(status)}[/dim]")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "more" and self.exhausted:
            return None
        if action == "open_run" and not self.query_one(DataTable).row_count:
            return None
        return True

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_run()

    def action_open_run(self) -> None:
        from promptlab_tui.screens.history.run_detail_screen import RunDetailScreen

        table = self.query_one(DataTable)
        if not table.row_count:
            return
        run_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self.app.push_screen(RunDetailScreen(run_id), self._detail_closed)

    def _detail_closed(self, result: tuple[str, object] | None) -> None:
        if result is None:
            return
        verb, value = result
        if verb == "deleted":
            self.query_one(DataTable).remove_row(value)
            self._show_status()
            self.app.load_budget()  # the totals no longer count it
        elif verb == "reopen":
            from promptlab_tui.screens.history.run_detail_screen import reopen_in_lab

            reopen_in_lab(self, value)

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
