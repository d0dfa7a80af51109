"""The answer as it streams (coalesced, at most 20 refreshes a second), then tokens and cost vs the estimate.

The answer's TextArea and the summary are mounted when first needed: the first frame only draws the
run bar (one button, Run while idle and Cancel while a run streams, beside the run's status).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Vertical
from promptlab_tui.widgets.markup import escape
from textual.timer import Timer
from textual.widgets import Static, TextArea

from promptlab_tui.core.duration import progress_label
from promptlab_tui.core.money import format_usd
from promptlab_tui.widgets.results.run_bar import RunBar

if TYPE_CHECKING:
    from promptlab_tui.services.views import RunOutcomeView

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


def session_markup(session: object) -> str:
    """'This session: $0.0042 over 3 runs' (what this app session has spent), or nothing."""
    if session is None or not getattr(session, "runs", 0):
        return ""
    unpriced = f" + {session.unpriced_runs} without a price" if session.unpriced_runs else ""
    runs = f"{session.runs} run{'s' if session.runs != 1 else ''}"
    return f"\n[dim]This session:[/dim] {escape(format_usd(session.spent_nanos))}{unpriced} over {runs}"


class ResultsPane(Vertical):
    def __init__(self, *, clock: Callable[[], float] = time.monotonic, blink: bool = True, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self._blink = blink
        self._buffer: list[str] = []
        self._started = 0.0
        self._tokens = 0
        self._tokens_exact = False
        self._cost_so_far: int | None = None
        self._expected: Any = None  # the preview's DurationEstimate for the run under way
        self._flush_timer: Timer | None = None
        self.running = False
        self.cancelling = False
        self._follow_end = False  # after a run: keep its summary's last line in view while the layout settles
        self._notice = False  # the summary says why a run did not start

    def compose(self) -> ComposeResult:
        yield RunBar(id="run-bar")

    def on_mount(self) -> None:
        self.border_title = "Result"

    @property
    def run_bar(self) -> RunBar:
        return self.query_one(RunBar)

    def _answer(self) -> TextArea | None:
        found = self.query("#answer")
        return found.first(TextArea) if found else None

    def _summary(self) -> Static:
        found = self.query("#run-summary")
        if found:
            return found.first(Static)
        summary = Static("", id="run-summary")
        self.mount(summary)
        return summary

    @property
    def answer_text(self) -> str:
        answer = self._answer()
        return answer.text if answer is not None else ""

    @property
    def summary_text(self) -> str:
        found = self.query("#run-summary")
        return str(found.first(Static).render()) if found else ""

    def start(self, model: str, expected: Any = None) -> None:
        """`expected`: the preview's DurationEstimate, which the elapsed time counts against."""
        self.running = True
        self._follow_end = False
        self._expected = expected
        self._buffer.clear()
        self._tokens = 0
        self._cost_so_far = None
        self._started = self._clock()
        self._waiting: str | None = None
        answer = self._answer()
        if answer is None:
            answer = TextArea(id="answer", read_only=True, soft_wrap=True, compact=True)
            answer.cursor_blink = self._blink
            self.mount(answer, after="#run-bar")
        else:
            answer.text = ""
        if self.query("#run-summary"):
            self._summary().display = False
        self._set_buttons()
        self._status("Sending…")
        self._flush_timer = self.set_interval(FLUSH_SECONDS, self._flush)

    def append(self, text: str, tokens: int = 1) -> None:
        """Called from the message handler for each stream delta: only buffers, the timer repaints."""
        self._buffer.append(text)
        self._tokens += tokens

    def set_tokens(self, tokens: int, exact: bool = True, cost_nanos: int | None = None) -> None:
        """The runner's own count of output tokens so far (replaces the per-chunk tally), and the cost so far."""
        self._tokens = tokens
        self._tokens_exact = exact
        self._cost_so_far = cost_nanos

    def _flush(self) -> None:
        answer = self._answer()
        if self._buffer and answer is not None and not answer.is_mounted:
            self.call_after_refresh(self._flush)  # the first run's answer area is still mounting
        elif self._buffer and answer is not None:
            chunk = "".join(self._buffer)
            self._buffer.clear()
            answer.insert(chunk, answer.document.end, maintain_selection_offset=False)
            answer.scroll_end(animate=False)
        if self.running:
            approx = "" if self._tokens_exact else "≈"
            cost = f" · {format_usd(self._cost_so_far)}" if self._cost_so_far is not None else ""
            elapsed = progress_label(round((self._clock() - self._started) * 1000), self._expected)
            live = f"{approx}{self._tokens:,} tok{cost} · {elapsed}"
            self._status("Cancelling…" if self.cancelling else getattr(self, "_waiting", None) or live)

    def finish(self, outcome: RunOutcomeView | None, message: str | None = None, session: object = None) -> None:
        self._flush()
        self.running = False
        self.cancelling = False
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        self._set_buttons()
        summary = self._summary()
        if outcome is not None:
            summary.update(outcome_markup(outcome) + session_markup(session))
            summary.display = True
            self._status(outcome.status.capitalize())
        else:
            summary.update(f"[$error]{escape(message or 'Run failed')}[/]")
            summary.display = True
            self._status("Not run")
        self._notice = outcome is None
        self._show_end()  # the cost and any error are what to read now

    def show_message(self, message: str, error: bool = True) -> None:
        """A reason the run did not start (missing key, refused by budget) shown where the answer would be."""
        summary = self._summary()
        style = "$error" if error else "$warning"
        summary.update(f"[{style}]{escape(message)}[/]")
        summary.display = True
        self._notice = True
        self._show_end()

    def clear(self) -> None:
        """Nothing from an earlier prompt or run (a new or opened prompt)."""
        if self.running:
            return
        answer = self._answer()
        if answer is not None:
            answer.text = ""
        self.clear_notice(force=True)

    def clear_notice(self, force: bool = False) -> None:
        """Drop a message about a run that did not start (a refusal), stale once the budget changed."""
        if self.running or not (force or self._notice):
            return
        if self.query("#run-summary"):
            self._summary().display = False
        self._notice = False
        self._status("")

    def _show_end(self) -> None:
        self._follow_end = True
        self.call_after_refresh(self.scroll_end, animate=False)

    def watch_virtual_size(self) -> None:
        # the summary re-wraps (taller) once the scrollbar takes a column: follow it to its end
        if self._follow_end:
            self.scroll_end(animate=False)

    def elapsed(self) -> float:
        return self._clock() - self._started

    def set_waiting(self, text: str | None) -> None:
        """Shown instead of the live count while the run waits for others to settle (None: stopped waiting)."""
        self._waiting = text
        if text is not None:
            self._status(text)

    def attempt_failed(self, text: str) -> None:
        """A fallback chain's model failed: said until the next model's run is reserved (then its live count)."""
        self._waiting = text[:1].upper() + text[1:]
        self._status(self._waiting)

    def set_status(self, text: str) -> None:
        self._status(text)

    def _status(self, text: str) -> None:
        self.run_bar.status = text

    def _set_buttons(self) -> None:
        self.run_bar.running = self.running
