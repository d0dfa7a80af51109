"""The run pipeline: plan against every limit, reserve, stream, checkpoint, settle, alert (UI-free, sync).

    service = RunService()                     # or RunService(tracking=False): nothing recorded
    service.startup_maintenance()              # once at start: settle runs whose process died, apply retention
    plan = service.prepare_run(prompt, RunOptions(max_cost_nanos=...))   # PromptTooLong / BudgetRefused
    outcome = service.execute(plan, on_event, cancel)                    # events: run_types.RunEvent

Usable from the CLI's main thread and from a Textual thread worker (`on_event` is called in the
executing thread; the caller coalesces text deltas). Money already spent is always recorded:
a provider error, a broken stream, a cancel or a Ctrl-C settles the run with what it cost.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from promptlab_tui.core.budget import BudgetRefusal
from promptlab_tui.core.redact import redact_secrets
from promptlab_tui.core.types import PromptSpec
from promptlab_tui.services import planning, team_hook
from promptlab_tui.services.context import ServiceContext, StartupReport
from promptlab_tui.services.pending import pending_run, prompt_text_of  # noqa: F401  (re-exported)
from promptlab_tui.services.run_types import (
    STATUS_CANCELLED, STATUS_ERROR, STATUS_OK, BudgetRefused, RunCompleted, RunFailed, RunOptions, RunOutcome,
    RunPlan, RunStarted)
from promptlab_tui.services.running_cost import with_running_cost
from promptlab_tui.services.session import SessionSpend
from promptlab_tui.services.signals import NoSignals, RunSignals, interrupted_message
from promptlab_tui.services.budget_wait import BudgetWait
from promptlab_tui.services.settlement import (
    SETTLE_WAIT_S, Settlement, any_threshold_reached, best_effort_checkpointer, cost_of, periods_after, settle)
from promptlab_tui.services.streaming import StreamProgress, StreamReader, spent_usage

if TYPE_CHECKING:
    from promptlab_tui.core.budget import BudgetSettings, PeriodStatus, Reservation
    from promptlab_tui.core.history import RunRecord
    from promptlab_tui.providers.base import Provider

EventSink = Callable[[Any], None]
ProviderFactory = Callable[[RunPlan], "Provider"]


def _ignore(_event: Any) -> None:
    return None


class RunService:
    def __init__(self, context: ServiceContext | None = None, *, tracking: bool = True,
                 session: SessionSpend | None = None, session_id: str | None = None,
                 provider_factory: ProviderFactory | None = None, checkpoint_interval: float = 1.0,
                 progress_interval: float = 0.2, settle_wait_s: float = SETTLE_WAIT_S) -> None:
        self.context = context or ServiceContext(tracking=tracking)
        self.session = session or SessionSpend()
        self.session_id = session_id
        self.provider_factory = provider_factory or self._default_provider
        self.checkpoint_interval = checkpoint_interval
        self.progress_interval = progress_interval
        self.settle_wait_s = settle_wait_s  # then the run's usage goes to the journal
        self._providers: dict[tuple[str, str], Provider] = {}
        self._providers_lock = threading.Lock()
        self._team: dict[str, Any] = {}  # the team server's gate, made once when logged in (team_hook)

    @property
    def tracking(self) -> bool:
        return self.context.tracking

    # ---- before ------------------------------------------------------------------------------
    def settle_orphans(self) -> list[RunRecord]:
        """Settle runs left pending by a process that died (status interrupted); once per service."""
        return self.context.settle_orphans()

    def startup_maintenance(self) -> StartupReport:
        """Settle orphans, then apply the config's retention policy; once per context (see ServiceContext)."""
        return self.context.startup_maintenance()

    def prepare_run(self, prompt: PromptSpec, options: RunOptions | None = None) -> RunPlan:
        """The plan to execute, or PromptTooLong / BudgetRefused (with a capped plan when one fits) /
        RunInputError. `options.accept_capped` returns the capped plan instead of refusing."""
        from promptlab_tui.services.choice_plan import build_plan  # auto model, file caps, cache (issue 11)

        return build_plan(self.context, prompt, options or RunOptions(), self.session)

    def budget_status(self) -> list[PeriodStatus]:
        repository, settings = self.context.repository, self.context.budget_settings()
        if repository is None or settings is None:
            return []
        return repository.budget_status(settings)

    # ---- the run -----------------------------------------------------------------------------
    def run(self, prompt: PromptSpec, options: RunOptions | None = None, on_event: EventSink | None = None,
            cancel: threading.Event | None = None) -> RunOutcome:
        return self.execute(self.prepare_run(prompt, options), on_event, cancel)

    def execute(self, plan: RunPlan, on_event: EventSink | None = None, cancel: threading.Event | None = None,
                signals: RunSignals | None = None) -> RunOutcome:
        """Build the provider, reserve, stream, settle.

        Raises only before anything is reserved or sent, leaving no run in the history: the provider
        cannot be made (ProviderError such as MissingApiKey or an unknown provider, ConfigError), a
        refusal, or a budget taken by a concurrent run. Afterwards every ending is an outcome
        (completed, error, cancelled) as recorded.
        """
        on_event = on_event or _ignore
        if plan.link is not None and plan.link.source == "cache":
            from promptlab_tui.services.response_cache import serve

            return serve(self, plan, on_event, periods_after)  # recorded as a $0 run with the cost it saved
        signals = signals or NoSignals()
        provider = self.provider_factory(plan)  # reads the config and the key: a run stopped here left no row
        settings = self.context.budget_settings()
        team = team_hook.reserve(self.context, self._team, plan)  # team server (issue 12); no-op when logged out
        try:
            with signals.deferred():  # a reservation is never left half-made; a signal here stops the run below
                plan, reservation = self._reserve(plan, settings, on_event, cancel, signals)
        except BaseException:
            team_hook.release(team, plan)
            raise
        on_event = with_running_cost(plan, on_event)
        progress = StreamProgress(model=plan.prompt.model)
        started = time.monotonic()
        error: BaseException | None = None
        interrupted = False
        try:
            with signals.armed():
                on_event(RunStarted(plan))
                reader = StreamReader(progress, on_event, self._checkpointer(plan),
                                      checkpoint_interval=self.checkpoint_interval,
                                      progress_interval=self.progress_interval)
                stream = provider.stream(plan.prompt, plan.max_tokens, cancel)
                try:
                    reader.read(stream)
                finally:
                    close = getattr(stream, "close", None)
                    if close is not None:
                        close()  # interrupted between two events: hang up now, the provider bills what it sends
            if cancel is not None and cancel.is_set() and progress.completed is None:
                error = _cancelled(plan)  # stopped by the user, whatever the stream's ending looked like
        except KeyboardInterrupt as caught:  # Ctrl-C: the request may be in flight, so its input is billed
            error, interrupted = caught, True
        except Exception as caught:  # ProviderError, or a bug: the run is settled all the same
            error = caught
            if cancel is not None and cancel.is_set() and _is_provider_error(caught):
                error = _cancelled(plan, caught)  # a cancel that broke the connection is still a cancel
        duration = time.monotonic() - started
        with signals.deferred():  # a second Ctrl-C (or SIGTERM) cannot leave the run pending
            outcome = self._settle(plan, progress, error, interrupted, duration, settings, reservation)
            outcome.signal_number = signals.received[0] if signals.received else None
        if reservation is not None and (plan.link is not None or plan.selection is not None
                                        or (plan.options is not None and plan.options.cache)):
            from promptlab_tui.services.linking import record_plan_link
            from promptlab_tui.services.response_cache import remember

            record_plan_link(self.context, plan)  # its source and the runs it belongs with (issue 11)
            if plan.options is not None and plan.options.cache:
                remember(self.context, outcome)  # the response cache (opt-in)
        outcome.warnings.extend(team_hook.settle(team, plan))  # team server (issue 12): offline policy notes
        on_event(RunCompleted(outcome) if outcome.ok else RunFailed(outcome))
        if error is not None and not interrupted and not _is_provider_error(error):
            raise error
        return outcome

    # ---- steps -------------------------------------------------------------------------------
    def _default_provider(self, plan: RunPlan) -> Provider:
        """One provider (and SDK client, ~30 ms to make) per model and provider for the service's life."""
        from promptlab_tui.providers.registry import provider_for

        proxied = team_hook.proxy_provider(self.context, self._team, plan)  # team proxy mode (issue 12)
        if proxied is not None:
            return proxied
        key = (plan.prompt.model, plan.provider)
        with self._providers_lock:
            if key not in self._providers:
                self._providers[key] = provider_for(plan.prompt.model, plan.provider, self.context.config)
            return self._providers[key]

    def _reserve(self, plan: RunPlan, settings: BudgetSettings | None, on_event: EventSink = _ignore,
                 cancel: threading.Event | None = None,
                 signals: RunSignals | None = None) -> tuple[RunPlan, Reservation | None]:
        """Hold the worst case in the session and the ledger (atomically across processes).

        A refusal here means a concurrent run took the room since the plan was made: the refusal is
        re-made with the current numbers, and an accepted capped run is tried once more.
        """
        for attempt in (1, 2):
            try:
                return plan, self._reserve_once(plan, settings, on_event, cancel, signals)
            except BudgetRefused as refusal:
                if attempt == 2 or refusal.capped_plan is None or not (plan.options and plan.options.accept_capped):
                    raise
                plan = refusal.capped_plan
        raise AssertionError("unreachable")

    def _reserve_once(self, plan: RunPlan, settings: BudgetSettings | None, on_event: EventSink = _ignore,
                      cancel: threading.Event | None = None, signals: RunSignals | None = None) -> Reservation | None:
        worst = plan.worst_case_nanos
        session_cap = planning.session_limit(settings, self.session)
        if not self.session.try_reserve(plan.run_id, worst, session_cap):
            status = self.session.status()
            self._refuse(plan, planning.Limit(self.session.scope, session_cap or 0, status.spent_nanos,
                                              status.reserved_nanos), settings)
        repository = self.context.repository
        if repository is None:
            return None
        waiting = BudgetWait(repository, settings, self._wait_budget_s(plan), on_event, cancel, signals)
        while True:
            try:
                return repository.reserve_run(pending_run(plan, self.session_id), settings)
            except BudgetRefusal as refusal:
                if waiting.wait_for_room(refusal):  # refused only for runs in flight: they settle, then retry
                    continue
                self.session.release(plan.run_id)
                waiting.raise_if_stopped(plan.provider)  # Ctrl-C or a cancel while waiting: nothing reserved
                self._refuse(plan, planning.Limit(refusal.scope, refusal.limit_nanos, refusal.spent_nanos,
                                                  refusal.reserved_nanos, refusal.resets_at), settings)
            except BaseException:
                self.session.release(plan.run_id)
                raise

    def _wait_budget_s(self, plan: RunPlan) -> float:
        asked = plan.options.wait_budget_s if plan.options is not None else None
        return planning.wait_budget_seconds(self.context, asked)

    def _refuse(self, plan: RunPlan, limit: planning.Limit, settings: BudgetSettings | None) -> None:
        """Raise BudgetRefused for `limit` with the numbers of now, offering a run capped to what fits now."""
        self.session.release(plan.run_id)
        worst_for = planning.worst_case_function(plan.price, planning.reserve_input_tokens(plan.input_tokens),
                                                 plan.tier) or (lambda _tokens: 0)
        refusing = dataclasses.replace(plan, options=dataclasses.replace(plan.options or RunOptions(),
                                                                         accept_capped=False))
        try:
            planning.fit_to_limits(self.context, refusing, [limit], worst_for, settings)
        except BudgetRefused as refusal:
            if refusal.capped_plan is not None:
                refusal.capped_plan.options = plan.options
            raise
        # Only an unpriced run (nothing to reserve) over an already exhausted budget gets here.
        raise BudgetRefused(scope=limit.scope, spent_nanos=limit.spent_nanos, reserved_nanos=limit.reserved_nanos,
                            limit_nanos=limit.limit_nanos, worst_case_nanos=plan.worst_case_nanos or 0,
                            resets_at=limit.resets_at,
                            timezone_name=settings.timezone if settings is not None else "UTC")

    def _checkpointer(self, plan: RunPlan) -> Callable[..., None] | None:
        repository = self.context.repository
        if repository is None:
            return None
        return best_effort_checkpointer(repository, plan.run_id)

    def _settle(self, plan: RunPlan, progress: StreamProgress, error: BaseException | None, interrupted: bool,
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
        self.session.settle(plan.run_id, None if cost is None else cost.total_nanos)
        budget_after = periods_after(reservation, plan.worst_case_nanos, cost)
        repository = self.context.repository
        recorded = Settlement()
        if repository is not None:
            message = None if error is None else (interrupted_message(error) if interrupted
                                                  else redact_secrets(str(error)))
            # A threshold may be crossed: the alerts are then recorded in the settling transaction.
            recorded = settle(repository, plan.run_id, usage, cost, status, settings,
                              settings is not None and any_threshold_reached(budget_after, settings),
                              wait_s=self.settle_wait_s, response_text=text, error=message,
                              duration_ms=round(duration * 1000), provider_cost_nanos=provider_cost)
            if status == STATUS_OK:
                self.context.forget_hints(plan.price.model if plan.price is not None else plan.prompt.model)
            if recorded.record is not None:
                self.context.remember_periods(settings, budget_after)
                self.context.after_settlement()
        record, alerts = recorded.record, recorded.alerts
        return RunOutcome(plan=plan, status=status, text=text, usage=usage, cost=cost, duration_s=duration,
                          finish_reason=finish, provider_cost_nanos=provider_cost, error=error,
                          budget_after=budget_after, alerts=alerts, session=self.session.status(), record=record,
                          warnings=list(reservation.warnings) if reservation is not None else [],
                          interrupted=interrupted, record_note=recorded.note)

def _cancelled(plan: RunPlan, cause: BaseException | None = None) -> BaseException:
    from promptlab_tui.providers.base import Cancelled

    if isinstance(cause, Cancelled):
        return cause
    return Cancelled("Run cancelled.", provider=plan.provider, partial_text=getattr(cause, "partial_text", ""),
                     partial_usage=getattr(cause, "usage", None))


def _is_provider_error(error: BaseException) -> bool:
    from promptlab_tui.providers.base import ProviderError

    return isinstance(error, ProviderError)
