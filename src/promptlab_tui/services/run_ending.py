"""How a run ends: its status, the usage it is billed for, its cost, and the row settled in the history.

Called by the run service (services.runner) after the stream, whatever ended it: a completed answer,
a provider error, a broken stream, a cancel or a Ctrl-C. Money already spent is always recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from promptlab_tui.core.redact import redact_secrets
from promptlab_tui.services.run_types import STATUS_CANCELLED, STATUS_ERROR, STATUS_OK, RunOutcome, RunPlan
from promptlab_tui.services.settlement import Settlement, any_threshold_reached, cost_of, periods_after, settle
from promptlab_tui.services.signals import interrupted_message
from promptlab_tui.services.streaming import StreamProgress, spent_usage

if TYPE_CHECKING:
    from promptlab_tui.core.budget import BudgetSettings, Reservation
    from promptlab_tui.services.runner import RunService


def settle_run(service: RunService, plan: RunPlan, progress: StreamProgress, error: BaseException | None, interrupted: bool,
            duration: float, settings: BudgetSettings | None, reservation: Reservation | None) -> RunOutcome:
    from promptlab_tui.providers.base import Cancelled

    completed = progress.completed
    if error is None and completed is not None:
        status, usage, text = STATUS_OK, completed.usage, completed.text or progress.text
        finish, provider_cost = completed.finish_reason, completed.provider_cost_nanos
    else:
        if error is None:  # the stream ended without its Completed event
            from promptlab_tui.providers.base import StreamBroken

            error = StreamBroken(f"the {plan.provider} stream ended without a result", provider=plan.provider)
        status = STATUS_CANCELLED if interrupted or isinstance(error, Cancelled) else STATUS_ERROR
        reported = getattr(error, "usage", None)
        text = getattr(error, "partial_text", "") or progress.text
        if text and not progress.parts:
            progress.parts.append(text)
        usage = spent_usage(progress, plan.input_tokens, reported,
                            bill_unreported_input=progress.first_event or (interrupted and progress.started))
        finish, provider_cost = None, progress.provider_cost_nanos
    cost = cost_of(plan, usage)
    service.session.settle(plan.run_id, None if cost is None else cost.total_nanos)
    budget_after = periods_after(reservation, plan.worst_case_nanos, cost)
    repository = service.context.repository
    recorded = Settlement()
    if repository is not None:
        message = None if error is None else (interrupted_message(error) if interrupted
                                              else redact_secrets(str(error)))
        # A threshold may be crossed: the alerts are then recorded in the settling transaction.
        recorded = settle(repository, plan.run_id, usage, cost, status, settings,
                          settings is not None and any_threshold_reached(budget_after, settings),
                          wait_s=service.settle_wait_s, response_text=text, error=message,
                          duration_ms=round(duration * 1000), provider_cost_nanos=provider_cost)
        if status == STATUS_OK:
            service.context.forget_hints(plan.price.model if plan.price is not None else plan.prompt.model)
        if recorded.record is not None:
            service.context.remember_periods(settings, budget_after)
            service.context.after_settlement()
    record, alerts = recorded.record, recorded.alerts
    return RunOutcome(plan=plan, status=status, text=text, usage=usage, cost=cost, duration_s=duration,
                      finish_reason=finish, provider_cost_nanos=provider_cost, error=error,
                      budget_after=budget_after, alerts=alerts, session=service.session.status(), record=record,
                      warnings=list(reservation.warnings) if reservation is not None else [],
                      interrupted=interrupted, record_note=recorded.note)
