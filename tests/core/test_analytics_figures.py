"""Cards, deltas, breakdowns, series and the heat map on hand-built totals (numbers checked by hand)."""

from __future__ import annotations

from datetime import date

from promptlab_tui.core.analytics.figures import Delta, Totals, breakdown, heat_map, series, summary_cards

DOLLAR = 1_000_000_000


def test_cards_show_each_figure_with_its_change_and_count_runs_without_a_price():
    now = Totals(runs=10, input_tokens=8_000, output_tokens=2_000, cached_input_tokens=1_500, cache_write_tokens=500,
                 cost_nanos=6 * DOLLAR, unpriced_runs=3)
    before = Totals(runs=5, input_tokens=4_000, output_tokens=1_000, cost_nanos=4 * DOLLAR)
    cards = summary_cards(now, before, budget_nanos=20 * DOLLAR)
    assert (cards.spent.change, cards.spent.percent) == (2 * DOLLAR, 50.0)
    assert (cards.runs.now, cards.runs.change, cards.runs.percent) == (10, 5, 100.0)
    assert cards.unpriced_runs.now == 3  # "+ 3 runs without a price", never priced at $0
    assert cards.input_tokens == Delta(10_000, 4_000)  # full-rate + cached + cache writes
    assert cards.cached_tokens == Delta(1_500, 0) and cards.cached_tokens.percent is None
    # $6 over the 7 priced runs = $0.857142857..., half-up to the nano; before $0.80
    assert cards.avg_cost == Delta(857_142_857, 800_000_000)
    assert cards.budget_percent == 30.0


def test_breakdown_rows_carry_share_and_change_and_sum_to_the_total():
    now = {("openai", "gpt-4o"): Totals(runs=4, cost_nanos=3 * DOLLAR),
           ("openai", "gpt-4o-mini"): Totals(runs=6, cost_nanos=DOLLAR),
           ("local", "mystery"): Totals(runs=2, unpriced_runs=2)}
    before = {("openai", "gpt-4o"): Totals(runs=2, cost_nanos=2 * DOLLAR)}
    result = breakdown("model", now, before)
    assert [(r.provider, r.key) for r in result.rows] == [("openai", "gpt-4o"), ("openai", "gpt-4o-mini"),
                                                           ("local", "mystery")]
    assert [r.share for r in result.rows] == [0.75, 0.25, 0.0]
    assert result.rows[0].change == Delta(3 * DOLLAR, 2 * DOLLAR) and result.rows[1].change.percent is None
    assert result.total.cost_nanos == sum(r.totals.cost_nanos for r in result.rows) == 4 * DOLLAR
    assert result.total.runs == 12 and result.total.unpriced_runs == 2 and result.note is None


def test_by_tag_a_run_counts_in_each_tag_and_the_table_says_so():
    period_total = Totals(runs=3, cost_nanos=3 * DOLLAR)  # one run tagged a+b, one a, one untagged
    now = {("a",): Totals(runs=2, cost_nanos=2 * DOLLAR), ("b",): Totals(runs=1, cost_nanos=DOLLAR),
           ("",): Totals(runs=1, cost_nanos=DOLLAR)}
    result = breakdown("tag", now, {}, period_total)
    assert sum(r.totals.runs for r in result.rows) == 4 > result.total.runs
    assert "counts in each" in result.note
    assert [r.label for r in result.rows] == ["a", "(untagged)", "b"]


def test_series_fill_empty_days_and_bucket_by_iso_week_and_month():
    daily = {date(2026, 11, 29): Totals(runs=1, cost_nanos=5), date(2026, 11, 30): Totals(runs=2, cost_nanos=7),
             date(2026, 12, 2): Totals(runs=1, cost_nanos=11)}
    days = series(daily, date(2026, 11, 29), date(2026, 12, 3))
    assert [(p.label, p.totals.cost_nanos) for p in days] == [
        ("2026-11-29", 5), ("2026-11-30", 7), ("2026-12-01", 0), ("2026-12-02", 11)]
    weeks = series(daily, date(2026, 11, 29), date(2026, 12, 3), "week")
    assert [(p.label, p.totals.cost_nanos) for p in weeks] == [("2026-W48", 5), ("2026-W49", 18)]
    months = series(daily, date(2026, 11, 29), date(2026, 12, 3), "month")
    assert [(p.label, p.totals.runs) for p in months] == [("2026-11", 3), ("2026-12", 1)]
    assert sum(p.totals.cost_nanos for p in months) == sum(t.cost_nanos for t in daily.values())


def test_heat_map_puts_spend_on_its_local_weekday_and_hour():
    hourly = {(date(2026, 12, 7), 9): Totals(runs=2, cost_nanos=30),  # Monday 09:00
              (date(2026, 12, 14), 9): Totals(runs=1, cost_nanos=12),  # the next Monday
              (date(2026, 12, 12), 22): Totals(runs=1, cost_nanos=40)}  # Saturday 22:00
    result = heat_map(hourly)
    assert result.cost_nanos[0][9] == 42 and result.runs[0][9] == 3
    assert result.cost_nanos[5][22] == 40 and result.peak == (0, 9)
    assert sum(map(sum, result.cost_nanos)) == 82
