"""What the run pipeline takes, plans, reports while streaming, and returns (UI-free dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from promptlab_tui.core.types import CostBreakdown, PromptSpec, TokenCount, Usage

if TYPE_CHECKING:
    from promptlab_tui.services.session import SessionStatus

STATUS_OK = "ok"
STATUS_ERROR = "error"
STATUS_CANCELLED = "cancelled"


@dataclass(frozen=True)
class RunOptions:
    """Overrides for one run; None keeps what the prompt file says."""

    model: str | None = None
    provider: str | None = None
    max_tokens: int | None = None
    max_cost_nanos: int | None = None  # per-run cap (`--max-cost`)
    accept_capped: bool = False  # take a run capped to what the budget still covers instead of a refusal
    tier: str = "standard"


@dataclass
class RunPlan:
    """A run checked against every limit and ready to execute: what is sent and what is reserved."""

    run_id: str
    prompt: PromptSpec  # model and max_tokens exactly as sent
    provider: str
    price: Any  # ModelPrice | None (None: no price, cost unknown)
    estimate: Any  # RunEstimate
    input_tokens: TokenCount
    max_tokens: int  # sent to the provider and reserved for
    requested_max_tokens: int
    worst_case_nanos: int | None
    tier: str = "standard"
    budget: Any = None  # budget status before the run (None when tracking is off)
    notes: list[str] = field(default_factory=list)  # warnings shown beside the plan

    @property
    def model(self) -> str:
        return self.prompt.model

    @property
    def capped(self) -> bool:
        return self.max_tokens < self.requested_max_tokens

    @property
    def price_version(self) -> str | None:
        return getattr(self.price, "version", None)


class RunRefused(Exception):
    """A run refused before anything was sent or spent; says why and what can be done."""

    kind = "refused"

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = list(suggestions or [])

    def explain(self) -> str:
        lines = [self.message]
        lines += [f"  - {suggestion}" for suggestion in self.suggestions]
        return "\n".join(lines)


class PromptTooLong(RunRefused):
    """The prompt has more tokens than the budget's max tokens per prompt."""

    kind = "prompt_too_long"

    def __init__(self, tokens: int, limit: int, exact: bool, suggestions: list[str]) -> None:
        approx = "" if exact else "about "
        super().__init__(f"the prompt has {approx}{tokens:,} tokens, over the limit of {limit:,} tokens per prompt",
                         suggestions)
        self.tokens = tokens
        self.limit = limit


class BudgetRefusal(RunRefused):
    """The worst case of the run does not fit in a budget (calendar period, per-run cap or session cap)."""

    kind = "budget"

    def __init__(self, message: str, *, scope: str, spent_nanos: int, reserved_nanos: int, limit_nanos: int,
                 worst_case_nanos: int | None, resets_at: datetime | None = None,
                 capped_max_tokens: int | None = None, capped_plan: RunPlan | None = None,
                 cheaper_model: str | None = None, cheaper_worst_case_nanos: int | None = None,
                 suggestions: list[str] | None = None) -> None:
        super().__init__(message, suggestions)
        self.scope = scope  # "daily" | "weekly" | "monthly" | "run" | "session"
        self.spent_nanos = spent_nanos
        self.reserved_nanos = reserved_nanos
        self.limit_nanos = limit_nanos
        self.worst_case_nanos = worst_case_nanos
        self.resets_at = resets_at
        self.capped_max_tokens = capped_max_tokens
        self.capped_plan = capped_plan  # execute this to accept the capped run
        self.cheaper_model = cheaper_model
        self.cheaper_worst_case_nanos = cheaper_worst_case_nanos

    @property
    def remaining_nanos(self) -> int:
        return max(0, self.limit_nanos - self.spent_nanos - self.reserved_nanos)


@dataclass
class RunOutcome:
    """A finished run as recorded: the cost is what the ledger holds for it."""

    plan: RunPlan
    status: str  # ok | error | cancelled
    text: str
    usage: Usage
    cost: CostBreakdown | None  # None: the model has no price
    duration_s: float
    finish_reason: str | None = None
    provider_cost_nanos: int | None = None  # what the provider itself reported (OpenRouter)
    error: Exception | None = None
    budget_after: Any = None
    alerts: list[Any] = field(default_factory=list)  # threshold alerts raised by this run
    session: SessionStatus | None = None
    recorded: bool = True  # False when tracking is off

    @property
    def run_id(self) -> str:
        return self.plan.run_id

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK

    @property
    def cost_nanos(self) -> int | None:
        return None if self.cost is None else self.cost.total_nanos

    @property
    def expected_nanos(self) -> int | None:
        return getattr(self.plan.estimate, "expected_nanos", None)

    @property
    def estimate_error_pct(self) -> float | None:
        """How far the actual cost is from the expected one, in % of the expected (display only)."""
        expected, actual = self.expected_nanos, self.cost_nanos
        if expected is None or actual is None or expected == 0:
            return None
        return (actual - expected) * 100 / expected

    @property
    def error_message(self) -> str | None:
        return None if self.error is None else str(self.error)


# Events posted to `on_event` while a run executes (in the executing thread: the caller coalesces).
@dataclass(frozen=True)
class RunStarted:
    plan: RunPlan


@dataclass(frozen=True)
class RunTextDelta:
    text: str


@dataclass(frozen=True)
class RunTokens:
    """Output tokens counted locally so far (exact for OpenAI models, approximate otherwise)."""

    output_tokens: int
    exact: bool
    elapsed_s: float


@dataclass(frozen=True)
class RunCompleted:
    outcome: RunOutcome


@dataclass(frozen=True)
class RunFailed:
    outcome: RunOutcome  # status error or cancelled; the spend is recorded all the same


RunEvent = RunStarted | RunTextDelta | RunTokens | RunCompleted | RunFailed
