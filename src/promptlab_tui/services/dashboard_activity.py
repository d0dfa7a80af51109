"""Recent activity pages and one run's detail, as view dataclasses for the dashboard (`DashboardService`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from promptlab_tui.core.history import RunRecord
from promptlab_tui.core.types import ChatMessage
from promptlab_tui.store.activity import SORTS, ActivityQuery, activity_rows

if TYPE_CHECKING:
    from promptlab_tui.services.dashboard_source import DashboardSource

__all__ = ["SORTS", "ActivityPage", "ActivityQuery", "CostLine", "RunDetail", "activity_page", "run_detail"]


@dataclass(frozen=True)
class ActivityPage:
    runs: tuple[RunRecord, ...]  # without prompt and answer texts (see run_detail)
    query: ActivityQuery
    next_cursor: tuple | None  # pass to `DashboardService.activity(query, cursor)`; None: the last page


def activity_page(service: DashboardSource, query: ActivityQuery, cursor: tuple | None = None) -> ActivityPage:
    with service._read() as conn:
        runs, next_cursor = activity_rows(conn, query, cursor)
    return ActivityPage(tuple(runs), query, next_cursor)


@dataclass(frozen=True)
class CostLine:
    label: str  # 'input', 'cached input', 'cache writes', 'output'
    tokens: int
    cost_nanos: int | None  # None: no price (or only the total was recorded)


@dataclass(frozen=True)
class RunDetail:
    run: RunRecord
    messages: tuple[ChatMessage, ...]
    answer: str | None
    tokens: tuple[tuple[str, int], ...]  # by kind, as billed
    cost_lines: tuple[CostLine, ...]
    total_cost_nanos: int | None  # None: no price
    price_version: str | None
    estimate_input_tokens: int | None
    actual_input_tokens: int
    estimate_output_tokens: int | None
    actual_output_tokens: int
    expected_cost_nanos: int | None
    duration_ms: int | None
    status: str
    error: str | None

    @property
    def cost_error_nanos(self) -> int | None:
        """Actual minus expected (above 0: the run cost more than the preview said)."""
        if self.total_cost_nanos is None or self.expected_cost_nanos is None:
            return None
        return self.total_cost_nanos - self.expected_cost_nanos


def _messages(text: str | None) -> tuple[ChatMessage, ...]:
    if not text:
        return ()
    try:
        loaded = json.loads(text)
        return tuple(ChatMessage(str(m.get("role", "user")), str(m.get("content", "")), m.get("name"))
                     for m in loaded if isinstance(m, dict))
    except (ValueError, TypeError, AttributeError):  # an older row holding the plain text
        return (ChatMessage("user", text),)


def run_detail(service: DashboardSource, run_id: str) -> RunDetail | None:
    repository = service.context.repository
    run = repository.get_run(run_id) if repository is not None else None
    if run is None:
        return None
    tokens = (("input", run.input_tokens), ("cached input", run.cached_input_tokens),
              ("cache writes (5 min)", run.cache_write_tokens), ("cache writes (1 h)", run.cache_write_1h_tokens),
              ("output", run.output_tokens), ("of which reasoning", run.reasoning_tokens))
    lines = (CostLine("input", run.input_tokens, run.input_cost_nanos),
             CostLine("cached input", run.cached_input_tokens, run.cached_input_cost_nanos),
             CostLine("cache writes", run.cache_write_tokens + run.cache_write_1h_tokens, run.cache_write_cost_nanos),
             CostLine("output", run.output_tokens, run.output_cost_nanos))
    return RunDetail(
        run=run, messages=_messages(run.prompt_text), answer=run.response_text,
        tokens=tuple((kind, count) for kind, count in tokens if count or kind in ("input", "output")),
        cost_lines=tuple(line for line in lines if line.tokens or line.label in ("input", "output")),
        total_cost_nanos=run.cost_nanos, price_version=run.price_version,
        estimate_input_tokens=run.estimate_input_tokens, actual_input_tokens=run.total_input_tokens,
        estimate_output_tokens=run.estimate_output_tokens, actual_output_tokens=run.output_tokens,
        expected_cost_nanos=run.expected_cost_nanos, duration_ms=run.duration_ms, status=run.status, error=run.error)
