"""Exact cost arithmetic: a Usage at a ModelPrice, in integer nano-dollars, component by component."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from promptlab_tui.core.money import format_usd, token_cost_nanos
from promptlab_tui.core.price_table import LongContext, ModelPrice, normalise_tier
from promptlab_tui.core.types import CostBreakdown, Usage


@dataclass(frozen=True)
class Rates:
    """USD per million tokens that apply to one request (tier and long-context already chosen)."""

    input: Decimal
    output: Decimal
    cached_input: Decimal
    cache_write: Decimal
    cache_write_1h: Decimal
    long_context: bool
    tier: str


def _long_context_price(lc: LongContext | None, name: str, active: bool) -> Decimal | None:
    return getattr(lc, name) if (active and lc is not None) else None


def request_rates(price: ModelPrice, tier: str = "standard", total_input_tokens: int = 0) -> Rates:
    """The per-million rates for a request with `total_input_tokens` (input + cache reads + writes).

    Long context: above the threshold, every token of the request is billed at the long-context
    price (Anthropic's and Google's rule); prices the tier does not list keep the standard rate.
    A missing cached-input or cache-write price bills those tokens at the input rate.
    A tier the model has no price for is billed at the standard rate.
    """
    tier_name = normalise_tier(tier)
    service = price.service_tiers.get(tier_name)
    if service is None:
        tier_name = "standard"
    tier_lc = service.long_context if service is not None else None
    threshold = (tier_lc or price.long_context).above if (tier_lc or price.long_context) else None
    active = threshold is not None and total_input_tokens > threshold

    def standard(name: str) -> Decimal | None:
        return _first(_long_context_price(price.long_context, name, active), getattr(price, name))

    def rate(name: str) -> Decimal | None:
        if service is None:
            return standard(name)
        if service.multiplier is not None:
            base = standard(name)
            return None if base is None else base * service.multiplier
        return _first(_long_context_price(tier_lc, name, active), service.prices.get(name), standard(name))

    input_rate = rate("input")
    assert input_rate is not None  # every entry has an input price (the loader guarantees it)
    return Rates(
        input=input_rate,
        output=_first(rate("output"), Decimal(0)),
        cached_input=_first(rate("cached_input"), input_rate),
        cache_write=_first(rate("cache_write"), input_rate),
        cache_write_1h=_first(rate("cache_write_1h"), input_rate),
        long_context=active,
        tier=tier_name,
    )


def _first(*values: Decimal | None) -> Decimal | None:
    """The first price that is given (0 is a price; None is not)."""
    return next((value for value in values if value is not None), None)


def cost_of_usage(price: ModelPrice, usage: Usage, tier: str = "standard") -> CostBreakdown:
    """Exact cost of one call, per component, in nano-dollars.

    `usage.input_tokens` excludes cache reads and writes (see `Usage`), so nothing is billed twice.
    Cache reads without a cached-input price, and cache writes without a cache-write price, are
    billed at the input rate. The long-context tier is chosen on the request's total input tokens.
    Each component is rounded once (half-even) to a whole nano-dollar; the total is their sum.
    The version carries the tier ("...#batch") so that a re-price can use the same tier.
    """
    rates = request_rates(price, tier, usage.total_input_tokens)
    version = price.version if rates.tier == "standard" else f"{price.version}#{rates.tier}"
    return CostBreakdown(
        input_nanos=token_cost_nanos(usage.input_tokens, rates.input),
        output_nanos=token_cost_nanos(usage.output_tokens, rates.output),
        cached_input_nanos=token_cost_nanos(usage.cached_input_tokens, rates.cached_input),
        cache_write_nanos=token_cost_nanos(usage.cache_write_tokens, rates.cache_write)
        + token_cost_nanos(usage.cache_write_1h_tokens, rates.cache_write_1h),
        price_version=version,
    )


def worst_case_cost(price: ModelPrice, input_tokens: int, max_output_tokens: int,
                    tier: str = "standard") -> int:
    """The most a request can cost: all input uncached at the input rate, and every allowed output token.

    This is what a budget reserves before the call, so it must never be below the real bill: the
    app sends no cache-write instructions, and cache reads are cheaper than input, so it is not.
    """
    usage = Usage(input_tokens=input_tokens, output_tokens=max(0, max_output_tokens))
    return cost_of_usage(price, usage, tier).total_nanos


def format_total(nanos: int, unpriced_runs: int = 0, places: int | None = None, *,
                 beside: int | None = None) -> str:
    """'$12.40', or '$12.40 + 3 runs without a price' when some runs have no known cost."""
    shown = format_usd(nanos, places, beside=beside)
    if unpriced_runs <= 0:
        return shown
    runs = "run" if unpriced_runs == 1 else "runs"
    return f"{shown} + {unpriced_runs} {runs} without a price"
