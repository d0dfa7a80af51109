"""Plain view models the widgets render: built from core objects by the services, owned by the UI's handlers.

Widgets only ever see these, so a change in a core API touches one adapter, not every pane.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from promptlab_tui.core.money import format_usd
from promptlab_tui.services.model_choice import ModelChoice  # noqa: F401  (re-exported: one import for all views)


@dataclass(frozen=True)
class BudgetView:
    """The tightest active budget period, as the budget bar and dialogs show it."""

    period: str  # "daily" | "weekly" | "monthly"
    spent_nanos: int
    limit_nanos: int
    reserved_nanos: int = 0
    mode: str = "hard"
    thresholds: tuple[int, ...] = (75, 90, 100)
    projected_nanos: int | None = None
    suggested_nanos: int | None = None
    resets: str | None = None  # e.g. "resets Jun 1"
    unpriced_runs: int = 0

    @property
    def percent(self) -> int:
        if self.limit_nanos <= 0:
            return 100
        return int((self.spent_nanos + self.reserved_nanos) * 100 // self.limit_nanos)

    @property
    def remaining_nanos(self) -> int:
        return self.limit_nanos - self.spent_nanos - self.reserved_nanos

    @property
    def level(self) -> str:
        """ok / warning / critical / over, from the configured thresholds."""
        crossed = [t for t in self.thresholds if self.percent >= t]
        if self.percent >= 100:
            return "over"
        if not crossed:
            return "ok"
        return "critical" if len(crossed) >= 2 else "warning"


@dataclass(frozen=True)
class AlertView:
    alert_id: int | str
    level: str  # info / warning / critical
    message: str
    period: str = ""
    created: str = ""
    short: str = ""  # one line for the banner; `message` has the details
    period_start: str = ""  # ISO UTC instant the alert's period starts at (the dashboard opens on it)


@dataclass(frozen=True)
class PreviewView:
    """Everything the preview pane shows about the next run."""

    model: str
    provider: str
    input_tokens: int
    exact: bool
    note: str | None
    expected_output: int
    p90_output: int | None
    max_output: int
    expected_nanos: int | None
    worst_nanos: int | None
    price_version: str | None = None
    history_based: bool = False
    tips: tuple[str, ...] = field(default_factory=tuple)
    parts: tuple[str, ...] = field(default_factory=tuple)  # each tool / image with its tokens
    duration: Any = None  # core.duration.DurationEstimate, or None without history
    online: str | None = None  # the provider's count: "exact (Anthropic count_tokens)" or why not
    choice: str | None = None  # model "auto": what was picked and why (the run picks the same)
    fallback: tuple[str, ...] = ()  # the prompt file's fallback chain, the model above first
    cached_from: str | None = None  # the run whose stored answer the next run would be served from ($0)
    cache_saves_nanos: int | None = None  # what that answer cost: what serving it saves

    @property
    def input_label(self) -> str:
        return f"{self.input_tokens:,}" if self.exact else f"≈ {self.input_tokens:,}"


@dataclass(frozen=True)
class RunOutcomeView:
    """What the results pane shows after a run settles."""

    status: str  # "completed" | "cancelled" | "failed"
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    input_nanos: int | None
    output_nanos: int | None
    cached_nanos: int | None
    total_nanos: int | None
    estimate_nanos: int | None
    duration_s: float
    usage_estimated: bool = False
    message: str | None = None

    @property
    def error_percent(self) -> str:
        if self.total_nanos is None or not self.estimate_nanos:
            return "n/a"
        diff = (self.total_nanos - self.estimate_nanos) * 100 / self.estimate_nanos
        return f"{diff:+.0f}%"

    def cost(self, nanos: int | None) -> str:
        return format_usd(nanos)


@dataclass(frozen=True)
class BudgetSettingsView:
    """The budget as the adjust dialog and the setup wizard edit it; None limits are not set."""

    daily_nanos: int | None = None
    weekly_nanos: int | None = None
    monthly_nanos: int | None = None
    thresholds: tuple[int, ...] = (75, 90, 100)
    mode: str = "hard"
    max_tokens_per_prompt: int | None = None

    @property
    def any_limit(self) -> bool:
        return any(v is not None for v in (self.daily_nanos, self.weekly_nanos, self.monthly_nanos))


@dataclass(frozen=True)
class RefusalView:
    """A hard-mode refusal with its numbers and what the user can do instead."""

    message: str
    scope: str
    spent_nanos: int
    reserved_nanos: int
    limit_nanos: int
    worst_case_nanos: int | None
    resets: str | None = None
    capped_max_tokens: int | None = None
    cheaper_model: str | None = None
    cheaper_worst_case_nanos: int | None = None
    cheaper_provider: str | None = None
    cheaper_label: str | None = None

    @property
    def cheaper_key(self) -> str | None:
        """What the Lab's picker selects: 'provider:model' (or the bare model when the provider is unknown)."""
        if not self.cheaper_model:
            return None
        return f"{self.cheaper_provider}:{self.cheaper_model}" if self.cheaper_provider else self.cheaper_model
    suggestions: tuple[str, ...] = ()
    # Set when the team server was unreachable and the team's offline policy refused (issue 12): why, in short.
    offline_reason: str | None = None

    @property
    def remaining_nanos(self) -> int:
        return max(0, self.limit_nanos - self.spent_nanos - self.reserved_nanos)


@dataclass(frozen=True)
class TooLongView:
    tokens: int
    limit: int
    exact: bool
    suggestions: tuple[str, ...] = ()
    kind: str = "budget"  # "budget": the budget's max tokens per prompt; "context": the model's context window
    model: str = ""
