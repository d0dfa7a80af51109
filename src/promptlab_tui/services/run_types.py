"""What the run pipeline takes, plans, reports while streaming, and returns (UI-free dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from promptlab_tui.core.budget import BudgetRefusal, BudgetViolation, PromptTooLarge, format_reset
from promptlab_tui.core.money import format_usd
from promptlab_tui.core.types import CostBreakdown, PromptSpec, TokenCount, Usage

if TYPE_CHECKING:
    from promptlab_tui.services.session import SessionStatus

STATUS_OK = "completed"
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
    quality: str | None = None  # with model "auto": the least quality tier (`--quality`)
    link: Any = None  # services.linking.LinkInfo: recorded beside the run (batch, compare, fallback, ...)
    cache: bool | None = None  # serve an identical request from the history; None: the file's, else the config's
    wait_budget_s: float | None = None  # `--wait-budget`: None takes the config's `wait_budget_seconds`
    tags: tuple[str, ...] = ()  # added to the prompt's own tags (`promptlab run --tag T`)
    source: str | None = None  # where the run came from: lab, run, compare, batch, fallback, cache, optimise (core.history.RUN_SOURCES)


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
    budget: Any = None  # list[PeriodStatus] before the run ([] without limits or tracking)
    notes: list[str] = field(default_factory=list)  # warnings shown beside the plan
    options: RunOptions | None = None
    selection: Any = None  # core.selection.Selection when the model was picked by "auto"
    link: Any = None  # services.linking.LinkInfo: the fallback chain, comparison or batch this run belongs to

    @property
    def model(self) -> str:
        return self.prompt.model

    @property
    def capped(self) -> bool:
        return self.max_tokens < self.requested_max_tokens

    @property
    def price_version(self) -> str | None:
        return getattr(self.price, "version", None)


class RunInputError(ValueError):
    """The run cannot be made as asked (no model, max tokens < 1, empty prompt): bad input, nothing sent."""


class UnpricedModelRefused(BudgetViolation):
    """Hard mode: a model without a price could not be counted against the budget (nothing sent or written)."""

    def __init__(self, model: str, provider: str, pricing_file: str) -> None:
        self.model = model
        self.provider = provider
        self.pricing_file = pricing_file
        super().__init__(f"{model} at {provider} has no price, so hard mode cannot count it against the budget")

    @property
    def suggestions(self) -> list[str]:
        return [f"add its price to {self.pricing_file}: [models.{self.provider}.\"{self.model}\"] with a "
                f"[[models.{self.provider}.\"{self.model}\".price]] entry (input, output: USD per million tokens)",
                "or set allow_unpriced_models = true in config.toml to run models without a price uncounted",
                "or pick a priced model"]

    def explain_all(self) -> str:
        return "\n".join([str(self), *(f"  - {s}" for s in self.suggestions)])


class PromptTooLong(PromptTooLarge):
    """The prompt has more tokens than the budget's max tokens per prompt; says what can be done."""

    def __init__(self, input_tokens: int, limit: int, exact: bool = True) -> None:
        super().__init__(input_tokens, limit)
        self.exact = exact

    kind = "budget"  # the budget's max tokens per prompt (the user can raise it)

    @property
    def suggestions(self) -> list[str]:
        return [f"shorten the prompt by at least {self.input_tokens - self.limit:,} tokens",
                f"raise the limit: promptlab budget set --max-tokens-per-prompt {self.input_tokens}"]


class ContextWindowExceeded(PromptTooLong):
    """The prompt has more tokens than the model's context window: the provider would refuse it (nothing sent)."""

    kind = "context"

    def __init__(self, input_tokens: int, window: int, exact: bool, model_name: str) -> None:
        super().__init__(input_tokens, window, exact)
        self.model_name = model_name
        about = "" if exact else "about "
        self.args = (f"the prompt has {about}{input_tokens:,} tokens, more than {model_name}'s context window "
                     f"of {window:,} tokens",)

    @property
    def suggestions(self) -> list[str]:
        return [f"shorten the prompt by at least {self.input_tokens - self.limit:,} tokens",
                "or pick a model with a larger context window"]


