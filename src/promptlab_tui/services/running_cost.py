"""What a streaming run has cost so far: its input in full, its output up to the last count, at its price."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from promptlab_tui.services.run_types import RunPlan, RunTokens


def cost_so_far(plan: RunPlan, output_tokens: int) -> int | None:
    """Nanos the provider bills for the run if it stopped now (None: the model has no price)."""
    if plan.price is None:
        return None
    from promptlab_tui.core.pricing_cost import cost_of_usage
    from promptlab_tui.core.types import Usage

    usage = Usage(input_tokens=plan.input_tokens.tokens, output_tokens=output_tokens)
    return cost_of_usage(plan.price, usage, plan.tier).total_nanos


def with_running_cost(plan: RunPlan, on_event: Callable[[Any], None]) -> Callable[[Any], None]:
    """`on_event`, with each RunTokens carrying the run's cost so far."""
    if plan.price is None:
        return on_event

    def forward(event: Any) -> None:
        if isinstance(event, RunTokens):
            event = replace(event, cost_nanos=cost_so_far(plan, event.output_tokens))
        on_event(event)

    return forward
