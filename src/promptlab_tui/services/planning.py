"""From a prompt and options to a RunPlan checked against every limit, or a refusal that says what to do.

The limits: the budget's max tokens per prompt, the per-run cap, the session cap and the calendar
budgets (hard mode). When the worst case of the run does not fit, the largest max_tokens that does
fit is offered as a capped run instead of a flat refusal. The ledger checks the calendar budgets
again, atomically, when the run is reserved: this check is for the user, that one is for safety.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Callable

from promptlab_tui.core.budget import max_tokens_that_fit
from promptlab_tui.core.history import new_run_id
from promptlab_tui.core.types import PromptSpec
from promptlab_tui.services.plan_limits import (  # noqa: F401  (Limit and session_limit: used as planning.*)
    Limit, cheaper_model, money_limits, session_limit, warn_notes)
from promptlab_tui.services.run_types import (
    BudgetRefused,
    ContextWindowExceeded,
    PromptTooLong,
    RunInputError,
    RunOptions,
    RunPlan,
    UnpricedModelRefused,
)

if TYPE_CHECKING:
    from promptlab_tui.core.budget import BudgetSettings
    from promptlab_tui.services.context import ServiceContext
    from promptlab_tui.services.session import SessionSpend

# A capped run shorter than this is not worth offering: the answer would be cut off at once.
MIN_CAPPED_OUTPUT_TOKENS = 16


def request_model(model: str, provider: str, price: Any) -> str:
    """The id to send: without our own routing prefix ("openai/gpt-4o" -> "gpt-4o" at OpenAI)."""
    prefix, slash, rest = model.partition("/")
    if slash and prefix.lower() == provider.lower():
        model = rest
    if price is not None and getattr(price, "api_model", None) and model.lower() == price.model.lower():
        return price.api_model
    return model


def resolve_target(ctx: ServiceContext, prompt: PromptSpec, options: RunOptions) -> tuple[PromptSpec, str, Any]:
    """(the prompt with the model and max tokens to send, the provider's name, its price or None)."""
    from promptlab_tui.providers.registry import infer_provider

    model = (options.model or prompt.model or ctx.config.default_model or "").strip()
    if not model:
        raise RunInputError("no model given: pass --model or set `model` in the prompt file")
    max_tokens = options.max_tokens if options.max_tokens is not None else prompt.max_tokens
    if max_tokens is None or max_tokens < 1:
        raise RunInputError(f"max tokens must be 1 or more, got {max_tokens}")
    if not prompt.messages or not any(m.content.strip() or m.parts or m.tool_calls for m in prompt.messages):
        raise RunInputError("the prompt is empty: write a user message first")
    price = ctx.pricing.resolve(model, options.provider)
    provider = options.provider or (price.provider if price is not None else None) \
        or ctx.config.default_provider or infer_provider(model)
    if price is not None and price.max_output is not None:
        max_tokens = min(max_tokens, price.max_output)  # more would be refused by the provider
    tags = list(dict.fromkeys([*prompt.tags, *options.tags]))  # the file's tags, then --tag, each once
    spec = dataclasses.replace(prompt, model=request_model(model, provider, price), max_tokens=max_tokens, tags=tags)
    return spec, provider, price


def reserve_input_tokens(count: Any) -> int:
    """Input tokens the worst case is computed on: an approximate count's upper bound (its calibration's
    90th percentile ratio, or 20 % headroom before any run)."""
    from promptlab_tui.core.calibration import reservation_input_tokens

    return reservation_input_tokens(count)


def worst_case_function(price: Any, input_tokens: int, tier: str) -> Callable[[int], int] | None:
    if price is None:
        return None
    from promptlab_tui.core.pricing import worst_case_cost

    return lambda max_tokens: worst_case_cost(price, input_tokens, max_tokens, tier)


def wait_budget_seconds(ctx: ServiceContext, asked: float | None) -> float:
    """How long a run refused only for runs in flight waits for them: `--wait-budget`, else the config's."""
    if asked is not None:
        return asked
    from promptlab_tui.config import ConfigError

    try:
        return ctx.config.wait_budget_seconds
    except ConfigError:
        return 0.0  # the run reports the config's error itself


def estimate_for(ctx: ServiceContext, spec: PromptSpec, provider: str, tier: str,
                 input_count: Any = None) -> Any:
    """The estimate of `spec` as it will be sent, learning from this model's (and prompt's) history."""
    from promptlab_tui.core.estimate import estimate_run_cost

    price = ctx.pricing.resolve(spec.model, provider)
    recorded_as = price.model if price is not None else spec.model  # runs are stored under the table's name
    stats, calibration = ctx.history_hints(recorded_as, spec.name)
    if input_count is None and spec.has_request_extras:  # tools, images...: calibrated per kind of content
        from promptlab_tui.core.request_tokens import count_prompt

        repository = ctx.repository

        def per_kind(kind: str) -> Any:
            return calibration if kind == "text" or repository is None else repository.calibration_ratio(recorded_as,
                                                                                                         kind)

        input_count = count_prompt(spec, calibration=per_kind).count
    if input_count is None or not input_count.exact:
        from promptlab_tui.services.online_count import online_input_count

        input_count = online_input_count(ctx, spec, provider) or input_count
    return estimate_run_cost(spec, ctx.pricing, output_stats=stats, calibration=calibration, provider=provider,
                             tier=tier, input_count=input_count)


def check_temperature(ctx: ServiceContext, temperature: float | None, provider: str) -> None:
    """Refuse (bad input, nothing sent) a temperature the provider's API does not accept."""
    if temperature is None:
        return
    from promptlab_tui.providers.base import ProviderError
    from promptlab_tui.providers.registry import temperature_range

    try:
        label, low, high = temperature_range(provider, ctx.config)
    except ProviderError:
        return  # an unknown provider is reported when the run asks for it
    if not low <= temperature <= high:
        raise RunInputError(f"temperature {temperature:g} is out of range for {label}: use {low:g} to {high:g}")


def build_plan(ctx: ServiceContext, prompt: PromptSpec, options: RunOptions,
               session: SessionSpend | None = None) -> RunPlan:
    """Check the run against every limit; raise PromptTooLong / BudgetRefused, or return the plan to execute."""
    spec, provider, price = resolve_target(ctx, prompt, options)
    check_temperature(ctx, spec.temperature, provider)
    estimate = estimate_for(ctx, spec, provider, options.tier)
    input_count = estimate.input
    settings = ctx.budget_settings()
    notes: list[str] = []
    asked = options.max_tokens if options.max_tokens is not None else prompt.max_tokens
    if asked > spec.max_tokens:
        notes.append(f"max tokens lowered from {asked:,} to {spec.max_tokens:,}, {price.display_name}'s output limit")
    if price is None:
        if settings is not None and settings.mode == "hard" and settings.has_limits \
                and not ctx.config.allow_unpriced_models:
            from promptlab_tui.paths import app_paths

            raise UnpricedModelRefused(spec.model, provider, str(app_paths().user_pricing))
        notes.append(f"{spec.model} has no price: its cost is unknown and not counted against the budget "
                     "(add it to your pricing.toml)")
    if not input_count.exact and input_count.note:
        notes.append(input_count.note)
    window = price.context_window if price is not None else None
    if window is not None and input_count.tokens >= window:  # in every mode: the provider would refuse it
        raise ContextWindowExceeded(input_count.tokens, window, input_count.exact, price.display_name or spec.model)
    if window is not None and input_count.tokens + spec.max_tokens > window:  # the window holds input and answer
        room = window - input_count.tokens
        notes.append(f"max tokens lowered from {spec.max_tokens:,} to {room:,}: {price.display_name or spec.model}'s "
                     f"context window of {window:,} tokens holds the prompt and the answer")
        spec = dataclasses.replace(spec, max_tokens=room)
        estimate = estimate_for(ctx, spec, provider, options.tier, input_count)
    limit = settings.max_tokens_per_prompt if settings is not None else None
    if limit is not None and input_count.tokens > limit:
        if settings.mode == "hard":
            raise PromptTooLong(input_count.tokens, limit, input_count.exact)
        notes.append(str(PromptTooLong(input_count.tokens, limit, input_count.exact)) + " (warn mode)")
    statuses = ctx.current_periods(settings)
    worst_for = worst_case_function(price, reserve_input_tokens(input_count), options.tier)
    plan = RunPlan(run_id=new_run_id(), prompt=spec, provider=provider, price=price, estimate=estimate,
                   input_tokens=input_count, max_tokens=spec.max_tokens, requested_max_tokens=spec.max_tokens,
                   worst_case_nanos=worst_for(spec.max_tokens) if worst_for else None, tier=options.tier,
                   budget=statuses, notes=notes, options=options, link=options.link)
    if worst_for is None:
        return plan
    plan.notes += warn_notes(settings, statuses, plan.worst_case_nanos)
    waiting = wait_budget_seconds(ctx, options.wait_budget_s) > 0
    limits = money_limits(settings, statuses, session, options, waiting)
    return fit_to_limits(ctx, plan, limits, worst_for, settings)


def fit_to_limits(ctx: ServiceContext, plan: RunPlan, limits: list[Limit], worst_for: Callable[[int], int],
                  settings: BudgetSettings | None) -> RunPlan:
    """The plan as it is when its worst case fits every limit, capped when the options accept it, else a refusal."""
    worst = plan.worst_case_nanos or 0
    over = [limit for limit in limits if worst > limit.remaining_nanos]
    if not over:
        return plan
    tightest = min(over, key=lambda limit: limit.remaining_nanos)
    room = min(limit.remaining_nanos for limit in limits)
    fits = max_tokens_that_fit(room, worst_for, plan.max_tokens)
    capped = None
    if fits >= min(MIN_CAPPED_OUTPUT_TOKENS, plan.max_tokens):
        capped_prompt = dataclasses.replace(plan.prompt, max_tokens=fits)
        capped = dataclasses.replace(
            plan, prompt=capped_prompt, max_tokens=fits, worst_case_nanos=worst_for(fits),
            estimate=estimate_for(ctx, capped_prompt, plan.provider, plan.tier, plan.input_tokens),
            notes=[*plan.notes, f"capped to {fits:,} max tokens (asked {plan.max_tokens:,}) so that the worst case "
                                f"fits the {tightest.scope} limit"])
        if plan.options is not None and plan.options.accept_capped:
            return capped
    cheaper = cheaper_model(ctx, plan, room)
    raise BudgetRefused(scope=tightest.scope, spent_nanos=tightest.spent_nanos,
                        reserved_nanos=tightest.reserved_nanos, limit_nanos=tightest.limit_nanos,
                        worst_case_nanos=worst, resets_at=tightest.resets_at,
                        timezone_name=settings.timezone if settings is not None else "UTC",
                        capped_max_tokens=fits if capped is not None else None, capped_plan=capped,
                        **cheaper)
