"""The estimate before a run: input tokens, predicted output, expected and worst-case cost, comparisons."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from promptlab_tui.core.estimate import (
    TYPICAL_OUTPUT_TOKENS,
    alternatives_tips,
    compare_models,
    comparison_tip,
    estimate_json,
    estimate_run_cost,
)
from promptlab_tui.core.pricing import cost_of_usage, load_pricing, worst_case_cost
from promptlab_tui.core.tokens import count_messages
from promptlab_tui.core.types import ChatMessage, PromptSpec, TokenCount, Usage


@dataclass(frozen=True)
class Stats:
    mean: int
    p90: int
    count: int


@pytest.fixture
def vocab() -> None:
    """Checked when the test runs (after conftest has pointed TIKTOKEN_CACHE_DIR at the vocabularies)."""
    from promptlab_tui.core.tokens import get_encoding

    if get_encoding("o200k_base") is None:
        pytest.skip("tiktoken vocabularies not cached")


@pytest.fixture
def pricing():
    return load_pricing()


def prompt(model: str = "gpt-4o-mini", max_tokens: int = 1024, text: str = "Summarise this text. " * 20):
    return PromptSpec(messages=[ChatMessage("system", "Be brief."), ChatMessage("user", text)],
                      model=model, max_tokens=max_tokens)


@pytest.mark.usefixtures("vocab")
def test_openai_estimate_is_exact_and_priced(pricing) -> None:
    spec = prompt()
    estimate = estimate_run_cost(spec, pricing)
    assert estimate.input == count_messages(spec.messages, "gpt-4o-mini") and estimate.input.exact
    assert estimate.priced and estimate.price_version == "openai/gpt-4o-mini@2024-07-18"
    assert estimate.expected_output_tokens == TYPICAL_OUTPUT_TOKENS and "no history" in estimate.output_basis
    price = pricing.resolve("gpt-4o-mini")
    usage = Usage(input_tokens=estimate.input.tokens, output_tokens=TYPICAL_OUTPUT_TOKENS)
    assert estimate.expected_cost_nanos == cost_of_usage(price, usage).total_nanos
    assert estimate.worst_cost_nanos == worst_case_cost(price, estimate.input.tokens, 1024)
    assert estimate.expected_cost_nanos <= estimate.p90_cost_nanos <= estimate.worst_cost_nanos


def test_history_sets_expected_and_p90_output(pricing) -> None:
    estimate = estimate_run_cost(prompt(max_tokens=2000), pricing, output_stats=Stats(mean=150, p90=700, count=12))
    assert (estimate.expected_output_tokens, estimate.p90_output_tokens) == (150, 700)
    assert estimate.output_basis == "history (12 runs)"
    capped = estimate_run_cost(prompt(max_tokens=100), pricing, output_stats=Stats(mean=150, p90=700, count=12))
    assert (capped.expected_output_tokens, capped.p90_output_tokens, capped.max_output_tokens) == (100, 100, 100)


def test_worst_case_is_clamped_to_the_models_max_output(pricing) -> None:
    estimate = estimate_run_cost(prompt(model="gpt-4-turbo", max_tokens=50_000), pricing)
    assert estimate.max_output_tokens == 4_096
    assert any("4,096" in warning for warning in estimate.warnings)


def test_reasoning_models_expect_more_output(pricing) -> None:
    plain = estimate_run_cost(prompt(model="gpt-4.1", max_tokens=50_000), pricing)
    reasoning = estimate_run_cost(prompt(model="o3", max_tokens=50_000), pricing)
    assert reasoning.expected_output_tokens > plain.expected_output_tokens


def test_unknown_model_is_estimated_but_unpriced(pricing) -> None:
    estimate = estimate_run_cost(prompt(model="house-llm-7b"), pricing)
    assert not estimate.priced and estimate.price_version is None
    assert (estimate.expected_cost_nanos, estimate.p90_cost_nanos, estimate.worst_cost_nanos) == (None, None, None)
    assert estimate.input.tokens > 0 and not estimate.input.exact
    data = estimate_json(estimate)
    assert data["cost"]["expected_usd"] is None and data["priced"] is False


def test_approximate_count_uses_calibration(pricing) -> None:
    raw = estimate_run_cost(prompt(model="claude-sonnet-4.5"), pricing)
    calibrated = estimate_run_cost(prompt(model="claude-sonnet-4.5"), pricing, calibration=1.5)
    assert not raw.input.exact and calibrated.input.method == "approx:calibrated"
    assert calibrated.input.tokens > raw.input.tokens


def test_a_given_count_is_used_as_is(pricing) -> None:
    count = TokenCount(123_456, exact=True, method="o200k_base")
    estimate = estimate_run_cost(prompt(), pricing, input_count=count)
    assert estimate.input is count


def test_compare_models_sorted_by_expected_cost(pricing) -> None:
    estimates = compare_models(prompt(), pricing)
    costs = [e.expected_cost_nanos for e in estimates]
    assert costs == sorted(costs) and all(c is not None and c > 0 for c in costs)
    assert "gpt-4o" in {e.model for e in estimates}
    assert not any(e.model in ("gpt-4", "llama3.1") for e in estimates)  # legacy and free models left out
    chosen = compare_models(prompt(), pricing, models=["gpt-4o", "no-such-model", "gpt-4.1-nano"])
    assert [e.model for e in chosen] == ["gpt-4.1-nano", "gpt-4o", "no-such-model"]


def test_tip_text_says_how_many_times_more_or_less(pricing) -> None:
    base = estimate_run_cost(prompt(model="gpt-4o-mini"), pricing)
    pricier = estimate_run_cost(prompt(model="gpt-4o"), pricing)
    cheaper = estimate_run_cost(prompt(model="gpt-4.1-nano"), pricing)
    assert comparison_tip(base, pricier).startswith("gpt-4o would cost $")
    assert comparison_tip(base, pricier).endswith("16.7x more")  # same tokens: gpt-4o's prices are 16.67x
    assert comparison_tip(base, cheaper).endswith("x less")
    assert comparison_tip(base, base).endswith("the same")
    tips = alternatives_tips(base, compare_models(prompt(), pricing))
    assert len(tips) == 2 and tips[0].endswith("less") and tips[1].endswith("more")


def test_json_costs_are_exact_strings_and_integers(pricing) -> None:
    data = estimate_json(estimate_run_cost(prompt(), pricing))
    assert set(data["output_tokens"]) == {"expected", "p90", "max", "basis"}
    cost = data["cost"]
    assert isinstance(cost["worst_nanos"], int) and isinstance(cost["worst_usd"], str)
    from decimal import Decimal

    assert Decimal(cost["worst_usd"]) * 1_000_000_000 == cost["worst_nanos"]


def test_compare_models_reuses_counts_the_caller_has(pricing) -> None:
    asked = []

    def count_for(key: str) -> TokenCount | None:
        asked.append(key)
        return TokenCount(1_000, exact=True, method=key) if key == "o200k_base" else None

    estimates = compare_models(prompt(), pricing, count_for=count_for)
    assert asked.count("o200k_base") == 1
    assert all(e.input.tokens == 1_000 for e in estimates if e.provider == "openai")
