"""Budgets as pure functions: calendar periods in the user's time zone, thresholds, projections, suggestions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Literal
from zoneinfo import ZoneInfo

from promptlab_tui.core.history import DEFAULT_THRESHOLDS, PERIOD_KINDS
from promptlab_tui.core.money import format_usd
from promptlab_tui.core.periods import (  # noqa: F401  (re-exported: callers import periods from here)
    BudgetSettingsError, day_bounds, format_reset, local_day, local_timezone_name, period_bounds, previous_periods,
    zone)

BudgetMode = Literal["hard", "warn"]
UTC = timezone.utc
_NICE_MANTISSAS = (10, 12, 15, 20, 25, 30, 40, 50, 60, 75, 80, 100)  # x 10^k, for suggested budgets
_MIN_SUGGESTION_NANOS = 10_000_000  # $0.01


@dataclass(frozen=True)
class BudgetSettings:
    """The user's budget; a limit of None means no limit for that period."""

    daily_limit_nanos: int | None = None
    weekly_limit_nanos: int | None = None
    monthly_limit_nanos: int | None = None
    thresholds: tuple[int, ...] = DEFAULT_THRESHOLDS
    mode: BudgetMode = "hard"
    max_tokens_per_prompt: int | None = None
    timezone: str = field(default_factory=local_timezone_name)
    max_cost_per_run_nanos: int | None = None
    max_cost_per_session_nanos: int | None = None

    def __post_init__(self) -> None:
        zone(self.timezone)
        if self.mode not in ("hard", "warn"):
            raise BudgetSettingsError(f"budget mode {self.mode!r}: expected 'hard' or 'warn'")
        for name in ("daily_limit_nanos", "weekly_limit_nanos", "monthly_limit_nanos",
                     "max_cost_per_run_nanos", "max_cost_per_session_nanos", "max_tokens_per_prompt"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise BudgetSettingsError(f"{name.replace('_nanos', '')} is negative: expected 0 or more")
        for threshold in self.thresholds:
            if not 0 < threshold <= 1000:
                raise BudgetSettingsError(f"threshold {threshold}%: expected a percentage from 1 to 1000")

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def limit_for(self, kind: str) -> int | None:
        return getattr(self, f"{kind}_limit_nanos")

    def active_limits(self) -> list[tuple[str, int]]:
        """(period kind, limit) for every calendar period with a limit."""
        return [(kind, limit) for kind in PERIOD_KINDS if (limit := self.limit_for(kind)) is not None]

    @property
    def has_limits(self) -> bool:
        return bool(self.active_limits())


def crossed_thresholds(spent_nanos: int, limit_nanos: int, thresholds: tuple[int, ...] | list[int]) -> list[int]:
    """Thresholds (in %) that `spent` has reached; exact integer arithmetic."""
    if limit_nanos <= 0:
        return sorted(thresholds) if spent_nanos > 0 else []
    return sorted(t for t in thresholds if spent_nanos * 100 >= t * limit_nanos)


def alert_level(threshold: int) -> str:
    """A limit reached is critical; from half of it a warning (75 %, 80 %, 90 %); below that for information."""
    return "critical" if threshold >= 100 else "warning" if threshold >= 50 else "info"


def percent_used(spent_nanos: int, limit_nanos: int) -> float:
    """For display only (bars, colours); decisions use `crossed_thresholds`."""
    if limit_nanos <= 0:
        return 100.0 if spent_nanos > 0 else 0.0
    return spent_nanos * 100 / limit_nanos


def projected_spend(spent_nanos: int, start: datetime, end: datetime, now: datetime) -> int:
    """End-of-period spend if the pace so far continues (linear on elapsed time)."""
    total = (end - start) // timedelta(microseconds=1)
    elapsed = (now - start) // timedelta(microseconds=1)
    if elapsed <= 0 or elapsed >= total:
        return spent_nanos
    return spent_nanos * total // elapsed


def nice_round_up(nanos: int) -> int:
    """The smallest 'round' amount (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 8 x 10^k) >= nanos."""
    if nanos <= _MIN_SUGGESTION_NANOS:
        return _MIN_SUGGESTION_NANOS
    scale = 1
    while 100 * scale < nanos:
        scale *= 10
    for mantissa in _NICE_MANTISSAS:
        if mantissa * scale >= nanos:
            return mantissa * scale
    return 100 * scale


def suggest_budget(past_period_spend: list[int], projected_nanos: int) -> int | None:
    """A limit with 20 % headroom over the busiest recent period or this period's projection."""
    base = max([projected_nanos, *past_period_spend])
    if base <= 0:
        return None
    return nice_round_up(base + base // 5)


def recommend_first_budget(per_run_nanos: int, runs_per_month: int) -> tuple[int, int | None]:
    """(expected monthly spend, recommended monthly limit with 25 % headroom) for a first-run setup."""
    monthly = per_run_nanos * runs_per_month
    return monthly, nice_round_up(monthly + monthly // 4) if monthly else None


def max_tokens_that_fit(remaining_nanos: int, worst_case_for: Callable[[int], int], upper: int) -> int:
    """Largest max_tokens in [0, upper] whose worst case fits in `remaining_nanos` (cost rises with tokens)."""
    if worst_case_for(0) > remaining_nanos:
        return 0
    low, high = 0, upper
    while low < high:
        middle = (low + high + 1) // 2
        if worst_case_for(middle) <= remaining_nanos:
            low = middle
        else:
            high = middle - 1
    return low


@dataclass(frozen=True)
class PeriodStatus:
    """One calendar period of the budget: what is spent, held for running calls, and allowed."""

    kind: str
    start: datetime  # UTC
    end: datetime  # UTC: when the period resets
    spent_nanos: int
    reserved_nanos: int
    limit_nanos: int | None
    unpriced_runs: int = 0
    projected_nanos: int = 0
    suggested_limit_nanos: int | None = None

    @property
    def committed_nanos(self) -> int:
        return self.spent_nanos + self.reserved_nanos

    @property
    def remaining_nanos(self) -> int | None:
        if self.limit_nanos is None:
            return None
        return max(0, self.limit_nanos - self.committed_nanos)

    @property
    def percent(self) -> float:
        return 0.0 if self.limit_nanos is None else percent_used(self.spent_nanos, self.limit_nanos)

    @property
    def resets_at(self) -> datetime:
        return self.end


def tightest(statuses: list[PeriodStatus]) -> PeriodStatus | None:
    """The period closest to its limit (what the budget bar shows)."""
    limited = [s for s in statuses if s.limit_nanos is not None]
    if not limited:
        return None
    return min(limited, key=lambda s: (s.remaining_nanos, -s.percent))


@dataclass(frozen=True)
class Reservation:
    """A run written as pending with its worst case held; `warnings` are set in warn mode."""

    run_id: str
    reserved_nanos: int
    periods: list[PeriodStatus]  # after this reservation
    warnings: list[str] = field(default_factory=list)


def format_amount(nanos: int, beside: int | None | tuple[int | None, ...] = None) -> str:
    """A budget amount (shown against `beside`, its limit) by core.money's one rule."""
    return format_usd(nanos, beside=beside)


class BudgetViolation(Exception):
    """Base of the ledger's refusals."""


class BudgetRefusal(BudgetViolation):
    """Hard mode: the run's worst case does not fit in what is left of a budget (nothing was written)."""

    def __init__(self, *, scope: str, spent_nanos: int, reserved_nanos: int, limit_nanos: int,
                 worst_case_nanos: int | None, resets_at: datetime | None, timezone_name: str = "UTC") -> None:
        self.scope = scope  # "daily" | "weekly" | "monthly" | "run" | "session" | "compare" | "batch"
        self.spent_nanos = spent_nanos
        self.reserved_nanos = reserved_nanos
        self.limit_nanos = limit_nanos
        self.worst_case_nanos = worst_case_nanos
        self.resets_at = resets_at
        self.timezone_name = timezone_name
        super().__init__(self.explain())

    @property
    def remaining_nanos(self) -> int:
        return max(0, self.limit_nanos - self.spent_nanos - self.reserved_nanos)

    @property
    def suggestions(self) -> list[str]:
        flag = {"run": "--max-cost-per-run"}.get(self.scope, f"--{self.scope}")
        items = [f"raise the limit: promptlab budget set {flag} USD"]
        if self.resets_at is not None:
            items.append(f"wait for the reset on {format_reset(self.resets_at, self.timezone_name)}")
        items += ["lower max tokens so the worst case fits", "pick a cheaper model"]
        return items

    def explain(self) -> str:
        worst = ("its model has no price, so its cost is unknown" if self.worst_case_nanos is None
                 else f"this run may cost up to {format_amount(self.worst_case_nanos)}")
        if self.scope == "run":
            return f"{worst}, over the per-run cap of {format_amount(self.limit_nanos)}"
        if self.scope in ("compare", "batch"):  # one cap for a whole set: compare --max-cost, run --max-total-cost
            left = format_amount(self.remaining_nanos, (self.limit_nanos, self.worst_case_nanos))
            cap, before = (("the compare set's cap (--max-cost)", "models") if self.scope == "compare"
                           else ("the batch's --max-total-cost", "files"))
            return f"over {cap} of {format_amount(self.limit_nanos)}: {left} left after the {before} before it; {worst}"
        limit, scale = self.limit_nanos, (self.limit_nanos, self.worst_case_nanos)  # left is read against the worst
        held = f" + {format_amount(self.reserved_nanos, scale)} held by running calls" if self.reserved_nanos else ""
        return (f"{self.scope} budget: spent {format_amount(self.spent_nanos, scale)}{held} of {format_amount(limit)}, "
                f"{format_amount(self.remaining_nanos, scale)} left; {worst}")


class PromptTooLarge(BudgetViolation):
    def __init__(self, input_tokens: int, limit: int) -> None:
        self.input_tokens = input_tokens
        self.limit = limit
        super().__init__(f"the prompt has {input_tokens:,} tokens, over the limit of {limit:,} tokens per prompt")


def check_prompt_tokens(settings: BudgetSettings | None, input_tokens: int) -> PromptTooLarge | None:
    if settings is None or settings.max_tokens_per_prompt is None or input_tokens <= settings.max_tokens_per_prompt:
        return None
    return PromptTooLarge(input_tokens, settings.max_tokens_per_prompt)

