"""The plan of a run with issue 11's choices applied around services.planning: the prompt file's
`max_cost`, `model = "auto"` (services.auto_select), and the opt-in response cache (services.response_cache)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from promptlab_tui.services import planning

if TYPE_CHECKING:
    from promptlab_tui.core.selection import NoModelFits
    from promptlab_tui.core.types import PromptSpec
    from promptlab_tui.services.context import ServiceContext
    from promptlab_tui.services.run_types import RunOptions, RunPlan
    from promptlab_tui.services.session import SessionSpend


def build_plan(ctx: ServiceContext, prompt: PromptSpec, options: RunOptions,
               session: SessionSpend | None = None) -> RunPlan:
    from promptlab_tui.core.selection import NoModelFits
    from promptlab_tui.services.auto_select import with_file_settings
    from promptlab_tui.services.response_cache import cache_wanted, cached_plan

    try:
        prompt, options, selection = with_file_settings(ctx, prompt, options, session)
    except NoModelFits as refusal:  # a used-up budget leaves auto no room, but a cache hit costs nothing
        hit = _cached_auto_pick(ctx, prompt, options, refusal) if cache_wanted(options, prompt, ctx.config) else None
        if hit is None:
            raise
        return hit
    if cache_wanted(options, prompt, ctx.config):  # opt-in: an identical request answered before costs $0
        options = dataclasses.replace(options, cache=True)
        if (hit := cached_plan(ctx, prompt, options)) is not None:
            return hit
    plan = planning.build_plan(ctx, prompt, options, session)
    if selection is not None:
        plan.selection = selection
        plan.notes.insert(0, selection.reason)
    return plan


def _cached_auto_pick(ctx: ServiceContext, prompt: PromptSpec, options: RunOptions,
                      refusal: NoModelFits) -> RunPlan | None:
    """`model = "auto"` refused only by the budget's room: the model auto picks without that room, served from
    the cache when that request was answered before (None: not a cache hit, the refusal stands)."""
    from promptlab_tui.core.selection import select_model
    from promptlab_tui.services.auto_select import candidates_for
    from promptlab_tui.services.response_cache import cached_plan

    refused = refusal.selection
    by_cap, by_budget = refused.blocking()
    if by_cap or not by_budget:
        return None
    chosen = select_model(candidates_for(ctx, prompt, options.tier), refused.quality, refused.max_cost_nanos).chosen
    if chosen is None:
        return None
    prompt = dataclasses.replace(prompt, model=chosen.model)
    options = dataclasses.replace(options, model=chosen.model, provider=chosen.provider, cache=True)
    return cached_plan(ctx, prompt, options)
