"""Re-pricing summed token counts at another model's prices: the what-if view and the savings of recommendations.

Sums are re-priced component by component (input, cache reads, cache writes, output) at the rates that apply
to a request of the group's mean input size (so a long-context tier applies when the mean request is above it),
each component rounded once to a whole nano-dollar. Cache writes are priced at the 5-minute write rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
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


_RATES: dict[tuple[str, bool], tuple[Rates, tuple[int | None, ...]]] = {}  # a few entries


def _rates_and_ints(price: ModelPrice, mean_input: int) -> tuple[Rates, tuple[int | None, ...]]:
    long_context = price.long_context is not None and mean_input > price.long_context.above
    key = (price.version, long_context)
    found = _RATES.get(key)
    if found is None:
        if len(_RATES) > 4096:
            _RATES.clear()
        rates = request_rates(price, "standard", mean_input)
        ints = tuple(_whole_nanos(rate) for rate in (rates.input, rates.cached_input, rates.cache_write, rates.output))
        found = _RATES[key] = (rates, ints)
    return found


def rates_for(price: ModelPrice, mean_input: int) -> Rates:
    """The standard-tier rates of a request of `mean_input` tokens (cached: recommendations re-price thousands)."""
    return _rates_and_ints(price, mean_input)[0]


def _whole_nanos(usd_per_million: Decimal) -> int | None:
    exact = usd_per_million * 1000
    return int(exact) if exact == exact.to_integral_value() else None


_PER_TOKEN: dict[Decimal, int | None] = {}


def cost_nanos(tokens: int, usd_per_million: Decimal) -> int:
    """`money.token_cost_nanos`, in integers when the price is a whole number of nanos per token (three decimals
    or fewer, as nearly every published price): the same exact result, without Decimal arithmetic per call."""
    per_token = _PER_TOKEN.get(usd_per_million, 0)
    if per_token == 0:
        exact = usd_per_million * 1000
        per_token = _PER_TOKEN[usd_per_million] = int(exact) if exact == exact.to_integral_value() else None
    return tokens * per_token if per_token is not None else token_cost_nanos(tokens, usd_per_million)


def reprice(price: ModelPrice, totals: Totals) -> int:
    """What `totals`' tokens cost at `price` (nanos)."""
    mean_input = totals.total_input_tokens // totals.runs if totals.runs else 0
    rates, ints = _rates_and_ints(price, mean_input)
    total = 0
    for tokens, whole, rate in ((totals.input_tokens, ints[0], rates.input),
                                (totals.cached_input_tokens, ints[1], rates.cached_input),
                                (totals.cache_write_tokens, ints[2], rates.cache_write),
                                (totals.output_tokens, ints[3], rates.output)):
        total += tokens * whole if whole is not None else token_cost_nanos(tokens, rate)
    return total


def output_cost(price: ModelPrice, totals: Totals) -> int:
    mean_input = totals.total_input_tokens // totals.runs if totals.runs else 0
    return cost_nanos(totals.output_tokens, rates_for(price, mean_input).output)


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
    """A period's runs re-priced on one model, per model or per another group (`by`)."""

    target_provider: str
    target_model: str
    price_version: str
    rows: tuple[WhatIfRow, ...]
    method: str = REPRICE_METHOD
    by: str = "model"  # what a row is: model (provider set), provider, prompt, tag or source (provider '')
    # The rows the totals sum when `rows` overlap (by tag a run counts in each of its tags): the period per model.
    overall: tuple[WhatIfRow, ...] = ()
    note: str | None = None  # e.g. that a run with several tags counts in each

    @property
    def _total_rows(self) -> tuple[WhatIfRow, ...]:
        return self.overall or self.rows

    @property
    def runs(self) -> int:
        return sum(row.runs for row in self._total_rows)

    @property
    def actual_nanos(self) -> int:
        return sum(row.actual_nanos for row in self._total_rows)

    @property
    def on_target_nanos(self) -> int:
        return sum(row.on_target_nanos for row in self._total_rows)

    @property
    def unpriced_runs(self) -> int:
        return sum(row.unpriced_runs for row in self._total_rows)

    @property
    def difference_nanos(self) -> int:
        return sum(row.difference_nanos for row in self._total_rows)

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
