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

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from promptlab_tui.core.types import PromptSpec
from promptlab_tui.services import team_hook
from promptlab_tui.services.context import ServiceContext, StartupReport
from promptlab_tui.services.pending import pending_run, prompt_text_of  # noqa: F401  (re-exported)
from promptlab_tui.services.reservation import reserve
from promptlab_tui.services.run_ending import settle_run
from promptlab_tui.services.run_types import RunCompleted, RunFailed, RunOptions, RunOutcome, RunPlan, RunStarted
from promptlab_tui.services.running_cost import with_running_cost
from promptlab_tui.services.session import SessionSpend
from promptlab_tui.services.settlement import SETTLE_WAIT_S, best_effort_checkpointer, periods_after
from promptlab_tui.services.signals import NoSignals, RunSignals
from promptlab_tui.services.streaming import StreamProgress, StreamReader

if TYPE_CHECKING:
    from promptlab_tui.core.budget import PeriodStatus
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
                plan, reservation = reserve(self, plan, settings, on_event, cancel, signals)
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
            outcome = settle_run(self, plan, progress, error, interrupted, duration, settings, reservation)
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

    def _checkpointer(self, plan: RunPlan) -> Callable[..., None] | None:
        repository = self.context.repository
        if repository is None:
            return None
        return best_effort_checkpointer(repository, plan.run_id)

def _cancelled(plan: RunPlan, cause: BaseException | None = None) -> BaseException:
    from promptlab_tui.providers.base import Cancelled

    if isinstance(cause, Cancelled):
        return cause
    return Cancelled("Run cancelled.", provider=plan.provider, partial_text=getattr(cause, "partial_text", ""),
                     partial_usage=getattr(cause, "usage", None))


def _is_provider_error(error: BaseException) -> bool:
    from promptlab_tui.providers.base import ProviderError

    return isinstance(error, ProviderError)