class BudgetRefused(BudgetRefusal):
    """The ledger's refusal with what the run service can offer instead: a capped run, a cheaper model.

    Scopes: "daily" | "weekly" | "monthly" (calendar budgets), "run" (per-run cap), "session" (session cap),
    "compare" (compare --max-cost: the whole set's cap), "batch" (run --max-total-cost).
    """

    def __init__(self, *, capped_max_tokens: int | None = None, capped_plan: RunPlan | None = None,
                 cheaper_model: str | None = None, cheaper_worst_case_nanos: int | None = None,
                 cheaper_provider: str | None = None, cheaper_label: str | None = None,
                 **numbers: Any) -> None:
        self.capped_max_tokens = capped_max_tokens
        self.capped_plan = capped_plan  # execute this to accept the capped run
        self.cheaper_model = cheaper_model
        self.cheaper_provider = cheaper_provider  # a provider with a key: the offer can be taken
        self.cheaper_label = cheaper_label  # unambiguous among same-named models: 'Llama 3.1 8B (Together)'
        self.cheaper_worst_case_nanos = cheaper_worst_case_nanos
        super().__init__(**numbers)

    @classmethod
    def from_refusal(cls, refusal: BudgetRefusal, **offers: Any) -> "BudgetRefused":
        return cls(scope=refusal.scope, spent_nanos=refusal.spent_nanos, reserved_nanos=refusal.reserved_nanos,
                   limit_nanos=refusal.limit_nanos, worst_case_nanos=refusal.worst_case_nanos,
                   resets_at=refusal.resets_at, timezone_name=refusal.timezone_name, **offers)

    @property
    def suggestions(self) -> list[str]:
        if self.scope == "run":
            items = ["raise the per-run cap (--max-cost USD, or promptlab budget set --max-cost-per-run USD)"]
        elif self.scope == "compare":
            items = ["raise the compare set's cap (--max-cost USD on compare), or compare fewer models"]
        elif self.scope == "batch":
            items = ["raise --max-total-cost USD, or run fewer files"]
        elif self.scope == "session":
            items = ["raise the session cap (--max-session-cost USD, or promptlab budget set --max-cost-per-session "
                     "USD), or start a new session"]
        else:
            items = [f"raise the limit: promptlab budget set --{self.scope} USD"]
        if self.resets_at is not None and self.scope not in ("run", "session", "compare", "batch"):
            items.append(f"wait for the reset on {format_reset(self.resets_at, self.timezone_name)}")
        if self.capped_max_tokens:
            items.append(f"lower max tokens to {self.capped_max_tokens:,} (--max-tokens "
                         f"{self.capped_max_tokens}, or --capped to accept the capped run)")
        else:
            items.append("lower max tokens so the worst case fits")
        if self.cheaper_model:
            cost = (f" (worst case {format_usd(self.cheaper_worst_case_nanos)})"
                    if self.cheaper_worst_case_nanos is not None else "")
            at = f" --provider {self.cheaper_provider}" if self.cheaper_provider else ""
            items.append(f"pick a cheaper model: {self.cheaper_model}{cost} (--model {self.cheaper_model}{at})")
        else:
            items.append("pick a cheaper model")
        return items

    def explain_all(self) -> str:
        return "\n".join([self.explain(), *(f"  - {s}" for s in self.suggestions)])


@dataclass
class RunOutcome:
    """A finished run as recorded: the cost is what the ledger holds for it."""

    plan: RunPlan
    status: str  # completed | error | cancelled (the ledger's words)
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
    record: Any = None  # the history row as settled (RunRecord); None when tracking is off
    warnings: list[str] = field(default_factory=list)  # warn-mode budget notes from the reservation
    interrupted: bool = False  # ended by Ctrl-C (KeyboardInterrupt) rather than a cancel event
    record_note: str | None = None  # the database could not be written: where the run's usage went instead
    signal_number: int | None = None  # Ctrl-C, SIGTERM or SIGHUP received during the run (the CLI exits 128+N)

    @property
    def recorded(self) -> bool:
        return self.record is not None

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
        if not self.ok or expected is None or actual is None or expected == 0:  # a cut-off run says nothing
            return None
        return (actual - expected) * 100 / expected

    @property
    def error_message(self) -> str | None:
        from promptlab_tui.core.redact import redact_secrets

        return None if self.error is None else redact_secrets(str(self.error))


# Events posted to `on_event` while a run executes (in the executing thread: the caller coalesces).
@dataclass(frozen=True)
class RunStarted:
    plan: RunPlan


@dataclass(frozen=True)
class RunWaiting:
    """Refused only because `runs` other runs hold their worst case: waiting for them to settle."""

    runs: int
    scope: str  # the budget period: daily | weekly | monthly
    seconds_left: float

    @property
    def short(self) -> str:
        return f"waiting for {self.runs} run{'s' if self.runs != 1 else ''} to settle"

    @property
    def message(self) -> str:
        return f"{self.short} ({self.scope} budget; up to {self.seconds_left:.0f} s more)"


@dataclass(frozen=True)
class RunTextDelta:
    text: str


@dataclass(frozen=True)
class RunTokens:
    """Output tokens counted locally so far (exact for OpenAI models, approximate otherwise)."""

    output_tokens: int
    exact: bool
    elapsed_s: float
    cost_nanos: int | None = None  # the run's cost so far (input in full, output to here); None: no price


@dataclass(frozen=True)
class RunCompleted:
    outcome: RunOutcome


@dataclass(frozen=True)
class RunFailed:
    outcome: RunOutcome  # status error or cancelled; the spend is recorded all the same


RunEvent = RunWaiting | RunStarted | RunTextDelta | RunTokens | RunCompleted | RunFailed
