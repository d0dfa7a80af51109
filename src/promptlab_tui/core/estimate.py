"""The estimate of a run before it is sent: input tokens, predicted output, expected and worst-case cost.

Expected output comes from history (this prompt's or this model's past runs: mean and p90) when there
is any; otherwise from typical figures (below), clamped to max tokens. The worst case is every allowed
output token (max tokens, clamped to the model's max output), which is what a budget reserves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from promptlab_tui.core.calibration import reservation_input_tokens
from promptlab_tui.core.money import format_ratio, format_usd, usd_string
from promptlab_tui.core.pricing import ModelPrice, PricingTable, cost_of_usage, worst_case_cost
from promptlab_tui.core.types import PromptSpec, TokenCount, Usage

# Without history: a typical chat answer, and a long one (p90). Reasoning models also spend hidden
# reasoning tokens, billed as output, so their typical figures are higher.
TYPICAL_OUTPUT_TOKENS = 400
TYPICAL_P90_OUTPUT_TOKENS = 1_200
TYPICAL_REASONING_OUTPUT_TOKENS = 2_000
TYPICAL_REASONING_P90_OUTPUT_TOKENS = 6_000


class OutputStatsLike(Protocol):
    """`core.history.OutputStats`: output tokens of past completed runs."""

    mean: int
    p90: int
    count: int


@dataclass(frozen=True)
class RunEstimate:
    """What a run is predicted to use and cost; costs are None when the model has no price."""

    model: str  # the priced family ("gpt-4o"), or the name as given when unpriced
    provider: str | None
    display_name: str
    input: TokenCount
    expected_output_tokens: int
    p90_output_tokens: int
    max_output_tokens: int
    expected_cost_nanos: int | None
    p90_cost_nanos: int | None
    worst_cost_nanos: int | None
    price_version: str | None
    priced: bool
    output_basis: str  # "history (12 runs)" or "typical figures (no history yet)"
    warnings: tuple[str, ...] = field(default_factory=tuple)

    # Short names used by the runner and the app.
    @property
    def input_tokens(self) -> int:
        return self.input.tokens

    @property
    def expected_nanos(self) -> int | None:
        return self.expected_cost_nanos

    @property
    def p90_nanos(self) -> int | None:
        return self.p90_cost_nanos

    @property
    def worst_case_nanos(self) -> int | None:
        return self.worst_cost_nanos


def predicted_output(max_tokens: int, price: ModelPrice | None,
                     output_stats: OutputStatsLike | None) -> tuple[int, int, str]:
    """(expected, p90, basis) output tokens, never above max tokens."""
    if output_stats is not None and getattr(output_stats, "count", 0) > 0:
        expected, p90 = int(output_stats.mean), int(output_stats.p90)
        runs = "run" if output_stats.count == 1 else "runs"
        basis = f"history ({output_stats.count} {runs})"
    elif price is not None and price.reasoning:
        expected, p90 = TYPICAL_REASONING_OUTPUT_TOKENS, TYPICAL_REASONING_P90_OUTPUT_TOKENS
        basis = "typical figures for a reasoning model (no history yet)"
    else:
        expected, p90 = TYPICAL_OUTPUT_TOKENS, TYPICAL_P90_OUTPUT_TOKENS
        basis = "typical figures (no history yet)"
    expected = max(0, min(expected, max_tokens))
    return expected, max(expected, min(p90, max_tokens)), basis


def _count_input(prompt: PromptSpec, model: str, calibration: float | None) -> TokenCount:
    from promptlab_tui.core.request_tokens import count_prompt

    return count_prompt(prompt, model, calibration=calibration).count


def estimate_run_cost(prompt: PromptSpec, pricing: PricingTable, output_stats: OutputStatsLike | None = None,
                      calibration: float | None = None, provider: str | None = None,
                      tier: str = "standard", input_count: TokenCount | None = None) -> RunEstimate:
    """The estimate of running `prompt` as it is (its model and max tokens).

    `input_count` may be passed when the caller already counted the prompt (the app's live counter).
    """
    price = pricing.resolve(prompt.model, provider)
    count = input_count if input_count is not None else _count_input(prompt, prompt.model, calibration)
    return _estimate(prompt, price, count, output_stats, provider, tier)


def _estimate(prompt: PromptSpec, price: ModelPrice | None, count: TokenCount,
              output_stats: OutputStatsLike | None, provider: str | None, tier: str) -> RunEstimate:
    max_output = max(0, prompt.max_tokens)
    warnings: list[str] = []
    if price is not None and price.max_output is not None and max_output > price.max_output:
        warnings.append(f"max tokens {max_output:,} is above {price.display_name}'s limit of "
                        f"{price.max_output:,}; the worst case uses {price.max_output:,}")
        max_output = price.max_output
    if price is not None and price.context_window is not None and count.tokens > price.context_window:
        warnings.append(f"the prompt ({count.tokens:,} tokens) is longer than {price.display_name}'s "
                        f"context window of {price.context_window:,}")
    expected, p90, basis = predicted_output(max_output, price, output_stats)
    if price is None:
        return RunEstimate(prompt.model, provider, prompt.model, count, expected, p90, max_output,
                           None, None, None, None, False, basis, tuple(warnings))

    def cost(output_tokens: int) -> int:
        return cost_of_usage(price, Usage(input_tokens=count.tokens, output_tokens=output_tokens), tier).total_nanos

    return RunEstimate(
        model=price.model, provider=price.provider, display_name=price.display_name, input=count,
        expected_output_tokens=expected, p90_output_tokens=p90, max_output_tokens=max_output,
        expected_cost_nanos=cost(expected), p90_cost_nanos=cost(p90),
        worst_cost_nanos=worst_case_cost(price, reservation_input_tokens(count), max_output, tier),
        price_version=price.version, priced=True, output_basis=basis, warnings=tuple(warnings),
    )


def compare_models(prompt: PromptSpec, pricing: PricingTable, models: Iterable[str] | None = None,
                   output_stats: OutputStatsLike | None = None, calibration: float | None = None,
                   tier: str = "standard",
                   count_for: Callable[[str], TokenCount | None] | None = None) -> list[RunEstimate]:
    """The same prompt and max tokens on other models, cheapest expected cost first (unpriced last).

    Default candidates: every current model that is neither legacy nor free. Each model's input is
    counted with its own tokenizer (one count per encoding, so 40 models cost at most 3 counts).
    `count_for(key)` may supply counts the caller already has, keyed by encoding name
    ("o200k_base", "cl100k_base") or "approx" (the app's live counters); None = count here.
    """
    if models is None:
        prices: list[ModelPrice | None] = [p for p in pricing.models(include_legacy=False) if not p.is_free]
        names = [p.model for p in prices if p is not None]
    else:
        names = list(models)
        prices = [pricing.resolve(name) for name in names]
    counts: dict[str, TokenCount] = {}
    estimates = []
    for name, price in zip(names, prices):
        model = price.request_model if price is not None else name
        key = _count_key(model)
        if key not in counts:
            given = count_for(key) if count_for is not None else None
            counts[key] = given or _count_input(prompt, model, calibration if key == "approx" else None)
        spec = PromptSpec(messages=prompt.messages, model=model, max_tokens=prompt.max_tokens, tools=prompt.tools,
                          tool_choice=prompt.tool_choice, response_format=prompt.response_format)
        estimates.append(_estimate(spec, price, counts[key], output_stats, price.provider if price else None, tier))
    return sorted(estimates, key=lambda e: (e.expected_cost_nanos is None, e.expected_cost_nanos or 0, e.model))


def _count_key(model: str) -> str:
    from promptlab_tui.core.tokens import encoding_name_for_model

    return encoding_name_for_model(model) or "approx"


def comparison_tip(current: RunEstimate, other: RunEstimate) -> str:
    """'gpt-4o would cost $0.0042, 4.6x more' (expected costs; the worst case when nothing is expected)."""
    mine, theirs = current.expected_cost_nanos, other.expected_cost_nanos
    if theirs is None:
        return f"{other.model} has no price"
    shown = f"{other.model} would cost {format_usd(theirs)}"
    if mine is None:
        return shown
    if theirs == mine:
        return f"{shown}, the same"
    if theirs > mine:
        return f"{shown}, {format_ratio(theirs, mine)} more"
    return f"{shown}, {format_ratio(mine, theirs)} less"


def alternatives_tips(current: RunEstimate, alternatives: list[RunEstimate]) -> list[str]:
    """Tips for the cheapest and the strongest alternative (the priciest current model stands in for
    "strongest"), leaving out the model itself, unpriced models and free local ones."""
    others = [e for e in alternatives if e.priced and e.expected_cost_nanos
              and (e.model, e.provider) != (current.model, current.provider)]
    if not others:
        return []
    cheapest, priciest = others[0], others[-1]
    tips = []
    if current.expected_cost_nanos is None or cheapest.expected_cost_nanos < current.expected_cost_nanos:
        tips.append(comparison_tip(current, cheapest))
    if priciest is not cheapest and (current.expected_cost_nanos is None
                                     or priciest.expected_cost_nanos > current.expected_cost_nanos):
        tips.append(comparison_tip(current, priciest))
    return tips


def estimate_json(estimate: RunEstimate) -> dict[str, Any]:
    """The estimate as JSON-ready data: USD as exact decimal strings, and nano-dollars as integers."""
    usd = usd_string
    return {
        "model": estimate.model, "provider": estimate.provider, "display_name": estimate.display_name,
        "priced": estimate.priced, "price_version": estimate.price_version,
        "input_tokens": estimate.input.tokens, "exact": estimate.input.exact, "method": estimate.input.method,
        "input_note": estimate.input.note,
        "output_tokens": {"expected": estimate.expected_output_tokens, "p90": estimate.p90_output_tokens,
                          "max": estimate.max_output_tokens, "basis": estimate.output_basis},
        "cost": {
            "expected_usd": usd(estimate.expected_cost_nanos), "expected_nanos": estimate.expected_cost_nanos,
            "p90_usd": usd(estimate.p90_cost_nanos), "p90_nanos": estimate.p90_cost_nanos,
            "worst_usd": usd(estimate.worst_cost_nanos), "worst_nanos": estimate.worst_cost_nanos,
        },
        "warnings": list(estimate.warnings),
    }
