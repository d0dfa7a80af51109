"""Fallback chains: `fallback = ["gpt-4o", "claude-sonnet-4.5", "gpt-4o-mini"]` in a prompt file.

The prompt's model is tried first, then each fallback in order, when the provider fails for a reason that
is not the prompt's (429 after the provider's own retries, 5xx, a timeout, no connection, a stream broken
before any text). Every attempt is a run of its own through the pipeline (planned against every limit,
reserved, settled, recorded) and linked to the others (store.run_links, source "fallback"); a model
refused by a budget or without a key is skipped, and says why.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from promptlab_tui.services.linking import LinkInfo, linked_options, new_group_id

if TYPE_CHECKING:
    from promptlab_tui.core.types import PromptSpec
    from promptlab_tui.services.run_types import RunOptions, RunOutcome
    from promptlab_tui.services.runner import RunService


def fallback_worthy(error: BaseException | None, streamed_text: str = "") -> bool:
    """A failure another model may not have: rate limits, server errors, timeouts, connections."""
    from promptlab_tui.providers.base import (
        Cancelled, MalformedResponse, ProviderServerError, ProviderTimeout, ProviderUnreachable, RateLimited,
        StreamBroken)

    if error is None or isinstance(error, (Cancelled, MalformedResponse)):
        return False
    if isinstance(error, StreamBroken):
        return not streamed_text  # text already shown would be answered twice
    return isinstance(error, (RateLimited, ProviderServerError, ProviderTimeout, ProviderUnreachable))


def chain_of(prompt: PromptSpec, options: RunOptions) -> list[str]:
    """The prompt's model (or --model), then its fallbacks, each once."""
    first = options.model or prompt.model
    chain: list[str] = []
    for model in [first, *prompt.fallback]:
        if model and model not in chain:
            chain.append(model)
    return chain


@dataclass
class Attempt:
    model: str
    status: str  # completed | error | cancelled | refused | skipped
    run_id: str | None = None  # None: never reserved (refused, no key)
    cost_nanos: int | None = None
    why: str | None = None  # the error, the refusal or the missing key


@dataclass
class FallbackResult:
    chain: list[str]
    group_id: str
    attempts: list[Attempt] = field(default_factory=list)
    outcome: RunOutcome | None = None  # the last attempt that ran
    refusal: Exception | None = None  # the last refusal, when no attempt ran

    @property
    def answered_by(self) -> str | None:
        return self.outcome.plan.model if self.outcome is not None and self.outcome.ok else None

    @property
    def total_cost_nanos(self) -> int:
        return sum(a.cost_nanos or 0 for a in self.attempts)

    def summary(self) -> str:
        failed = [a for a in self.attempts if a.status != "completed"]
        tried = "; ".join(f"{a.model}: {a.status}" + (f" ({a.why})" if a.why else "") for a in failed)
        if self.answered_by is None:
            return f"no model of the fallback chain answered ({tried})"
        if not failed:
            return f"answered by {self.answered_by}"
        return f"answered by {self.answered_by} after {len(failed)} failed attempt(s): {tried}"


@dataclass
class ChainEstimate:
    """What a fallback chain may cost before it runs: the first model that would run, and the worst case
    of the whole chain (every model tried, each billed up to its own worst case)."""

    chain: list[str]
    first: Any = None  # the RunPlan of the first model a budget does not refuse (None: every one refused)
    worst_nanos: int = 0  # the sum of the planned models' worst cases
    unpriced: list[str] = field(default_factory=list)  # models whose worst case is unknown

    @property
    def chain_words(self) -> str:
        return " → ".join(self.chain)

    def worst_case_words(self) -> str:
        """'fallback chain a → b: worst case $X if every model is tried', as `run` and the Lab ask it."""
        from promptlab_tui.core.money import format_usd

        unpriced = f" + {', '.join(self.unpriced)} without a price" if self.unpriced else ""
        return f"fallback chain {self.chain_words}: worst case {format_usd(self.worst_nanos)}{unpriced} if every model is tried"


def estimate_chain(service: RunService, prompt: PromptSpec, options: RunOptions) -> ChainEstimate:
    """Plan every model of the chain as its attempt would be planned (nothing reserved, nothing sent)."""
    from promptlab_tui.core.budget import BudgetViolation

    chain = chain_of(prompt, options)
    estimate = ChainEstimate(chain)
    single = dataclasses.replace(prompt, fallback=[])
    for position, model in enumerate(chain):
        try:
            plan = service.prepare_run(single, dataclasses.replace(
                options, model=model, provider=options.provider if position == 0 else None))
        except BudgetViolation:
            continue  # the run skips it too
        if estimate.first is None:
            estimate.first = plan
        if plan.worst_case_nanos is None:
            estimate.unpriced.append(model)
        else:
            estimate.worst_nanos += plan.worst_case_nanos
    return estimate


AttemptSink = Callable[[Attempt, "str | None"], None]  # (the attempt that ended, the next model or None)


def run_with_fallback(service: RunService, prompt: PromptSpec, options: RunOptions,
                      on_event: Callable[[Any], None] | None = None, cancel: threading.Event | None = None,
                      on_attempt: AttemptSink | None = None) -> FallbackResult:
    from promptlab_tui.core.budget import BudgetViolation
    from promptlab_tui.providers.base import ProviderError

    chain = chain_of(prompt, options)
    result = FallbackResult(chain=chain, group_id=new_group_id("fallback"))
    single = dataclasses.replace(prompt, fallback=[])
    for position, model in enumerate(chain):
        following = chain[position + 1] if position + 1 < len(chain) else None
        link = LinkInfo("fallback", result.group_id, position, {"chain": chain})
        attempt_options = linked_options(options, link, model=model,
                                         provider=options.provider if position == 0 else None)
        try:
            plan = service.prepare_run(single, attempt_options)
            outcome = service.execute(plan, on_event, cancel)
        except BudgetViolation as refusal:
            attempt, result.refusal = Attempt(model, "refused", why=str(refusal)), refusal
        except ProviderError as error:  # raised before anything was reserved: no key, unknown provider
            attempt = Attempt(model, "skipped", why=str(error))
        else:
            result.outcome = outcome
            attempt = Attempt(model, outcome.status, outcome.run_id, outcome.cost_nanos, outcome.error_message)
            result.attempts.append(attempt)
            if outcome.ok or not fallback_worthy(outcome.error, outcome.text):
                if on_attempt:
                    on_attempt(attempt, None)
                return result
            if on_attempt:
                on_attempt(attempt, following)
            continue
        result.attempts.append(attempt)
        if on_attempt:
            on_attempt(attempt, following)
    return result
