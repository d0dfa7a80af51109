"""The Lab's preview of model "auto" (worker side): the pick the run will make, and why, before the run.

The same service as the run and the CLI (services.auto_select.choose: the Cap field, the prompt's or the
config's max_cost and quality, the budget's room), priced with the preview's incremental counters, so a
pause in typing costs the size of the edits for each tokenizer instead of a recount of the whole text.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from promptlab_tui.services.editor_values import PreviewInputs
    from promptlab_tui.services.preview_engine import PreviewEngine
    from promptlab_tui.services.views import PreviewView


def auto_preview(engine: PreviewEngine, ctx: Any, inputs: PreviewInputs, pricing: Any, prompt_name: str | None,
                 session: Any = None, **compute: Any) -> tuple[PreviewView | None, Any]:
    """The chosen model's preview with the reason of the choice; raises core.selection.NoModelFits."""
    from promptlab_tui.core.money import usd_to_nanos
    from promptlab_tui.services.auto_select import choose
    from promptlab_tui.services.preview_engine import counted_prompt
    from promptlab_tui.services.run_types import RunOptions

    prompt = counted_prompt(inputs)  # the texts are counted by the engine's counters
    prompt.quality = inputs.quality
    cap = usd_to_nanos(inputs.cost_cap_usd) if inputs.cost_cap_usd is not None else None
    options = RunOptions(model="auto", max_tokens=inputs.max_tokens, max_cost_nanos=cap, quality=inputs.quality)
    _prompt, picked, selection = choose(ctx, prompt, options, session,
                                        count_for=lambda model: engine.count_for(inputs, model))
    chosen = inputs._replace(model=picked.model, provider=picked.provider)
    preview, estimate = engine.compute(chosen, pricing, prompt_name, **compute)
    return (replace(preview, choice=selection.reason) if preview is not None else None), estimate
