"""Drives one run from the Lab through the run pipeline (worker side); tells a RunSink what happens.

Refusals (budget, prompt too long, missing key, bad input) are found before anything is sent or
reserved; once the run is reserved, every ending (done, cancelled, failed) is settled by the runner.
The sink is the UI's: the Lab's turns each call into a Textual message, so this module stays Textual-free.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from promptlab_tui.services.editor_values import EditorValues
from promptlab_tui.services.lab_request import prompt_and_options
from promptlab_tui.services.views import AlertView, RefusalView, RunOutcomeView, TooLongView

STATUS_LABELS = {"completed": "completed", "cancelled": "cancelled"}


class RunSink(Protocol):
    """What a run tells the UI, in order: reserved?, streamed/tokens*, then finished or not_started (once)."""

    def reserved(self) -> None: ...

    def waiting(self, message: str) -> None: ...  # refused only for runs in flight: waiting for them

    def streamed(self, text: str) -> None: ...

    def attempt_failed(self, message: str) -> None: ...  # a fallback chain's attempt failed: the next is tried

    def tokens(self, output_tokens: int, exact: bool, cost_nanos: int | None = None) -> None: ...

    def finished(self, outcome: RunOutcomeView, alerts: list[AlertView]) -> None: ...

    def not_started(self, message: str, refusal: RefusalView | None = None,
                    too_long: TooLongView | None = None) -> None: ...


def _offline_fields(refusal: Any) -> dict[str, Any]:
    """A team offline refusal says why and what can help; a budget's dialog offers its own actions."""
    reason = getattr(refusal, "offline_reason", None)
    return {"offline_reason": reason, "suggestions": tuple(refusal.suggestions)} if reason else {}


def refusal_view(refusal: Any) -> RefusalView:
    from promptlab_tui.core.budget import format_reset

    resets = None
    if refusal.resets_at is not None and refusal.scope not in ("run", "session", "compare", "batch"):
        resets = format_reset(refusal.resets_at, refusal.timezone_name)
    return RefusalView(
        message=refusal.explain(), scope=refusal.scope, spent_nanos=refusal.spent_nanos,
        reserved_nanos=refusal.reserved_nanos, limit_nanos=refusal.limit_nanos,
        worst_case_nanos=refusal.worst_case_nanos, resets=resets,
        capped_max_tokens=getattr(refusal, "capped_max_tokens", None),
        cheaper_model=getattr(refusal, "cheaper_model", None),
        cheaper_worst_case_nanos=getattr(refusal, "cheaper_worst_case_nanos", None),
        cheaper_provider=getattr(refusal, "cheaper_provider", None),
        cheaper_label=getattr(refusal, "cheaper_label", None),
        **_offline_fields(refusal),
    )


def outcome_view(outcome: Any, duration_s: float, chain: Any = None) -> RunOutcomeView:
    """`chain`: the services.fallback.FallbackResult the outcome ended (which model answered, at what total)."""
    usage, cost = outcome.usage, outcome.cost
    notes = list(getattr(outcome, "warnings", []) or [])
    selection = getattr(outcome.plan, "selection", None)
    if selection is not None:  # model "auto": what was picked and why (issue 11)
        notes.insert(0, selection.reason)
    if chain is not None:
        from promptlab_tui.core.money import format_usd

        notes.insert(0, f"fallback: {chain.summary()}; all attempts {format_usd(chain.total_cost_nanos)}")
    if outcome.plan.capped:
        notes.append(f"capped to {outcome.plan.max_tokens:,} max tokens to fit the budget")
    if outcome.error is not None:
        notes.insert(0, outcome.error_message)
    if getattr(outcome, "record_note", None):
        notes.append(outcome.record_note)
    link = getattr(outcome.plan, "link", None)
    if link is not None and link.source == "cache":  # the opt-in response cache answered (issue 11)
        from promptlab_tui.core.money import format_usd

        notes.insert(0, f"cache hit: the answer of run {link.cache_of[:8]}, $0 (saved {format_usd(link.saved_nanos)})")
    return RunOutcomeView(
        status=STATUS_LABELS.get(outcome.status, "failed"),
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cached_tokens=usage.cached_input_tokens + usage.cache_write_tokens + usage.cache_write_1h_tokens,
        input_nanos=None if cost is None else cost.input_nanos,
        output_nanos=None if cost is None else cost.output_nanos,
        cached_nanos=None if cost is None else cost.cached_input_nanos + cost.cache_write_nanos,
        total_nanos=outcome.cost_nanos,
        estimate_nanos=outcome.expected_nanos,
        duration_s=duration_s,
        usage_estimated=usage.estimated,
        message="\n".join(notes) or None,
    )


def plan_to_confirm(values: EditorValues, run_context: tuple[Any, Any, str], prompt_name: str | None = None,
                    history: tuple[Any, ...] = ()) -> tuple[Any, Any]:
    """(the run's plan, its fallback chain's estimate or None), planned as `promptlab run` plans before it asks
    (nothing reserved, nothing sent): a cache hit costs $0, a chain's worst case is every model tried."""
    from promptlab_tui.services.fallback import estimate_chain
    from promptlab_tui.services.runner import RunService

    services, session, session_id = run_context
    prompt, options = prompt_and_options(values, prompt_name=prompt_name, history=history)
    service = RunService(services, session=session, session_id=session_id)
    if prompt.fallback:
        chain = estimate_chain(service, prompt, options)
        return chain.first, chain
    return service.prepare_run(prompt, options), None


