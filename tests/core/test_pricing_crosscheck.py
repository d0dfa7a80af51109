"""The shipped pricing.toml agrees with pydantic's genai-prices wherever genai-prices knows the model.

A stale or mistyped price fails here, naming the model, the field and both figures.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

genai_data = pytest.importorskip("genai_prices.data")
from genai_prices.types import TieredPrices  # noqa: E402

from promptlab_tui.core.pricing import ModelPrice, load_pricing, request_rates  # noqa: E402

NOW = datetime.now(timezone.utc)
FIELDS = {  # genai-prices key -> our field
    "input_mtok": "input",
    "output_mtok": "output",
    "cache_read_mtok": "cached_input",
    "cache_write_mtok": "cache_write",
    "cache_write_1h_mtok": "cache_write_1h",
}
TIER_CONTEXT = {"batch": {"processing": "batch"}, "flex": {"service_tier": "flex"},
                "priority": {"service_tier": "priority"}}
# Models genai-prices does not list; their prices come from the provider's own page (see pricing.toml).
NOT_IN_GENAI = {("cerebras", "llama3.1-70b")}
GENAI_PROVIDERS = {provider.id: provider for provider in genai_data.providers}


def genai_model(price: ModelPrice):
    provider = GENAI_PROVIDERS.get(price.provider)
    if provider is None:
        return None
    for name in (price.request_model, price.model, *price.aliases):
        for model in provider.models:
            if model.is_match(name):
                return model
    return None


TABLE = load_pricing(include_user=False)  # the shipped table alone, whatever the environment
CURRENT = [p for p in TABLE.models() if p.provider in GENAI_PROVIDERS]
HISTORICAL = [entry for p in CURRENT for entry in TABLE.history(p.model, p.provider)
              if entry.version != p.version]


def _compare(ours: ModelPrice, theirs, tier: str) -> list[str]:
    """Every genai-given rate against ours, below and (where tiered) above the long-context threshold."""
    problems = []
    for key, field in FIELDS.items():
        value = getattr(theirs, key, None)
        if value is None:
            continue
        if isinstance(value, TieredPrices):
            cases = [(0, value.base)] + [(tier_.start + 1, tier_.price) for tier_ in value.tiers]
        else:
            cases = [(0, value)]
        for total_input, expected in cases:
            got = getattr(request_rates(ours, tier, total_input), field)
            if got != expected:
                problems.append(f"{ours.provider}/{ours.model} {tier} {field} at {total_input} input tokens: "
                                f"pricing.toml {got} != genai-prices {expected}")
    return problems


@pytest.mark.parametrize("price", CURRENT, ids=lambda p: f"{p.provider}/{p.model}")
def test_current_price_matches_genai_prices(price: ModelPrice) -> None:
    model = genai_model(price)
    if model is None:
        assert (price.provider, price.model) in NOT_IN_GENAI, f"genai-prices has no {price.provider}/{price.model}"
        pytest.skip("not in genai-prices")
    problems = _compare(price, model.get_prices(NOW), "standard")
    for tier, context in TIER_CONTEXT.items():
        if any(tier_context_matches(variant.when, context) for variant in model.price_variants or ()):
            assert tier in price.service_tiers, f"{price.model}: genai-prices has a {tier} tier, pricing.toml not"
            problems += _compare(price, model.get_prices(NOW, context), tier)
    assert not problems, "\n".join(problems)


def tier_context_matches(when: dict[str, str], context: dict[str, str]) -> bool:
    return all(context.get(key) == value for key, value in when.items())


@pytest.mark.parametrize("price", HISTORICAL, ids=lambda p: p.version)
def test_past_price_matches_genai_history(price: ModelPrice) -> None:
    model = genai_model(price)
    if model is None or not isinstance(model.prices, list):
        pytest.skip("genai-prices keeps no history for this model")
    on_the_day = datetime.combine(price.effective_from, datetime.min.time(), tzinfo=timezone.utc)
    theirs = model.get_prices(on_the_day)
    for key in ("input_mtok", "output_mtok"):
        assert getattr(request_rates(price), FIELDS[key]) == getattr(theirs, key), price.version


def test_crosscheck_covers_the_table() -> None:
    """The check must not pass by skipping: nearly every paid model is in genai-prices."""
    checked = [p for p in CURRENT if genai_model(p) is not None]
    assert len(checked) >= 35
    assert {"gpt-4o", "claude-sonnet-4.5", "gemini-2.5-pro", "llama-3.1-8b"} <= {p.model for p in checked}


def test_every_price_is_an_exact_decimal() -> None:
    for price in CURRENT:
        for field in FIELDS.values():
            value = getattr(price, field)
            assert value is None or (isinstance(value, Decimal) and value >= 0)
