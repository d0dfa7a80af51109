"""Opt-in response cache (`cache = true` in config.toml or the prompt file; `--no-cache` bypasses it).

An identical request (provider, model, messages, max tokens, temperature, tools, response format)
answered before is served from the local history: recorded as a run of its own that cost $0, linked
to the run it came from with the cost it saved (store.run_links, source "cache").
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from promptlab_tui.services.run_types import RunOutcome, RunPlan


def request_key(spec: Any, provider: str) -> str:
    """The same for two requests that would be sent identically (`spec` as sent: its model and max tokens)."""
    request = {"provider": provider, "model": spec.model, "max_tokens": spec.max_tokens,
               "temperature": spec.temperature, "messages": [m.as_openai() for m in spec.messages],
               **{k: getattr(spec, k, None) for k in ("tools", "tool_choice", "response_format")}}
    text = json.dumps(request, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_wanted(options: Any, prompt: Any, config: Any) -> bool:
    """--no-cache (options.cache False) wins, then the prompt file's `cache`, then the config's."""
    from promptlab_tui.services.choice_config import cache_enabled

    if options.cache is not None:
        return options.cache
    if prompt.cache is not None:
        return prompt.cache
    return cache_enabled(config)


def cached_plan(ctx: Any, prompt: Any, options: Any) -> RunPlan | None:
    """The run served from the cache (nothing to reserve: $0), or None when this request was not answered before."""
    from promptlab_tui.core.history import new_run_id
    from promptlab_tui.services.linking import LinkInfo
    from promptlab_tui.services.planning import estimate_for, resolve_target
    from promptlab_tui.services.run_types import RunPlan
    from promptlab_tui.store.response_cache import lookup

    repository = ctx.repository
    if repository is None:
        return None
    spec, provider, price = resolve_target(ctx, prompt, options)
    found = lookup(repository.db, request_key(spec, provider))
    if found is None:
        return None
    base = options.link
    link = LinkInfo("cache", base.group_id if base else None, base.position if base else None,
                    {"answer": found.text}, saved_nanos=found.cost_nanos, cache_of=found.run_id)
    estimate = estimate_for(ctx, spec, provider, options.tier)
    if any(f.name == "source" for f in dataclasses.fields(options)):
        options = dataclasses.replace(options, source="cache")  # the dashboard's "by source" shows cache hits
    return RunPlan(run_id=new_run_id(), prompt=spec, provider=provider, price=price, estimate=estimate,
                   input_tokens=estimate.input, max_tokens=spec.max_tokens, requested_max_tokens=spec.max_tokens,
                   worst_case_nanos=0, tier=options.tier, budget=[], options=options, link=link,
                   notes=[f"served from the cache (run {found.run_id[:8]}): costs $0"])


def answer_in_cache(ctx: Any, values: Any, history: tuple[Any, ...] = ()) -> Any:
    """The stored answer the Lab's next run would be served from (store.response_cache.CachedAnswer), or None:
    the cache is off for it, or this request was not answered before. Planned as the run plans it."""
    from promptlab_tui.services.planning import resolve_target
    from promptlab_tui.services.lab_request import prompt_and_options
    from promptlab_tui.store.response_cache import lookup

    if ctx.repository is None or values.model == "auto":  # auto: the preview asks with its pick
        return None
    prompt, options = prompt_and_options(values, history=history)
    if not cache_wanted(options, prompt, ctx.config):
        return None
    try:
        spec, provider, _ = resolve_target(ctx, prompt, options)
    except Exception:  # noqa: BLE001 - an empty prompt or no model: nothing the cache could serve
        return None
    return lookup(ctx.repository.db, request_key(spec, provider))


def serve(service: Any, plan: RunPlan, on_event: Callable[[Any], None], periods_after: Callable[..., Any]) -> RunOutcome:
    """Record the cache hit as a $0 run (reserved and settled like any run) and return it as the outcome."""
    from promptlab_tui.core.types import CostBreakdown, Usage
    from promptlab_tui.services.linking import record_plan_link
    from promptlab_tui.services.pending import pending_run
    from promptlab_tui.services.run_types import (
        STATUS_OK, RunCompleted, RunOutcome, RunStarted, RunTextDelta)

    started = time.monotonic()
    text = plan.link.detail["answer"]
    link = dataclasses.replace(plan.link, detail={})  # the answer is in the run row, not twice
    plan = dataclasses.replace(plan, link=link)
    repository = service.context.repository
    settings = service.context.budget_settings()
    if settings is not None:  # $0 passes no limit, even one used up: the budgets are read, never a refusal
        settings = dataclasses.replace(settings, mode="warn")
    service.session.try_reserve(plan.run_id, 0)
    reservation = repository.reserve_run(pending_run(plan, service.session_id), settings)
    on_event(RunStarted(plan))
    on_event(RunTextDelta(text))
    cost = CostBreakdown(price_version=getattr(plan.price, "version", None))
    service.session.settle(plan.run_id, 0)
    duration = time.monotonic() - started
    record = repository.settle_run(plan.run_id, Usage(), cost, STATUS_OK, response_text=text,
                                   duration_ms=round(duration * 1000))
    record_plan_link(service.context, plan)
    outcome = RunOutcome(plan=plan, status=STATUS_OK, text=text, usage=Usage(), cost=cost, duration_s=duration,
                         finish_reason="cache", budget_after=periods_after(reservation, 0, cost),
                         session=service.session.status(), record=record)
    on_event(RunCompleted(outcome))
    return outcome


def remember(ctx: Any, outcome: RunOutcome) -> None:
    """Index a completed provider answer so that the same request is served from the history next time."""
    from promptlab_tui.store.response_cache import remember as store_remember

    repository = ctx.repository
    if repository is not None and outcome.ok and outcome.text:
        store_remember(repository.db, request_key(outcome.plan.prompt, outcome.plan.provider), outcome.run_id)


def is_cache_hit(plan: Any) -> bool:
    link = getattr(plan, "link", None)
    return link is not None and link.source == "cache"


def confirmation_needed(plan: Any, threshold: int | None) -> bool:
    """confirm_above's rule, the same for `run` and the Lab: a cache hit costs $0; else ask above the threshold."""
    if threshold is None or is_cache_hit(plan):
        return False
    expected = getattr(plan.estimate, "expected_nanos", None)
    return expected is not None and expected > threshold
