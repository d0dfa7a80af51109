"""Estimate accuracy by model and the prompt efficiency score, on hand-built runs."""

from __future__ import annotations

from promptlab_tui.core.analytics.figures import Totals
from promptlab_tui.core.analytics.quality import EstimateRow, estimate_accuracy, prompt_efficiency
from promptlab_tui.core.analytics.recommend import OutputSample


def test_accuracy_reports_exact_inputs_and_error_percentiles_per_model():
    rows = [EstimateRow("m", 100, 100, 50, 60, 1_000, 1_100), EstimateRow("m", 100, 100, 50, 30, 1_000, 800),
            EstimateRow("m", 200, 210, 50, 80, 2_000, 2_000), EstimateRow("m", 10, 10, 50, 90, None, 500),
            EstimateRow("n", 5, 5, 5, 5, 10, 10)]
    m, n = estimate_accuracy(rows)
    assert (m.model, m.runs, m.input_exact) == ("m", 4, 3) and m.input_exact_share == 0.75
    # output errors 10, 20, 30, 40: nearest rank p50 = 20, p90 = 40
    assert (m.output_error_p50, m.output_error_p90) == (20, 40)
    # cost errors over runs with both: 100, 200, 0 -> p50 100, p90 200; bias (1000-1100)+(1000-800)+0 = 100
    assert (m.cost_error_p50_nanos, m.cost_error_p90_nanos, m.cost_bias_nanos) == (100, 200, 100)
    assert round(m.cost_error_p90_percent) == 25  # 200 of 800
    assert (n.runs, n.output_error_p90, n.cost_error_p50_percent) == (1, 0, 0.0)


def test_efficiency_score_is_explained_part_by_part():
    cent = 10_000_000
    now = {"a": Totals(runs=10, input_tokens=500, cost_nanos=200 * cent),  # $0.20 per run
           "b": Totals(runs=10, input_tokens=12_000, cached_input_tokens=8_000, cost_nanos=100 * cent)}  # $0.10
    before = {"a": Totals(runs=10, cost_nanos=100 * cent)}  # a: was $0.10 per run
    samples = {"a": OutputSample([100, 100], [1000, 1000])}  # 10 % of max tokens used
    scores = {e.prompt: e for e in prompt_efficiency(now, before, samples)}
    a, b = scores["a"], scores["b"]
    # a: own history 25 x 0.10/0.20 = 12.5; peers (median of $0.10, $0.20 = $0.10) 12.5; output 25 x 0.2 = 5 -> 30/75
    assert [round(p.points, 1) for p in a.parts] == [12.5, 12.5, 5.0] and a.score == 40
    assert "$0.20 per run, was $0.10 (+100 %)" in a.explanation and "median prompt's $0.10" in a.explanation
    assert "answers use 10 % of max tokens" in a.explanation
    # b: peers 25 (at the median); cache hits: 8,000 of 20,000 input tokens = 40 % -> 25 x 0.8 = 20 -> 45 of 50
    assert [p.name for p in b.parts] == ["peers", "cache hits"] and b.score == 90
    assert prompt_efficiency(now, before, samples)[0].prompt == "a"  # lowest score first