def execute_run(values: EditorValues, run_context: tuple[Any, Any, str], cancel: threading.Event, sink: RunSink, *,
                accept_capped: bool = False, prompt_name: str | None = None,
                elapsed: Callable[[], float] = lambda: 0.0, history: tuple[Any, ...] = (),
                link: Any = None) -> None:
    from promptlab_tui.core.selection import NoModelFits
    from promptlab_tui.providers.base import ProviderError
    from promptlab_tui.providers.registry import provider_for
    from promptlab_tui.services.app_backend import alert_view
    from promptlab_tui.services.run_types import BudgetRefused, PromptTooLong, UnpricedModelRefused
    from promptlab_tui.services.runner import RunService

    services, session, session_id = run_context
    prompt, options = prompt_and_options(values, accept_capped, prompt_name, history, link)
    if prompt.fallback:  # the file's fallback chain: each model in turn on a provider failure (issue 11)
        execute_chain(RunService(services, session=session, session_id=session_id), prompt, options, cancel, sink,
                      elapsed)
        return
    try:
        plan = RunService(services, session=session, session_id=session_id).prepare_run(prompt, options)
        # the key is checked before anything is reserved: a missing key costs nothing and records nothing
        provider = provider_for(plan.prompt.model, plan.provider, services.config)
        service = RunService(services, session=session, session_id=session_id,
                             provider_factory=lambda _plan: provider)
    except PromptTooLong as refusal:
        sink.not_started(str(refusal), too_long=TooLongView(refusal.input_tokens, refusal.limit,
                                                             getattr(refusal, "exact", True),
                                                             tuple(refusal.suggestions), refusal.kind,
                                                             getattr(refusal, "model_name", "")))
        return
    except BudgetRefused as refusal:
        sink.not_started(refusal.explain(), refusal=refusal_view(refusal))
        return
    except UnpricedModelRefused as refusal:  # hard mode cannot count it: say how to price it
        sink.not_started(refusal.explain_all())
        return
    except NoModelFits as refusal:  # model "auto": nothing of the tier fits, the cheapest named
        sink.not_started(f"{refusal}; " + "; ".join(refusal.suggestions))
        return
    except ProviderError as error:
        sink.not_started(str(error))
        return
    except Exception as error:  # bad input, unreadable history or prices: say so, send nothing
        sink.not_started(f"Run not started: {error}")
        return

    finished: list[Any] = []
    on_event = _forwarder(sink, finished)
    try:
        outcome = service.execute(plan, on_event, cancel)
    except BudgetRefused as refusal:  # a concurrent run took the room since the plan was made
        sink.not_started(refusal.explain(), refusal=refusal_view(refusal))
        return
    except Exception as error:  # settled by the runner before it re-raised: show what was recorded
        if not finished:
            cancelled = type(error).__name__ == "Cancelled"  # while waiting for runs in flight: nothing was sent
            sink.not_started(str(error) if cancelled else f"Run failed: {error}")
            return
        outcome = finished[-1]
    sink.finished(outcome_view(outcome, elapsed()), [alert_view(a) for a in outcome.alerts])


def _forwarder(sink: RunSink, finished: list[Any]) -> Callable[[Any], None]:
    """The runner's events as sink calls; the outcomes of ended runs are collected in `finished`."""
    def on_event(event: Any) -> None:
        kind = type(event).__name__
        if kind == "RunStarted":
            sink.reserved()
        elif kind == "RunWaiting":
            sink.waiting(event.short)
        elif kind == "RunTextDelta":
            sink.streamed(event.text)
        elif kind == "RunTokens":
            sink.tokens(event.output_tokens, event.exact, event.cost_nanos)
        elif kind in ("RunCompleted", "RunFailed"):
            finished.append(event.outcome)

    return on_event


def execute_chain(service: Any, prompt: Any, options: Any, cancel: threading.Event, sink: RunSink,
                  elapsed: Callable[[], float]) -> None:
    """A prompt with a fallback chain (services.fallback, as `promptlab run` does it): every attempt is a run of
    its own, linked to the others; the result says which model answered and what all attempts cost."""
    from promptlab_tui.core.budget import BudgetRefusal
    from promptlab_tui.core.money import format_usd
    from promptlab_tui.services.app_backend import alert_view
    from promptlab_tui.services.fallback import run_with_fallback

    def attempt_ended(attempt: Any, following: str | None) -> None:
        if following is not None:
            cost = f", {format_usd(attempt.cost_nanos)}" if attempt.run_id else ""
            sink.attempt_failed(f"{attempt.model}: {attempt.status}{cost} ({attempt.why}); trying {following}")

    finished: list[Any] = []
    try:
        result = run_with_fallback(service, prompt, options, _forwarder(sink, finished), cancel, attempt_ended)
    except Exception as error:  # bad input, unreadable history or prices: say so (what ran was settled)
        sink.not_started(f"Run not started: {error}")
        return
    if result.outcome is None:  # every model refused by a budget or without a key: nothing sent
        refusal = result.refusal
        view = refusal_view(refusal) if isinstance(refusal, BudgetRefusal) else None
        sink.not_started(f"fallback: {result.summary()}", refusal=view)
        return
    outcome = result.outcome
    sink.finished(outcome_view(outcome, elapsed(), chain=result), [alert_view(a) for a in outcome.alerts])
