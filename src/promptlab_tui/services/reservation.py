"""Holding a run's worst case before its call: in the session (in memory) and in the ledger (atomically
across processes), waiting for runs in flight when only they stand in the way (services.budget_wait).

A refusal here means a concurrent run took the room since the plan was made: the refusal is re-made with
the numbers of now (offering a run capped to what fits now), and an accepted capped run is tried once more.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import TYPE_CHECKING, Any, Callable

from promptlab_tui.core.budget import BudgetRefusal
from promptlab_tui.services import planning
from promptlab_tui.services.budget_wait import BudgetWait
from promptlab_tui.services.pending import pending_run
from promptlab_tui.services.run_types import BudgetRefused, RunOptions, RunPlan

if TYPE_CHECKING:
    from promptlab_tui.core.budget import BudgetSettings, Reservation
    from promptlab_tui.services.runner import RunService
    from promptlab_tui.services.signals import RunSignals


def _ignore(_event: Any) -> None:
    return None


def reserve(service: RunService, plan: RunPlan, settings: BudgetSettings | None,
            on_event: Callable[[Any], None] = _ignore, cancel: threading.Event | None = None,
            signals: RunSignals | None = None) -> tuple[RunPlan, Reservation | None]:
    """Hold the worst case in the session and the ledger (atomically across processes).

    A refusal here means a concurrent run took the room since the plan was made: the refusal is
    re-made with the current numbers, and an accepted capped run is tried once more.
    """
    for attempt in (1, 2):
        try:
            return plan, _reserve_once(service, plan, settings, on_event, cancel, signals)
        except BudgetRefused as refusal:
            if attempt == 2 or refusal.capped_plan is None or not (plan.options and plan.options.accept_capped):
                raise
            plan = refusal.capped_plan
    raise AssertionError("unreachable")


def _reserve_once(service: RunService, plan: RunPlan, settings: BudgetSettings | None,
                  on_event: Callable[[Any], None] = _ignore, cancel: threading.Event | None = None,
                  signals: RunSignals | None = None) -> Reservation | None:
    worst = plan.worst_case_nanos
    session_cap = planning.session_limit(settings, service.session)
    if not service.session.try_reserve(plan.run_id, worst, session_cap):
        status = service.session.status()
        _refuse(service, plan, planning.Limit(service.session.scope, session_cap or 0, status.spent_nanos,
                                              status.reserved_nanos), settings)
    repository = service.context.repository
    if repository is None:
        return None
    waiting = BudgetWait(repository, settings, _wait_budget_s(service, plan), on_event, cancel, signals)
    while True:
        try:
            return repository.reserve_run(pending_run(plan, service.session_id), settings)
        except BudgetRefusal as refusal:
            if waiting.wait_for_room(refusal):  # refused only for runs in flight: they settle, then retry
                continue
            service.session.release(plan.run_id)
            waiting.raise_if_stopped(plan.provider)  # Ctrl-C or a cancel while waiting: nothing reserved
            _refuse(service, plan, planning.Limit(refusal.scope, refusal.limit_nanos, refusal.spent_nanos,
                                                  refusal.reserved_nanos, refusal.resets_at), settings)
        except BaseException:
            service.session.release(plan.run_id)
            raise


def _wait_budget_s(service: RunService, plan: RunPlan) -> float:
    asked = plan.options.wait_budget_s if plan.options is not None else None
    return planning.wait_budget_seconds(service.context, asked)


def _refuse(service: RunService, plan: RunPlan, limit: planning.Limit, settings: BudgetSettings | None) -> None:
    """Raise BudgetRefused for `limit` with the numbers of now, offering a run capped to what fits now."""
    service.session.release(plan.run_id)
    worst_for = planning.worst_case_function(plan.price, planning.reserve_input_tokens(plan.input_tokens),
                                             plan.tier) or (lambda _tokens: 0)
    refusing = dataclasses.replace(plan, options=dataclasses.replace(plan.options or RunOptions(),
                                                                     accept_capped=False))
    try:
        planning.fit_to_limits(service.context, refusing, [limit], worst_for, settings)
    except BudgetRefused as refusal:
        if refusal.capped_plan is not None:
            refusal.capped_plan.options = plan.options
        raise
    # Only an unpriced run (nothing to reserve) over an already exhausted budget gets here.
    raise BudgetRefused(scope=limit.scope, spent_nanos=limit.spent_nanos, reserved_nanos=limit.reserved_nanos,
                        limit_nanos=limit.limit_nanos, worst_case_nanos=plan.worst_case_nanos or 0,
                        resets_at=limit.resets_at,
                        timezone_name=settings.timezone if settings is not None else "UTC")
