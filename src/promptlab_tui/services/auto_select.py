"""`model = "auto"` in the run pipeline: price every tiered model for this prompt and pick one (core.selection).

Worst cases are computed exactly as the plan will reserve them (approximate counts with their headroom,
max tokens clamped to each model's output limit), so a picked model is never refused for a few nano-dollars.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Callable

from promptlab_tui.core.selection import DEFAULT_QUALITY, Candidate, NoModelFits, Selection, select_model

if TYPE_CHECKING:
    from promptlab_tui.config import AppConfig
    from promptlab_tui.core.types import PromptSpec
    from promptlab_tui.services.context import ServiceContext
    from promptlab_tui.services.run_types import RunOptions
    from promptlab_tui.services.session import SessionSpend


def provider_has_key(provider: str, config: AppConfig, free: bool = False) -> bool:
    """Whether a run at `provider` could start: a key in the environment or the config (a local server
    without a key counts only when the user configured it, so "auto" never picks a server that is not there)."""
    from promptlab_tui.providers.base import ProviderError
    from promptlab_tui.providers.registry import api_key_for, resolve_settings

    if free:
        return provider in config.providers
    try:
        resolved = resolve_settings(provider, config)
        _key, source = api_key_for(resolved, config)
    except ProviderError:
        return False
    return source != "no key (not needed)" or provider in config.providers


def candidates_for(ctx: ServiceContext, prompt: PromptSpec, tier: str,
                   count_for: Callable[[str], Any] | None = None, quality: str | None = None) -> list[Candidate]:
    """Every current model with a quality tier (at least `quality`), priced for `prompt` as the plan would reserve
    it. A model without a key is never picked: it is listed (for "no key for ...") but not counted or estimated.

    `count_for(model)`: the prompt's input count for a model (the Lab's preview hands its incremental counters)."""
    from promptlab_tui.core.selection import quality_rank
    from promptlab_tui.core.tokens import count_messages, encoding_name_for_model
    from promptlab_tui.services.planning import reserve_input_tokens, worst_case_function

    counts: dict[str, Any] = {}
    keys: dict[str, bool] = {}
    found = []
    for price in ctx.pricing.models(include_legacy=False):
        if price.quality is None or not price.has_tier(tier) or quality_rank(price.quality) < quality_rank(quality):
            continue
        info = ctx.pricing.provider(price.provider)
        if price.provider not in keys:
            keys[price.provider] = provider_has_key(price.provider, ctx.config, bool(info and info.free))
        model = price.request_model
        max_tokens = min(prompt.max_tokens, price.max_output or prompt.max_tokens)
        if not keys[price.provider]:  # priced or not is all that is asked of it
            found.append(Candidate(price.model, price.provider, price.quality,
                                   worst_case_function(price, 0, tier)(max_tokens), None, False))
            continue
        encoding = encoding_name_for_model(model) or f"approx:{price.provider}"
        if encoding not in counts:
            counts[encoding] = count_for(model) if count_for is not None else count_messages(prompt.messages, model)
        count = counts[encoding]
        worst = worst_case_function(price, reserve_input_tokens(count), tier)(max_tokens)
        spec = dataclasses.replace(prompt, model=model, max_tokens=max_tokens)
        from promptlab_tui.core.estimate import estimate_run_cost

        expected = estimate_run_cost(spec, ctx.pricing, provider=price.provider, tier=tier,
                                     input_count=count).expected_cost_nanos
        found.append(Candidate(price.model, price.provider, price.quality, worst, expected, keys[price.provider]))
    return found


def choose(ctx: ServiceContext, prompt: PromptSpec, options: RunOptions, session: SessionSpend | None,
           count_for: Callable[[str], Any] | None = None) -> tuple[PromptSpec, RunOptions, Selection]:
    """The prompt and options with the picked model and provider, or NoModelFits naming the cheapest."""
    from promptlab_tui.services.choice_config import auto_max_cost_nanos, auto_quality
    from promptlab_tui.services.planning import money_limits

    # the run's own (--quality, --max-cost, the Lab's fields), then the prompt file's, then config.toml's
    quality = options.quality or prompt.quality or auto_quality(ctx.config) or DEFAULT_QUALITY
    max_cost = options.max_cost_nanos if options.max_cost_nanos is not None else prompt.max_cost_nanos
    if max_cost is None:
        max_cost = auto_max_cost_nanos(ctx.config)
    settings = ctx.budget_settings()
    room_limits = [limit for limit in money_limits(settings, ctx.current_periods(settings), session, options)
                   if limit.scope != "run"]  # the per-run cap is max_cost, named apart in the reason
    room = min((limit.remaining_nanos for limit in room_limits), default=None)
    selection = select_model(candidates_for(ctx, prompt, options.tier, count_for, quality), quality, max_cost, room)
    if selection.chosen is None:
        raise NoModelFits(selection)
    chosen = selection.chosen
    return (dataclasses.replace(prompt, model=chosen.model),
            dataclasses.replace(options, model=chosen.model, provider=chosen.provider), selection)


def with_file_settings(ctx: ServiceContext, prompt: PromptSpec, options: RunOptions, session: SessionSpend | None,
                       ) -> tuple[PromptSpec, RunOptions, Selection | None]:
    """The prompt file's `max_cost` as the per-run cap (an explicit option wins), and "auto" resolved."""
    from promptlab_tui.core.selection import is_auto

    if options.max_cost_nanos is None and prompt.max_cost_nanos is not None:
        options = dataclasses.replace(options, max_cost_nanos=prompt.max_cost_nanos)
    if not is_auto(options.model or prompt.model):
        return prompt, options, None
    return choose(ctx, prompt, options, session)
