"""The setup wizard's starting guess from the user's own last 30 days, when there is history to read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

WINDOW_DAYS = 30


@dataclass(frozen=True)
class UsageGuess:
    runs_per_day: int
    model_key: str  # "provider:model", the model with most runs
    tokens_in: int  # mean per run
    tokens_out: int
    days: int  # how many days the guess is drawn from
    cost_per_run_nanos: int  # what a priced run really cost on average (all models, not only the top one)

    def fields(self) -> tuple[str, str, str, str]:
        """The wizard's field values this guess fills in, to know whether the user changed them."""
        return str(self.runs_per_day), self.model_key, str(self.tokens_in), str(self.tokens_out)

    def describe(self, model_label: str) -> str:
        span = f"last {self.days} days" if self.days > 1 else "today"
        return f"From your {span}: {self.runs_per_day:,} runs a day, mostly {model_label}."


def guess_from_groups(groups: list[Any], days: int) -> UsageGuess | None:
    """Mean tokens per run and runs a day (rounded up, never 0) over per-model totals; None with no runs."""
    runs = sum(g.runs for g in groups)
    if runs <= 0 or days <= 0:
        return None
    priced = runs - sum(g.unpriced_runs for g in groups)
    top = max(groups, key=lambda g: (g.runs, g.cost_nanos))
    return UsageGuess(runs_per_day=max(1, -(-runs // days)), model_key=f"{top.provider or ''}:{top.key}",
                      tokens_in=round(sum(g.input_tokens for g in groups) / runs),
                      tokens_out=round(sum(g.output_tokens for g in groups) / runs), days=days,
                      cost_per_run_nanos=sum(g.cost_nanos for g in groups) // max(1, priced))


def recent_usage_guess(ctx: Any, now: datetime) -> UsageGuess | None:
    """Read the per-day totals of the last 30 days (rollup queries: milliseconds at any history size)."""
    try:
        repo = ctx.repository if ctx.tracking else None
        if repo is None or not repo.readable_as_is():
            return None
        start, end = now - timedelta(days=WINDOW_DAYS), now + timedelta(seconds=1)  # a run made this second counts
        by_day = repo.spend_by_day(start, end)
        if not by_day:
            return None
        first = datetime.fromisoformat(min(g.key for g in by_day)).date()
        days = min(WINDOW_DAYS, (now.date() - first).days + 1)
        return guess_from_groups(repo.spend_by_model(start, end), days)
    except Exception:  # a damaged history: the wizard keeps its defaults, the app says why elsewhere
        return None


def wizard_estimate(pricing: Any, guess: UsageGuess | None, model_key: str, runs_per_day: int, tokens_in: int,
                    tokens_out: int, days_per_month: int = 30) -> tuple[int | None, int | None, str]:
    """(monthly spend, recommended budget, basis) for the wizard's fields: the user's own runs at what they
    really cost (whichever models they ran) while the fields are still the guess, else the typed usage priced."""
    from promptlab_tui.core.budget import recommend_first_budget
    from promptlab_tui.services.app_backend import monthly_usage_estimate

    runs = runs_per_day * days_per_month
    if guess is not None and guess.fields() == (str(runs_per_day), model_key, str(tokens_in), str(tokens_out)):
        return (*recommend_first_budget(guess.cost_per_run_nanos, runs), "a month at your runs' actual cost")
    return (*monthly_usage_estimate(pricing, model_key, runs, tokens_in, tokens_out), "a month")
