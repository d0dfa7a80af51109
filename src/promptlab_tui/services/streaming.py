"""Reading a provider's stream: pass the text on, count output tokens locally, checkpoint them about once a second.

The local count is what a run killed mid-stream is billed from (the ledger's checkpoint), and
what a broken stream or a Ctrl-C is settled with when the provider reported no usage.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from promptlab_tui.core.types import TokenCount, Usage
from promptlab_tui.services.run_types import RunTextDelta, RunTokens


@dataclass
class StreamProgress:
    """What a stream has delivered so far (kept up to date while it runs, read after it ends)."""

    model: str
    parts: list[str] = field(default_factory=list)
    started: bool = False  # the request was handed to the provider: its input may be billed from here
    first_event: bool = False  # the provider answered
    reported_usage: Usage | None = None  # the latest UsageReport (Anthropic: input at message_start)
    provider_cost_nanos: int | None = None
    completed: Any = None  # the provider's Completed event
    _counter: Any = None
    _counted: TokenCount | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def output_count(self) -> TokenCount:
        """Output tokens of the text so far, counted locally (incrementally: appends re-encode the tail)."""
        if self._counter is None:
            from promptlab_tui.core.incremental import IncrementalTokenCounter

            self._counter = IncrementalTokenCounter(self.model)
        self._counted = self._counter.update(self.text)
        return self._counted


class StreamReader:
    """Consumes `events`, posting RunTextDelta / RunTokens to `on_event` and checkpointing via `checkpoint`."""

    def __init__(self, progress: StreamProgress, on_event: Callable[[Any], None],
                 checkpoint: Callable[..., None] | None, *, checkpoint_interval: float = 1.0,
                 progress_interval: float = 0.2, clock: Callable[[], float] = time.monotonic) -> None:
        self.progress = progress
        self.on_event = on_event
        self.checkpoint = checkpoint
        self.checkpoint_interval = checkpoint_interval
        self.progress_interval = progress_interval
        self.clock = clock
        self.started_at = clock()
        self._next_progress = self.started_at + progress_interval
        self._next_checkpoint = self.started_at + checkpoint_interval
        self._checkpointed = 0
        self._input_checkpointed = False

    def read(self, events: Iterator[Any]) -> None:
        from promptlab_tui.providers.base import Completed, TextDelta, UsageReport

        progress = self.progress
        progress.started = True
        for event in events:
            progress.first_event = True
            if isinstance(event, TextDelta):
                if event.text:
                    progress.parts.append(event.text)
                    self.on_event(RunTextDelta(event.text))
                    self._tick()
            elif isinstance(event, UsageReport):
                progress.reported_usage = event.usage
                if event.provider_cost_nanos is not None:
                    progress.provider_cost_nanos = event.provider_cost_nanos
                if (self.checkpoint and not self._input_checkpointed and not progress.parts
                        and event.usage.total_input_tokens > 0):
                    # At the stream's start (Anthropic's message_start; OpenAI reports only at the end):
                    # a run killed from here is billed the provider's input figure, not the local estimate.
                    self._input_checkpointed = True
                    self.checkpoint(self._checkpointed, event.usage)
            elif isinstance(event, Completed):
                progress.completed = event
                if event.text and not progress.parts:  # a provider that only sent the whole text
                    progress.parts.append(event.text)
        self.post_tokens()

    def _tick(self) -> None:
        now = self.clock()
        if now < self._next_progress and now < self._next_checkpoint:
            return
        count = self.post_tokens(now)
        if self.checkpoint is not None and now >= self._next_checkpoint:
            self._next_checkpoint = now + self.checkpoint_interval
            if count.tokens > self._checkpointed:
                self.checkpoint(count.tokens)
                self._checkpointed = count.tokens

    def post_tokens(self, now: float | None = None) -> TokenCount:
        now = self.clock() if now is None else now
        count = self.progress.output_count()
        self._next_progress = now + self.progress_interval
        self.on_event(RunTokens(count.tokens, count.exact, now - self.started_at))
        return count


def spent_usage(progress: StreamProgress, input_count: TokenCount, reported: Usage | None,
                bill_unreported_input: bool) -> Usage:
    """What a run that did not complete has cost: never less than what was generated.

    The provider's figures when it gave some; otherwise the input counted locally in full when
    `bill_unreported_input` (the provider answered, or a Ctrl-C left the request in flight), else
    nothing (the provider refused the request); the output counted from the partial text when that
    is more than the provider reported.
    """
    usage = reported if reported is not None else progress.reported_usage
    text = progress.text
    counted_output = progress.output_count().tokens if text else 0
    if usage is None:
        if not (bill_unreported_input or text):
            return Usage()
        return Usage(input_tokens=input_count.tokens, output_tokens=counted_output, estimated=True)
    if usage.total_input_tokens == 0 and (bill_unreported_input or text):
        usage = Usage(input_tokens=input_count.tokens, output_tokens=usage.output_tokens,
                      reasoning_tokens=usage.reasoning_tokens, estimated=True)
    if counted_output > usage.output_tokens:
        usage = Usage(input_tokens=usage.input_tokens, output_tokens=counted_output,
                      cached_input_tokens=usage.cached_input_tokens, cache_write_tokens=usage.cache_write_tokens,
                      cache_write_1h_tokens=usage.cache_write_1h_tokens, reasoning_tokens=usage.reasoning_tokens,
                      estimated=True)
    return usage
