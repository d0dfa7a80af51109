"""Resolving names to prices, price history, the user's overrides, and what a usage costs."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from promptlab_tui.core.money import format_usd
from promptlab_tui.core.pricing import (
    cost_of_usage,
    format_total,
    load_pricing,
    split_version,
    worst_case_cost,
)
from promptlab_tui.core.types import Usage
from promptlab_tui.paths import app_paths


@pytest.fixture
def table():
    return load_pricing()


@pytest.mark.parametrize(
    ("name", "provider", "family"),
    [
        ("gpt-4o", None, "gpt-4o"),
        ("gpt-4o-2024-08-06", None, "gpt-4o"),
        ("gpt-4o-2024-11-20", None, "gpt-4o"),
        ("GPT-4o-2024-11-20", None, "gpt-4o"),
        ("openai/gpt-4o", None, "gpt-4o"),
        ("gpt-4o-2027-01-01", None, "gpt-4o"),  # a future snapshot resolves to its family
        ("gpt-4o-2024-05-13", None, "gpt-4o-2024-05-13"),  # priced apart, so not the family
        ("claude-3-5-sonnet-20241022", None, "claude-3.5-sonnet"),
        ("anthropic/claude-sonnet-4-5-20250929", None, "claude-sonnet-4.5"),
        ("claude-haiku-4-5", "anthropic", "claude-haiku-4.5"),
        ("models/gemini-2.5-pro", None, "gemini-2.5-pro"),
        ("meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", "together", "llama-3.1-70b"),
        ("cerebras/llama3.1-8b", None, "llama3.1-8b"),
        ("meta-llama/llama-3.1-8b-instruct", "openrouter", "meta-llama/llama-3.1-8b-instruct"),
    ],
)
def test_names_resolve_to_their_priced_family(table, name: str, provider: str | None, family: str) -> None:
    price = table.resolve(name, provider)
    assert price is not None and price.model == family


def test_openrouter_prices_vendor_routes_at_the_vendors_price(table) -> None:
    routed = table.resolve("openai/gpt-4o", provider="openrouter")
    assert routed is not None and routed.provider == "openai" and routed.input == Decimal("2.50")


def test_a_provider_filter_never_borrows_another_providers_price(table) -> None:
    assert table.resolve("gpt-4o", provider="anthropic") is None
    assert table.resolve("gpt-4o", provider="together") is None


def test_unknown_model_has_no_price_never_zero(table) -> None:
    assert table.resolve("my-finetune-xyz") is None
    assert table.resolve("acme/gpt-4o") is None or table.resolve("acme/gpt-4o").provider != "acme"
    assert format_usd(None) == "no price"


def test_local_models_are_free_even_unlisted(table) -> None:
    listed = table.resolve("llama3.1:8b", provider="ollama")
    assert listed is not None and listed.is_free and listed.model == "llama3.1"
    unlisted = table.resolve("deepseek-r1:14b", provider="ollama")
    assert unlisted is not None and unlisted.is_free
    assert cost_of_usage(unlisted, Usage(input_tokens=10_000, output_tokens=5_000)).total_nanos == 0
    assert table.by_version(unlisted.version) is not None


def test_price_history_picks_the_entry_in_effect(table) -> None:
    before = table.resolve("o3", at=date(2025, 5, 1))
    after = table.resolve("o3", at=datetime(2025, 6, 10, 0, 0, tzinfo=timezone.utc))
    assert (before.input, before.output) == (Decimal("10.00"), Decimal("40.00"))
    assert (after.input, after.output) == (Decimal("2.00"), Decimal("8.00"))
    assert before.effective_until == date(2025, 6, 10)
    assert before.version != after.version
    assert [p.version for p in table.history("o3-2025-04-16")] == [before.version, after.version]


def test_by_version_returns_the_price_a_past_run_used(table) -> None:
    old = table.resolve("o3", at=date(2025, 5, 1))
    cost = cost_of_usage(old, Usage(input_tokens=1000, output_tokens=1000), tier="batch")
    assert table.by_version(cost.price_version) == old  # "#batch" does not hide the version
    assert split_version(cost.price_version)[1] == "standard"  # the old o3 entry had no batch price
    assert table.by_version("openai/gpt-4o@1999-01-01") is None


def test_cost_components_follow_each_providers_convention(table) -> None:
    gpt4o = table.resolve("gpt-4o")
    # OpenAI: 1,000 prompt tokens of which 400 cached -> Usage.input_tokens = 600
    cost = cost_of_usage(gpt4o, Usage(input_tokens=600, cached_input_tokens=400, output_tokens=200))
    assert cost.input_nanos == 600 * 2_500  # $2.50/M = 2,500 n$ per token
    assert cost.cached_input_nanos == 400 * 1_250
    assert cost.output_nanos == 200 * 10_000
    assert cost.total_nanos == cost.input_nanos + cost.cached_input_nanos + cost.output_nanos
    sonnet = table.resolve("claude-sonnet-4.5")
    usage = Usage(input_tokens=100, cached_input_tokens=1000, cache_write_tokens=2000,
                  cache_write_1h_tokens=10, output_tokens=50)
    cost = cost_of_usage(sonnet, usage)
    assert cost.cache_write_nanos == 2000 * 3_750 + 10 * 6_000
    assert cost.cached_input_nanos == 1000 * 300


def test_missing_cached_price_bills_cache_reads_at_the_input_rate(table) -> None:
    gpt4 = table.resolve("gpt-4")
    assert gpt4.cached_input is None
    cost = cost_of_usage(gpt4, Usage(cached_input_tokens=1000))
    assert cost.cached_input_nanos == 1000 * 30_000


def test_long_context_tier_applies_above_the_threshold_on_total_input(table) -> None:
    pro = table.resolve("gemini-2.5-pro")
    at_threshold = cost_of_usage(pro, Usage(input_tokens=200_000, output_tokens=1000))
    assert at_threshold.input_nanos == 200_000 * 1_250 and at_threshold.output_nanos == 1000 * 10_000
    # 150K fresh + 50_001 cached = 200,001 total input: every token moves to the long-context rate
    above = cost_of_usage(pro, Usage(input_tokens=150_000, cached_input_tokens=50_001, output_tokens=1000))
    assert above.input_nanos == 150_000 * 2_500
    assert above.cached_input_nanos == 50_001 * 250
    assert above.output_nanos == 1000 * 15_000


def test_service_tiers_multiplier_and_explicit(table) -> None:
    gpt5 = table.resolve("gpt-5")
    usage = Usage(input_tokens=1_000, cached_input_tokens=1_000, output_tokens=1_000)
    standard = cost_of_usage(gpt5, usage)
    batch = cost_of_usage(gpt5, usage, tier="batch")
    priority = cost_of_usage(gpt5, usage, tier="priority")
    assert batch.total_nanos * 2 == standard.total_nanos
    assert priority.total_nanos == standard.total_nanos * 2
    assert batch.price_version.endswith("#batch")
    assert cost_of_usage(gpt5, usage, tier="default") == standard  # OpenAI's name for standard
    pro = table.resolve("gemini-2.5-pro")
    lc_batch = cost_of_usage(pro, Usage(input_tokens=300_000, cached_input_tokens=1_000, output_tokens=10),
                             tier="batch")
    assert lc_batch.input_nanos == 300_000 * 1_250  # batch long-context input $1.25
    assert lc_batch.cached_input_nanos == 1_000 * 250  # caching keeps the standard (long-context) rate


def test_unpriced_tier_falls_back_to_standard(table) -> None:
    gpt4 = table.resolve("gpt-4")
    assert not gpt4.has_tier("flex")
    usage = Usage(input_tokens=10, output_tokens=10)
    assert cost_of_usage(gpt4, usage, "flex").total_nanos == cost_of_usage(gpt4, usage).total_nanos


def test_worst_case_covers_every_output_token(table) -> None:
    mini = table.resolve("gpt-4o-mini")
    assert worst_case_cost(mini, 1_000, 1_024) == 1_000 * 150 + 1_024 * 600
    sonnet4 = table.resolve("claude-sonnet-4")
    assert worst_case_cost(sonnet4, 250_000, 100) == 250_000 * 6_000 + 100 * 22_500


def test_format_total_says_when_runs_have_no_price() -> None:
    assert format_total(12_400_000_000, 0) == "$12.40"
    assert format_total(12_400_000_000, 3) == "$12.40 + 3 runs without a price"
    assert format_total(12_400_000_000, 1) == "$12.40 + 1 run without a price"


def test_user_file_overrides_fields_and_adds_versions(tmp_path: Path) -> None:
    user = app_paths().ensure().user_pricing
    user.write_text(
        '[providers.acme]\nkind = "openai_compatible"\nbase_url = "http://127.0.0.1:1/v1"\n\n'
        '[models.openai."gpt-4o"]\ncontext_window = 64_000\n\n'
        '[[models.openai."gpt-4o".price]]\neffective_from = 2024-08-06\ncached_input = "1.00"\n\n'
        '[[models.openai."gpt-4o-mini".price]]\neffective_from = 2030-01-01\ninput = "0.10"\n\n'
        '[models.acme."house-model"]\naliases = ["hm"]\n'
        '[[models.acme."house-model".price]]\neffective_from = 2025-01-01\ninput = "1"\noutput = "2"\n',
        encoding="utf-8",
    )
    table = load_pricing()
    gpt4o = table.resolve("gpt-4o")
    assert gpt4o.cached_input == Decimal("1.00")  # the field the user gave
    assert gpt4o.input == Decimal("2.50") and gpt4o.output == Decimal("10.00")  # the ones it did not
    assert gpt4o.context_window == 64_000 and gpt4o.max_output == 16_384
    assert gpt4o.source == str(user) and gpt4o.version.endswith("+user")
    mini_now = table.resolve("gpt-4o-mini", at=date(2026, 1, 1))
    mini_later = table.resolve("gpt-4o-mini", at=date(2030, 6, 1))
    assert mini_now.source == "shipped" and mini_now.input == Decimal("0.15")
    assert mini_later.input == Decimal("0.10") and mini_later.output == Decimal("0.60")  # carried over
    assert mini_later.source == str(user)
    house = table.resolve("hm")
    assert house.provider == "acme" and house.output == Decimal("2")
    assert table.resolve("gpt-4.1").source == "shipped"


def test_a_snapshot_priced_apart_by_the_user_wins_over_the_family_alias() -> None:
    app_paths().ensure().user_pricing.write_text(
        '[[models.openai."gpt-4o-2024-08-06".price]]\neffective_from = 2024-08-06\ninput = "2.00"\noutput = "8"\n')
    table = load_pricing()
    assert table.resolve("gpt-4o-2024-08-06").input == Decimal("2.00")
    assert table.resolve("gpt-4o-2024-11-20").input == Decimal("2.50")
