"""Compare mode: the Lab's prompt on several models at once, answers side by side (stacked below 120
columns) with their costs; f8 marks the focused answer as the better one (stored, used for advice)."""

from __future__ import annotations

import threading
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from promptlab_tui.widgets.compare.compare_column import CompareColumn
from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter

SIDE_BY_SIDE_COLUMNS = 120


class CompareColumnDone(Message):
    def __init__(self, view: Any) -> None:
        super().__init__()
        self.view = view


class CompareDone(Message):
    def __init__(self, group_id: str, summary: str) -> None:
        super().__init__()
        self.group_id = group_id
        self.summary = summary


class CompareMarked(Message):
    def __init__(self, position: int, ok: bool) -> None:
        super().__init__()
        self.position = position
        self.ok = ok


class CompareScreen(Screen):
    BINDINGS = [
        Binding("ctrl+r", "run_compare", "Run all", priority=True),
        Binding("f8", "mark_better", "Mark better"),
        Binding("escape", "back", "Back / cancel", priority=True),
    ]

    def __init__(self, values: Any, prompt_name: str | None, models: list[str], history: tuple = ()) -> None:
        super().__init__(id="compare")
        self.values = values
        self.prompt_name = prompt_name
        self.history = history
        self.initial_models = models
        self.running = False
        self.group_id: str | None = None
        self.cancel_event: threading.Event | None = None

    def compose(self) -> ComposeResult:
        self.set_class(self.app.size.width < SIDE_BY_SIDE_COLUMNS, "-stacked")
        with Horizontal(id="compare-params"):
            yield Label("Models ")
            yield Input(", ".join(self.initial_models), id="compare-models", placeholder="gpt-4o-mini, gpt-4o")
            yield Label(" Cap $ ")
            yield Input("", id="compare-cap", placeholder="set", restrict=r"[0-9.]*")
        yield Container(id="compare-columns")
        yield Static("ctrl+r runs the prompt on every model; the cap is for the whole set.", id="compare-summary")
        yield WrappingFooter()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < SIDE_BY_SIDE_COLUMNS, "-stacked")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run_compare":
            return None if self.running else True
        if action == "mark_better":
            return True if self.group_id is not None and not self.running else None
        return True

    # ---- actions --------------------------------------------------------------------------------

    async def action_run_compare(self) -> None:
        models = [m.strip() for m in self.query_one("#compare-models", Input).value.split(",") if m.strip()]
        models = list(dict.fromkeys(models))
        cap_text = self.query_one("#compare-cap", Input).value.strip()
        summary = self.query_one("#compare-summary", Static)
        if len(models) < 2:
            summary.update("Name two or more models, separated by commas.")
            return
        try:
            from decimal import Decimal

            from promptlab_tui.core.money import usd_to_nanos

            cap = usd_to_nanos(Decimal(cap_text)) if cap_text else None
        except Exception:
            summary.update(f"Cap: expected dollars like 0.05, got {cap_text!r}")
            return
        columns = self.query_one("#compare-columns")
        await columns.remove_children()
        await columns.mount_all([CompareColumn(i, model) for i, model in enumerate(models)])
        self.running, self.group_id = True, None
        self.cancel_event = threading.Event()
        summary.update(f"Running {len(models)} models…")
        self.refresh_bindings()
        self.app.run_context()  # made on the UI thread
        self.run_models(models, cap, self.cancel_event)

    @work(thread=True, group="compare")
    def run_models(self, models: list[str], cap: int | None, cancel: threading.Event) -> None:
        from promptlab_tui.services.compare import column_view, run_compare, summary_text
        from promptlab_tui.services.preview_engine import prompt_from
        from promptlab_tui.services.run_types import RunOptions
        from promptlab_tui.services.runner import RunService

        services, session, session_id = self.app.run_context()
        prompt = prompt_from(self.values)
        prompt.name = self.prompt_name
        if self.history:
            prompt.messages = [*prompt.messages[:-1], *self.history, prompt.messages[-1]]
        service = RunService(services, session=session, session_id=session_id)
        clock = self.app.clock
        started = clock()

        def entry_done(entry: Any) -> None:
            self.post_message(CompareColumnDone(column_view(entry, clock() - started)))

        try:
            result = run_compare(service, prompt, models, RunOptions(max_tokens=self.values.max_tokens), cap,
                                 on_entry=entry_done, cancel=cancel)
        except Exception as error:  # unreadable history or prices: say so in the summary
            self.post_message(CompareDone("", f"Compare failed: {error}"))
            return
        self.post_message(CompareDone(result.group_id, summary_text(result, cap)))

    def on_compare_column_done(self, message: CompareColumnDone) -> None:
        view = message.view
        found = self.query(f"#compare-column-{view.position}")
        if found:
            found.first(CompareColumn).show(view.status, view.text, view.stats, view.run_id)

    def on_compare_done(self, message: CompareDone) -> None:
        self.running = False
        self.group_id = message.group_id or None
        self.query_one("#compare-summary", Static).update(
            message.summary + ("  ·  f8 marks the focused answer as the better one" if self.group_id else ""))
        columns = self.query(CompareColumn)
        if columns:
            columns.first().focus()
        self.refresh_bindings()
        if self.app.budget is not None:
            self.app.load_budget()

    def action_mark_better(self) -> None:
        focused = self.focused
        column = focused if isinstance(focused, CompareColumn) else None
        if column is None or column.run_id is None or self.group_id is None:
            self.notify("Focus an answer that ran (tab), then f8.", severity="warning")
            return
        self.store_mark(self.group_id, column.run_id, column.position)

    @work(thread=True, group="compare-mark")
    def store_mark(self, group_id: str, run_id: str, position: int) -> None:
        from promptlab_tui.services.compare import mark_better
        from promptlab_tui.services.runner import RunService

        services, session, session_id = self.app.run_context()
        ok = mark_better(RunService(services, session=session, session_id=session_id), group_id, run_id)
        self.post_message(CompareMarked(position, ok))

    def on_compare_marked(self, message: CompareMarked) -> None:
        for column in self.query(CompareColumn):  # the title of the marked one says "★ better"
            column.mark(message.ok and column.position == message.position)

    def action_back(self) -> None:
        if self.running and self.cancel_event is not None:
            self.cancel_event.set()  # escape stops the streams; what was spent is recorded
            self.query_one("#compare-summary", Static).update("Cancelling…")
        elif not self.running:
            self.dismiss()

    def on_unmount(self) -> None:
        if self.cancel_event is not None:
            self.cancel_event.set()
