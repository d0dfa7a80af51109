"""The money limits a run must fit in (the per-run cap, the session's, the calendar budgets in hard mode),
the warn-mode notes, and the cheaper model a refusal offers. Used by services.planning and the reservation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from promptlab_tui.core.money import format_usd
from promptlab_tui.services.model_choice import model_label

if TYPE_CHECKING:
    from promptlab_tui.core.budget import BudgetSettings, PeriodStatus
    from promptlab_tui.services.context import ServiceContext
    from promptlab_tui.services.run_types import RunOptions, RunPlan
    from promptlab_tui.services.session import SessionSpend


@dataclass(frozen=True)
class Limit:
    """One money limit a run must fit in: a calendar period, the per-run cap or the session cap."""

    scope: str  # daily | weekly | monthly | run | session | compare | batch
    limit_nanos: int
    spent_nanos: int = 0
    reserved_nanos: int = 0
    resets_at: datetime | None = None

    @property
    def remaining_nanos(self) -> int:
        return max(0, self.limit_nanos - self.spent_nanos - self.reserved_nanos)


def money_limits(settings: BudgetSettings | None, statuses: list[PeriodStatus], session: SessionSpend | None,
                 options: RunOptions, waiting: bool = False) -> list[Limit]:
    """Every limit that refuses (rather than warns): the options' caps always, the budget's in hard mode.

    `waiting`: the calendar limits leave out what runs in flight hold (the reservation waits for them)."""
    limits: list[Limit] = []
    hard = settings is not None and settings.mode == "hard"
    run_cap = options.max_cost_nanos
    if run_cap is None and hard:
        run_cap = settings.max_cost_per_run_nanos
    if run_cap is not None:
        limits.append(Limit("run", run_cap))
    if session is not None:
        session_cap = session_limit(settings, session)
        if session_cap is not None:
            status = session.status()
            limits.append(Limit(getattr(session, "scope", "session"), session_cap, status.spent_nanos,
                                status.reserved_nanos))
    if hard:
        limits += [Limit(s.kind, s.limit_nanos, s.spent_nanos, 0 if waiting else s.reserved_nanos, s.end)
                   for s in statuses if s.limit_nanos is not None]
    return limits


def session_limit(settings: BudgetSettings | None, session: SessionSpend) -> int | None:
    """The session's own cap (--max-session-cost, the Lab's field), else the budget's in hard mode."""
    if session.limit_nanos is not None:
        return session.limit_nanos
    if settings is not None and settings.mode == "hard":
        return settings.max_cost_per_session_nanos
    return None


def warn_notes(settings: BudgetSettings | None, statuses: list[PeriodStatus], worst: int | None) -> list[str]:
    if settings is None or settings.mode != "warn" or worst is None:
        return []
    return [f"over the {s.kind} budget (warn mode): {format_usd(s.committed_nanos, beside=s.limit_nanos)} committed of "
            f"{format_usd(s.limit_nanos)}, this run may cost up to {format_usd(worst)}"
            for s in statuses if s.limit_nanos is not None and s.committed_nanos + worst > s.limit_nanos]


def cheaper_model(ctx: ServiceContext, plan: RunPlan, room_nanos: int) -> dict[str, Any]:
    """A priced model the user can run (its provider has a key) whose worst case at the same max tokens fits:
    the same provider's strongest first. As BudgetRefused's cheaper_* fields ({} when there is none)."""
    from promptlab_tui.core.estimate import compare_models
    from promptlab_tui.providers.registry import can_run

    try:
        estimates = compare_models(plan.prompt, ctx.pricing)
    except Exception:  # a suggestion must never turn a refusal into a crash
        return {}
    fitting = []
    runnable: dict[str, bool] = {}
    for estimate in estimates:
        worst = estimate.worst_case_nanos
        provider = getattr(estimate, "provider", None)
        if worst is None or worst > room_nanos:
            continue
        price = ctx.pricing.resolve(estimate.model, provider)  # the estimate names the API id; offer the table's name
        model = price.model if price is not None else estimate.model
        if (model, provider) == (plan.price.model, plan.provider):
            continue
        if worst == 0 and provider != plan.provider:
            continue  # a free local model is no suggestion for someone who runs a hosted one
        if provider not in runnable:
            runnable[provider] = provider is not None and can_run(provider, ctx.config)
        if not runnable[provider]:
            continue  # "No API key for together" is no way out of a refusal
        name = (price.display_name if price is not None else None) or model
        fitting.append((provider != plan.provider, -worst, model, provider, worst, name))
    if not fitting:
        return {}
    _, _, model, provider, worst, name = min(fitting)
    return {"cheaper_model": model, "cheaper_provider": provider, "cheaper_worst_case_nanos": worst,
            "cheaper_label": model_label(name, provider)}
