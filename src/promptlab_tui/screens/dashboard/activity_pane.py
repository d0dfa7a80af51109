"""The dashboard's recent activity: keyset pages (`m`), sort (`s`), filter (`/`: model:, tag:, status: and text in
the prompt name), `enter` a run's detail (the history's detail screen: one screen for both)."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.message import Message
from promptlab_tui.widgets.markup import escape
from textual.widgets import DataTable, Input, Static

from promptlab_tui.widgets.dashboard import dashboard_figures as figures

SORTS = ("time", "cost", "model", "prompt", "status", "input", "output", "duration")


class ActivityLoaded(Message):
    def __init__(self, page: Any, append: bool, error: str | None) -> None:
        super().__init__()
        self.page, self.append, self.error = page, append, error


class ActivityMixin:
    """Mixed into DashboardScreen (which holds `service`, `view`, `sort`, `activity_filter`, `cursor`)."""

    @work(thread=True, group="dashboard-activity", exclusive=True)
    def load_activity(self, cursor: Any) -> None:
        from promptlab_tui.services.dashboard_activity import ActivityQuery

        try:
            wanted = self.activity_filter
            query = ActivityQuery(sort=self.sort, model=wanted.model, tag=wanted.tag, status=wanted.status,
                                  text=wanted.text, limit=50)
            page = self.service.activity(query, cursor)
        except Exception as error:  # noqa: BLE001
            self.post_message(ActivityLoaded(None, cursor is not None, f"Runs not available: {error}"))
            return
        self.post_message(ActivityLoaded(page, cursor is not None, None))

    def on_activity_loaded(self, message: ActivityLoaded) -> None:
        table = self.query_one("#dash-activity", DataTable)
        title = self.query_one("#dash-activity-title", Static)
        if message.error:
            title.update(escape(message.error))
            return
        if not message.append:
            table.clear()
            self.activity_ids = []
        from promptlab_tui.core.periods import zone

        tz = zone(self.view.timezone) if self.view is not None else None
        for run in message.page.runs:
            table.add_row(*figures.activity_row(run, tz), key=run.id)
            self.activity_ids.append(run.id)
        self.cursor = message.page.next_cursor
        self.refresh_bindings()  # m: more runs, or none left
        more = " · m more" if self.cursor is not None else ""
        shown = f" · filter: {self.activity_filter.describe()}" if self.activity_filter.describe() else ""
        title.update(escape(f"Recent activity · sorted by {self.sort}{shown} · {table.row_count:,} shown{more}"))

    def action_more_activity(self) -> None:
        if self.cursor is not None:
            self.load_activity(self.cursor)

    def action_next_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.load_activity(None)

    def action_filter_activity(self) -> None:
        box = self.query_one("#dash-filter", Input)
        box.remove_class("-hidden")
        box.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "dash-activity" and event.row_key.value:
            from promptlab_tui.screens.history.run_detail_screen import RunDetailScreen

            self.app.push_screen(RunDetailScreen(event.row_key.value), self._detail_closed)

    def apply_filter(self, typed: str) -> bool:
        """The filter box's text; False (and said why) when it does not parse."""
        from promptlab_tui.services.activity_filter import FilterError, parse_activity_filter

        try:
            self.activity_filter = parse_activity_filter(typed)
        except FilterError as error:
            self.notify(str(error), title="Filter not applied", severity="error")
            return False
        self.load_activity(None)
        return True

    def _detail_closed(self, result: tuple[str, object] | None) -> None:
        if result is None:
            return
        verb, value = result
        if verb == "deleted":
            self.action_refresh()  # the totals and the table no longer count it
            self.app.load_budget()
        elif verb == "reopen":
            from promptlab_tui.screens.history.run_detail_screen import reopen_in_lab

            reopen_in_lab(self, value)
