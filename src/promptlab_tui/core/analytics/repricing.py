"""Re-pricing summed token counts at another model's prices: the what-if view and the savings of recommendations.

Sums are re-priced component by component (input, cache reads, cache writes, output) at the rates that apply
to a request of the group's mean input size (so a long-context tier applies when the mean request is above it),
each component rounded once to a whole nano-dollar. Cache writes are priced at the 5-minute write rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from promptlab_tui.core.analytics.figures import Totals
from promptlab_tui.core.money import token_cost_nanos
from promptlab_tui.core.pricing_cost import Rates, request_rates

if TYPE_CHECKING:
    from promptlab_tui.core.pricing import ModelPrice

REPRICE_METHOD = ("the period's actual token counts (input, cache reads, cache writes, output) re-priced at "
                  "the other model's list prices, at the rates of a request of the group's mean input size")


@dataclass(frozen=True)
class UsageGroup:
    """Totals of the runs of one (provider, model, prompt) in a period ('' = no prompt name)."""

    provider: str
    model: str
    prompt: str
    totals: Totals


_RATES: dict[tuple[str, bool], Rates] = {}  # (price version, long context applies) -> rates; a few entries


def rates_for(price: ModelPrice, mean_input: int) -> Rates:
    """The standard-tier rates of a request of `mean_input` tokens (cached: recommendations re-price thousands)."""
    long_context = price.long_context is not None and mean_input > price.long_context.above
    key = (price.version, long_context)
    rates = _RATES.get(key)
    if rates is None:
        if len(_RATES) > 4096:
            _RATES.clear()
        rates = _RATES[key] = request_rates(price, "standard", mean_input)
    return rates


def reprice(price: ModelPrice, totals: Totals) -> int:
    """What `totals`' tokens cost at `price` (nanos)."""
    mean_input = totals.total_input_tokens // totals.runs if totals.runs else 0
    rates = rates_for(price, mean_input)
    return (token_cost_nanos(totals.input_tokens, rates.input)
            + token_cost_nanos(totals.cached_input_tokens, rates.cached_input)
            + token_cost_nanos(totals.cache_write_tokens, rates.cache_write)
            + token_cost_nanos(totals.output_tokens, rates.output))


def output_cost(price: ModelPrice, totals: Totals) -> int:
    mean_input = totals.total_input_tokens // totals.runs if totals.runs else 0
    return token_cost_nanos(totals.output_tokens, rates_for(price, mean_input).output)


@dataclass(frozen=True)
class WhatIfRow:
    provider: str
    model: str
    runs: int
    unpriced_runs: int
    actual_nanos: int  # what the priced runs cost
    on_target_nanos: int  # every run's tokens at the target's prices

    @property
    def difference_nanos(self) -> int:
        """On the target minus actual, over the priced runs' share (runs without a price have no actual)."""
        return self.on_target_priced_nanos - self.actual_nanos

    @property
    def on_target_priced_nanos(self) -> int:
        if self.runs == 0 or self.unpriced_runs == 0:
            return self.on_target_nanos
        return self.on_target_nanos * (self.runs - self.unpriced_runs) // self.runs


@dataclass(frozen=True)
class WhatIf:
    """A period's runs re-priced on one model."""

    target_provider: str
    target_model: str
    price_version: str
    rows: tuple[WhatIfRow, ...]
    method: str = REPRICE_METHOD

    @property
    def actual_nanos(self) -> int:
        return sum(row.actual_nanos for row in self.rows)

    @property
    def on_target_nanos(self) -> int:
        return sum(row.on_target_nanos for row in self.rows)

    @property
    def unpriced_runs(self) -> int:
        return sum(row.unpriced_runs for row in self.rows)

    @property
    def difference_nanos(self) -> int:
        return sum(row.difference_nanos for row in self.rows)

    @property
    def change_percent(self) -> float | None:
        actual = self.actual_nanos
        return None if actual == 0 else self.difference_nanos * 100 / actual


def what_if(target: ModelPrice, groups: Iterable[tuple[str, str, Totals]]) -> WhatIf:
    """Every (provider, model, totals) of the period re-priced at `target`; most expensive first."""
    rows = [WhatIfRow(provider, model, totals.runs, totals.unpriced_runs, totals.cost_nanos, reprice(target, totals))
            for provider, model, totals in groups if totals.runs]
    rows.sort(key=lambda row: (-row.actual_nanos, -row.runs, row.provider, row.model))
    return WhatIf(target.provider, target.model, target.version, tuple(rows))
