"""Property tests: cost arithmetic is exact integer nano-dollars, totals equal sums, the parser is exact."""

from __future__ import annotations

import tempfile
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptlab_tui.core.pricing import PricingError, cost_of_usage, load_pricing, request_rates, worst_case_cost
from promptlab_tui.core.types import Usage

TABLE = load_pricing(include_user=False)
PRICES = TABLE.models()
TIERS = st.sampled_from(["standard", "batch", "flex", "priority", "default", "scale"])
TOKENS = st.integers(min_value=0, max_value=3_000_000)
USAGES = st.builds(Usage, input_tokens=TOKENS, output_tokens=TOKENS, cached_input_tokens=TOKENS,
                   cache_write_tokens=st.integers(0, 500_000), cache_write_1h_tokens=st.integers(0, 500_000))


def exact_nanos(tokens: int, per_million: Decimal) -> int:
    value = Decimal(tokens) * per_million * 1000
    return int(value.to_integral_value(rounding=ROUND_HALF_EVEN))


@given(price=st.sampled_from(PRICES), usage=USAGES, tier=TIERS)
def test_components_are_exact_integers_and_sum_to_the_total(price, usage: Usage, tier: str) -> None:
    cost = cost_of_usage(price, usage, tier)
    parts = [cost.input_nanos, cost.output_nanos, cost.cached_input_nanos, cost.cache_write_nanos]
    assert all(type(part) is int and part >= 0 for part in parts)
    assert cost.total_nanos == sum(parts)
    rates = request_rates(price, tier, usage.total_input_tokens)
    assert cost.input_nanos == exact_nanos(usage.input_tokens, rates.input)
    assert cost.output_nanos == exact_nanos(usage.output_tokens, rates.output)
    assert cost.cached_input_nanos == exact_nanos(usage.cached_input_tokens, rates.cached_input)


@given(price=st.sampled_from(PRICES), usages=st.lists(USAGES, max_size=40), tier=TIERS)
def test_a_total_of_many_runs_is_the_sum_of_its_rows(price, usages: list[Usage], tier: str) -> None:
    costs = [cost_of_usage(price, usage, tier) for usage in usages]
    total = sum(cost.total_nanos for cost in costs)
    by_component = (sum(c.input_nanos for c in costs) + sum(c.output_nanos for c in costs)
                    + sum(c.cached_input_nanos for c in costs) + sum(c.cache_write_nanos for c in costs))
    assert type(total) is int and total == by_component


@given(price=st.sampled_from(PRICES), fresh=TOKENS, cached=TOKENS, max_output=st.integers(0, 200_000),
       data=st.data(), tier=TIERS)
def test_worst_case_is_never_below_the_bill(price, fresh: int, cached: int, max_output: int, data,
                                             tier: str) -> None:
    output = data.draw(st.integers(0, max_output))
    actual = cost_of_usage(price, Usage(input_tokens=fresh, cached_input_tokens=cached, output_tokens=output), tier)
    assert worst_case_cost(price, fresh + cached, max_output, tier) >= actual.total_nanos


PRICE_TEXT = st.decimals(min_value=0, max_value=10_000, places=6, allow_nan=False, allow_infinity=False)


def _load_with(value_literal: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pricing.toml"
        path.write_text(
            '[providers.p]\nkind = "openai"\n[models.p."m"]\n[[models.p."m".price]]\n'
            f'effective_from = 2025-01-01\ninput = {value_literal}\noutput = "1"\n', encoding="utf-8")
        return load_pricing(shipped=path, include_user=False)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(value=PRICE_TEXT)
def test_string_prices_are_read_exactly(value: Decimal) -> None:
    assert _load_with(f'"{value}"').resolve("m").input == value


@settings(max_examples=60)
@given(value=st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False))
def test_float_prices_are_read_as_their_shortest_decimal(value: float) -> None:
    assert _load_with(repr(value)).resolve("m").input == Decimal(repr(value))


@settings(max_examples=60)
@given(junk=st.one_of(st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
                      st.integers(-10**6, -1), st.booleans()))
def test_junk_prices_are_refused_or_exact_never_crash(junk) -> None:
    literal = '"' + junk.replace("\\", "\\\\").replace('"', '\\"') + '"' if isinstance(junk, str) \
        else str(junk).lower()
    try:
        price = _load_with(literal).resolve("m")
    except PricingError as error:
        assert error.line == 6 and error.field == "models.p.m.price[0].input"
    else:
        assert price.input == Decimal(junk.strip().lstrip("$")) and price.input >= 0


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 300_000), st.floats(allow_nan=True),
                    st.text(max_size=8), st.dates(), st.sampled_from(["1.5", "openai", "2025-01-01", "-1"]))
KEYS = st.sampled_from(["kind", "input", "output", "price", "effective_from", "long_context", "above", "batch",
                        "aliases", "context_window", "display_name", "cached_input", "m", "openai", "x"])
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(KEYS, inner, max_size=4)), max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(providers=st.dictionaries(st.sampled_from(["openai", "acme"]), VALUES, max_size=2),
       models=st.dictionaries(st.sampled_from(["openai", "acme", "zz"]),
                              st.dictionaries(st.sampled_from(["m", "gpt-4o"]), VALUES, max_size=2), max_size=2))
def test_any_document_is_loaded_or_refused_with_a_pricing_error(providers, models) -> None:
    """Whatever the shape of a (parsed) file, the loader answers with a table or a PricingError."""
    from promptlab_tui.core.pricing_load import _apply, _build, _Merged, _Source
    from promptlab_tui.core.toml_positions import TomlPositions

    source = _Source(Path("fuzz.toml"), "shipped", TomlPositions(""))
    merged = _Merged()
    try:
        _apply({"providers": providers, "models": models}, source, merged)
        table = _build(merged, [source])
    except PricingError as error:
        assert error.issues and all(issue.file == "fuzz.toml" for issue in error.issues)
    else:
        for price in table.models():
            assert price.input >= 0 and price.output >= 0
