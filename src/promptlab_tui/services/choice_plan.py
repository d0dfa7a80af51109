"""The plan of a run with issue 11's choices applied around services.planning: the prompt file's
`max_cost`, `model = "auto"` (services.auto_select), and the opt-in response cache (services.response_cache)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from promptlab_tui.services import planning

if TYPE_CHECKING:
    from promptlab_tui.core.types import PromptSpec
    from promptlab_tui.services.context import ServiceContext
    from promptlab_tui.services.run_types import RunOptions, RunPlan
    from promptlab_tui.services.session import SessionSpend


def build_plan(ctx: ServiceContext, prompt: PromptSpec, options: RunOptions,
               session: SessionSpend | None = None) -> RunPlan:
    from promptlab_tui.services.auto_select import with_file_settings
    from promptlab_tui.services.response_cache import cache_wanted, cached_plan

    prompt, options, selection = with_file_settings(ctx, prompt, options, session)
    if cache_wanted(options, prompt, ctx.config):  # opt-in: an identical request answered before costs $0
        options = dataclasses.replace(options, cache=True)
        if (hit := cached_plan(ctx, prompt, options)) is not None:
            return hit
    plan = planning.build_plan(ctx, prompt, options, session)
    if selection is not None:
        plan.selection = selection
        plan.notes.insert(0, selection.reason)
    return plan
