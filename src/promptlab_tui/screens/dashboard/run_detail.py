"""One run in full (from the dashboard's recent activity): messages, answer, tokens, cost lines, estimate."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from promptlab_tui.core.money import format_usd
from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter


class DetailLoaded(Message):
    def __init__(self, detail: Any, error: str | None) -> None:
        super().__init__()
        self.detail, self.error = detail, error


def detail_renderable(detail: Any) -> Table:
    run = detail.run
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    grid.add_row("Run", run.id)
    grid.add_row("When", f"{run.created_at:%Y-%m-%d %H:%M:%S} UTC")
    grid.add_row("Model", f"{run.provider} / {run.model}")
    grid.add_row("Prompt", run.prompt_name or "-")
    grid.add_row("Status", detail.status + (f" — {detail.error}" if detail.error else ""))
    grid.add_row("Duration", f"{detail.duration_ms:,} ms" if detail.duration_ms is not None else "-")
    grid.add_row("Price version", detail.price_version or "no price")
    for kind, tokens in detail.tokens:
        grid.add_row(f"{kind} tokens", f"{tokens:,}")
    for line in detail.cost_lines:
        grid.add_row(f"cost: {line.label}", f"{line.tokens:,} tokens · {format_usd(line.cost_nanos)}")
    grid.add_row("Total cost", format_usd(detail.total_cost_nanos))
    estimate = (f"input {detail.estimate_input_tokens or 0:,} → {detail.actual_input_tokens:,}; output "
                f"{detail.estimate_output_tokens or 0:,} → {detail.actual_output_tokens:,}; cost "
                f"{format_usd(detail.expected_cost_nanos)} → {format_usd(detail.total_cost_nanos)}")
    grid.add_row("Estimate → actual", estimate)
    for message in detail.messages:
        grid.add_row(message.role, Text(message.content))
    grid.add_row("answer", Text(detail.answer) if detail.answer else Text("(not kept)", style="dim"))
    return grid


class RunDetailScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, service: Any, run_id: str) -> None:
        super().__init__(classes="dialog")
        self.service = service
        self.run_id = run_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="run-detail-box"):
            yield Static("Run detail", classes="title")
            yield Static("Loading…", id="run-detail")
        yield WrappingFooter()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, group="run-detail", exclusive=True)
    def load(self) -> None:
        try:
            detail = self.service.run_detail(self.run_id)
        except Exception as error:  # noqa: BLE001
            self.post_message(DetailLoaded(None, f"Run not available: {error}"))
            return
        self.post_message(DetailLoaded(detail, None if detail else "This run is no longer in the history."))

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        target = self.query_one("#run-detail", Static)
        target.update(Text(message.error, style="bold") if message.error else detail_renderable(message.detail))

    def action_close(self) -> None:
        self.dismiss(None)
