"""What-if re-pricing and recommendations: savings from the runs' own token counts, checked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from promptlab_tui.core.analytics import recommend
from promptlab_tui.core.analytics.figures import Totals
from promptlab_tui.core.analytics.recommend import OutputSample
from promptlab_tui.core.analytics.repricing import UsageGroup, reprice, what_if
from promptlab_tui.core.pricing import ModelPrice

DOLLAR = 1_000_000_000


def price(model: str, input_: str, output: str, cached: str | None = None, cache_write: str | None = None):
    return ModelPrice(provider="openai", model=model, display_name=model, input=Decimal(input_),
                      output=Decimal(output), effective_from=date(2024, 1, 1), version=f"openai/{model}@2024-01-01",
                      cached_input=None if cached is None else Decimal(cached),
                      cache_write=None if cache_write is None else Decimal(cache_write))


BIG = price("big", "2.50", "10.00", "1.25")
SMALL = price("big-mini", "0.15", "0.60", "0.075")
PRICES = {"big": BIG, "big-mini": SMALL}


def price_of(_provider: str, model: str):
    return PRICES.get(model)


# 10 runs: 1M input tokens, 200K output: $2.50 + $2.00 at BIG's prices
GROUP = UsageGroup("openai", "big", "summarise", Totals(runs=10, input_tokens=1_000_000, output_tokens=200_000,
                                                        cost_nanos=4_500_000_000))


def test_reprice_and_what_if_use_the_runs_token_counts():
    assert reprice(BIG, GROUP.totals) == 4_500_000_000
    assert reprice(SMALL, GROUP.totals) == 150_000_000 + 120_000_000
    cached = Totals(runs=2, input_tokens=1_000, cached_input_tokens=3_000, output_tokens=100)
    assert reprice(BIG, cached) == 2_500_000 + 3_750_000 + 1_000_000
    result = what_if(SMALL, [("openai", "big", GROUP.totals), ("x", "unpriced", Totals(runs=2, unpriced_runs=2,
                                                                                       input_tokens=1_000_000))])
    assert result.actual_nanos == 4_500_000_000 and result.unpriced_runs == 2
    assert result.on_target_nanos == 270_000_000 + 150_000_000
    assert result.difference_nanos == 270_000_000 - 4_500_000_000  # runs without a price have no actual to compare
    assert round(result.change_percent) == -94


def test_switching_to_a_cheaper_model_saves_the_difference_on_the_same_tokens():
    recs = recommend.switch_model([GROUP], price_of, lambda p, m: [SMALL] if m == "big" else [], days=15,
                                  label="this month", saved={"summarise"}, min_savings_nanos=0)
    (rec,) = recs
    assert rec.savings_nanos == 4_500_000_000 - 270_000_000
    assert rec.monthly_savings_nanos == 2 * rec.savings_nanos  # 15 days of runs -> 30
    assert rec.title == "big runs of prompt summarise: $4.50 this month; on big-mini $0.27 (-94 %)"
    assert "1,000,000 input tokens" in rec.how and "re-priced" in rec.how
    assert rec.change is not None and (rec.change.field, rec.change.old, rec.change.new) == ("model", "big", "big-mini")


def test_a_prompt_whose_input_grew_costs_its_extra_tokens():
    before = {"summarise": Totals(runs=4, input_tokens=4_000)}
    now = [UsageGroup("openai", "big", "summarise", Totals(runs=3, input_tokens=4_500, cost_nanos=DOLLAR)),
           UsageGroup("openai", "big-mini", "summarise", Totals(runs=2, input_tokens=3_000, cost_nanos=DOLLAR))]
    (rec,) = recommend.input_grew(now, before, price_of, days=30, min_savings_nanos=0)
    # 1,000 -> 1,500 tokens per run; 7,500 - 5 x 1,000 = 2,500 extra tokens, shared by input tokens:
    # 1,500 at big's $2.50/M + 1,000 at big-mini's $0.15/M
    assert rec.savings_nanos == 3_750_000 + 150_000 and "from 1,000 to 1,500 tokens per run (+50 %)" in rec.title
    assert rec.model == "big" and "(big, big-mini)" in rec.how


def test_max_tokens_far_above_the_p99_of_outputs_is_flagged_without_claiming_a_bill_saving():
    heavy = UsageGroup("openai", "big", "draft", Totals(runs=100, input_tokens=1_000, output_tokens=5_050,
                                                        cost_nanos=DOLLAR))
    sample = OutputSample(outputs=list(range(1, 101)), max_tokens=[2048] * 100)
    (rec,) = recommend.lower_max_tokens([heavy], {("openai", "big", "draft"): sample}, price_of, saved={"draft"})
    # p99 of 1..100 = 99; suggested 99 * 1.25 = 123 -> 128 (multiples of 64); 1,920 fewer tokens reserved at $10/M
    assert "99 % of answers use at most 99 tokens; 128 would do" in rec.title
    assert rec.savings_nanos == 0 and rec.reserve_freed_nanos == 19_200_000
    assert rec.change.field == "max_tokens" and rec.change.new == 128


def test_repeated_identical_inputs_are_priced_at_the_cached_rate():
    inputs = [("openai", "big", "fp1", Totals(runs=4, input_tokens=40_000)),
              ("openai", "big", "fp2", Totals(runs=1, input_tokens=10_000))]  # once: nothing to cache
    (rec,) = recommend.use_caching(inputs, {"fp1": "summarise"}, price_of, days=30, min_savings_nanos=0)
    # 30,000 repeated tokens: $2.50/M -> $1.25/M
    assert rec.savings_nanos == 37_500_000 and rec.prompt == "summarise" and "4 runs of the same input" in rec.title


def test_excessive_context_for_short_answers_is_flagged_with_the_trimmed_tokens_cost():
    group = UsageGroup("openai", "big", "lookup", Totals(runs=3, input_tokens=30_000, output_tokens=300,
                                                         cost_nanos=DOLLAR))
    (rec,) = recommend.trim_context([group], price_of, days=30, min_savings_nanos=0)
    assert rec.savings_nanos == 45_000_000  # (10,000 - 4,000) x 3 tokens at $2.50/M
    assert rec.title == "prompt lookup on big: 10,000 input tokens per run for 100-token answers"


def test_potential_savings_count_each_prompt_s_largest_recommendation_once():
    a = recommend.Recommendation("switch_model", "", "", 10, 100, "openai", "big", "p")
    b = recommend.Recommendation("trim_context", "", "", 5, 50, "openai", "big", "p")
    c = recommend.Recommendation("switch_model", "", "", 7, 70, "openai", "big", "q")
    assert recommend.potential_monthly_savings([a, b, c]) == 170
