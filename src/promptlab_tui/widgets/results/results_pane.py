"""The answer as it streams (coalesced, at most 20 refreshes a second), then tokens and cost vs the estimate."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.timer import Timer
from textual.widgets import Button, Static, TextArea

from promptlab_tui.core.money import format_usd
from promptlab_tui.widgets.views import RunOutcomeView

FLUSH_SECONDS = 0.05  # coalesce stream chunks: never more than ~20 repaints a second


def outcome_markup(outcome: RunOutcomeView) -> str:
    head = {"completed": "[$success]Done[/]", "cancelled": "[$warning]Cancelled[/]"}.get(outcome.status, "[$error]Failed[/]")
    estimated = " [dim](usage estimated locally)[/dim]" if outcome.usage_estimated else ""
    lines = [
        f"{head} in {outcome.duration_s:.1f} s{estimated}",
        f"In  {outcome.input_tokens:>7,}  {escape(format_usd(outcome.input_nanos))}",
        f"Out {outcome.output_tokens:>7,}  {escape(format_usd(outcome.output_nanos))}",
        f"Cached {outcome.cached_tokens:>4,}  {escape(format_usd(outcome.cached_nanos))}",
        f"Actual [b]{escape(format_usd(outcome.total_nanos))}[/b] vs est. {escape(format_usd(outcome.estimate_nanos))}"
        f" ({escape(outcome.error_percent)})",
    ]
    if outcome.message:
        lines.append(f"[dim]{escape(outcome.message)}[/dim]")
    return "\n".join(lines)


class ResultsPane(Vertical):
    def __init__(self, *, clock: Callable[[], float] = time.monotonic, blink: bool = True, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self._blink = blink
        self._buffer: list[str] = []
        self._started = 0.0
        self._tokens = 0
        self._tokens_exact = False
        self._flush_timer: Timer | None = None
        self.running = False
        self.cancelling = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="run-row"):
            yield Button("▶ Run", id="run-button", variant="primary", compact=True)
            yield Button("■ Cancel", id="cancel-button", compact=True, disabled=True)
            yield Static("Idle", id="run-status")
        yield TextArea(id="answer", read_only=True, soft_wrap=True, compact=True)
        yield Static("", id="run-summary")

    def on_mount(self) -> None:
        self.border_title = "Result"
        answer = self.query_one("#answer", TextArea)
        if not self._blink:
            answer.cursor_blink = False
        self.query_one("#run-summary").display = False

    @property
    def answer_text(self) -> str:
        return self.query_one("#answer", TextArea).text

    @property
    def summary_text(self) -> str:
        return str(self.query_one("#run-summary", Static).render())

    def start(self, model: str) -> None:
        self.running = True
        self._buffer.clear()
        self._tokens = 0
        self._started = self._clock()
        self.query_one("#answer", TextArea).text = ""
        self.query_one("#run-summary").display = False
        self._set_buttons()
        self._status("Sending…")
        self._flush_timer = self.set_interval(FLUSH_SECONDS, self._flush)

    def append(self, text: str, tokens: int = 1) -> None:
        """Called from the message handler for each stream delta: only buffers, the timer repaints."""
        self._buffer.append(text)
        self._tokens += tokens

    def set_tokens(self, tokens: int, exact: bool = True) -> None:
        """The runner's own count of output tokens so far (replaces the per-chunk tally)."""
        self._tokens = tokens
        self._tokens_exact = exact

    def _flush(self) -> None:
        if self._buffer:
            chunk = "".join(self._buffer)
            self._buffer.clear()
            answer = self.query_one("#answer", TextArea)
            answer.insert(chunk, answer.document.end, maintain_selection_offset=False)
            answer.scroll_end(animate=False)
        if self.running:
            approx = "" if self._tokens_exact else "≈"
            live = f"{approx}{self._tokens:,} tok · {self._clock() - self._started:.1f} s"
            self._status("Cancelling…" if self.cancelling else live)

    def finish(self, outcome: RunOutcomeView | None, message: str | None = None) -> None:
        self._flush()
        self.running = False
        self.cancelling = False
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        self._set_buttons()
        summary = self.query_one("#run-summary", Static)
        if outcome is not None:
            summary.update(outcome_markup(outcome))
            summary.display = True
            self._status(outcome.status.capitalize())
        else:
            summary.update(f"[$error]{escape(message or 'Run failed')}[/]")
            summary.display = True
            self._status("Not run")

    def show_message(self, message: str, error: bool = True) -> None:
        """A reason the run did not start (missing key, refused by budget) shown where the answer would be."""
        summary = self.query_one("#run-summary", Static)
        style = "$error" if error else "$warning"
        summary.update(f"[{style}]{escape(message)}[/]")
        summary.display = True

    def elapsed(self) -> float:
        return self._clock() - self._started

    def set_status(self, text: str) -> None:
        self._status(text)

    def _status(self, text: str) -> None:
        self.query_one("#run-status", Static).update(escape(text))

    def _set_buttons(self) -> None:
        self.query_one("#run-button", Button).disabled = self.running
        self.query_one("#cancel-button", Button).disabled = not self.running
