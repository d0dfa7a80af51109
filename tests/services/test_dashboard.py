"""The dashboard use case on a small hand-built history with a fixed clock: every figure checked by hand."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.types import CostBreakdown, Usage
from promptlab_tui.services.context import ServiceContext
from promptlab_tui.services.dashboard import DashboardService
from promptlab_tui.services.dashboard_activity import ActivityQuery
from promptlab_tui.store.repository import HistoryRepository

UTC = timezone.utc
NOW = datetime(2026, 11, 12, 12, tzinfo=UTC)  # Thursday noon
DOLLAR = 1_000_000_000
GPT4O, MINI = ("2.50", "10.00"), ("0.15", "0.60")
RUNS = [  # when, model, prompt, input, output, cost (None: no price)
    (datetime(2026, 10, 5, 10, tzinfo=UTC), "gpt-4o", "summarise", 100_000, 10_000, 350_000_000),
    (datetime(2026, 11, 2, 9, tzinfo=UTC), "gpt-4o", "summarise", 200_000, 20_000, 700_000_000),
    (datetime(2026, 11, 3, 14, tzinfo=UTC), "gpt-4o", "summarise", 200_000, 20_000, 700_000_000),
    (datetime(2026, 11, 10, 14, 30, tzinfo=UTC), "gpt-4o-mini", "classify", 1_000_000, 100_000, 210_000_000),
    (datetime(2026, 11, 12, 8, tzinfo=UTC), "mystery-model", "classify", 500, 50, None),
    (datetime(2026, 11, 12, 10, tzinfo=UTC), "gpt-4o-mini", "classify", 1_000_000, 100_000, 210_000_000),
]


def record(repo: HistoryRepository, when, model, prompt, tokens_in, tokens_out, cost) -> str:
    text = json.dumps([{"role": "user", "content": f"{prompt} this"}])
    reservation = repo.reserve_run(PendingRun("openai", model, 200_000, tokens_in, tokens_out, cost, cost,
                                              prompt_name=prompt, prompt_id=f"fp-{prompt}", prompt_text=text,
                                              created_at=when, source="lab"), None, now=when)
    breakdown = None if cost is None else CostBreakdown(
        input_nanos=cost * 5 // 7, output_nanos=cost - cost * 5 // 7,
        price_version=f"openai/{model}@test")
    repo.settle_run(reservation.run_id, Usage(input_tokens=tokens_in, output_tokens=tokens_out), breakdown,
                    "completed", response_text="done", duration_ms=1200, finished_at=when)
    return reservation.run_id


@pytest.fixture
def dashboard() -> DashboardService:
    repo = HistoryRepository()
    repo.save_budget(BudgetSettings(timezone="UTC", monthly_limit_nanos=10 * DOLLAR))
    for run in RUNS:
        record(repo, *run)
    return DashboardService(ServiceContext(repository=repo), clock=lambda: NOW)


def test_the_month_s_cards_breakdown_and_heat_map(dashboard):
    view = dashboard.overview(dashboard.period("month"))
    cards = view.cards
    assert (view.period.first, view.period.last) == (date(2026, 11, 1), date(2026, 11, 30))
    assert (view.comparison.first, view.comparison.last) == (date(2026, 10, 1), date(2026, 10, 12))
    assert (cards.spent.now, cards.spent.before, cards.spent.change) == (1_820_000_000, 350_000_000, 1_470_000_000)
    assert cards.spent.percent == 420.0 and cards.runs.now == 5 and cards.unpriced_runs.now == 1
    assert cards.budget_nanos == 10 * DOLLAR and round(cards.budget_percent, 1) == 18.2
    assert cards.avg_cost.now == 455_000_000  # $1.82 over the 4 priced runs
    rows = [(r.key, r.totals.runs, r.totals.cost_nanos, r.change.percent) for r in view.breakdown.rows]
    assert rows == [("gpt-4o", 2, 1_400_000_000, 300.0), ("gpt-4o-mini", 2, 420_000_000, None),
                    ("mystery-model", 1, 0, None)]
    assert [r.key for r in view.top_prompts] == ["summarise", "classify"]
    assert view.heat_map.peak == (1, 14) and view.heat_map.cost_nanos[1][14] == 910_000_000  # Tuesdays 14:00
    assert len(view.daily) == 30 and sum(p.totals.cost_nanos for p in view.daily) == cards.spent.now
    assert view.has_history and not view.empty


def test_the_forecast_follows_the_weekday_pattern_of_the_trailing_four_weeks(dashboard):
    forecast = dashboard.overview(dashboard.period("month")).forecast
    # Mondays of Oct 15..Nov 11: 0, 0, $0.70, 0 (mean $0.175); Tuesdays 0, 0, $0.70, $0.21 (mean $0.2275); others 0.
    # Still to come: Mondays 16, 23, 30 and Tuesdays 17, 24 -> $0.525 + $0.455 on top of $1.82 spent.
    assert forecast.spent_nanos == 1_820_000_000 and forecast.projected_nanos == 2_800_000_000
    assert (forecast.low_nanos, forecast.high_nanos) == (1_820_000_000, 1_820_000_000 + 5 * 700_000_000)
    assert forecast.budget_reached_on is None and forecast.burn_rate_per_hour_nanos == 17_500_000  # $0.21 / 12 h


def test_what_if_re_prices_the_period_on_another_model(dashboard):
    result = dashboard.what_if(dashboard.period("month"), "gpt-4o-mini")
    # gpt-4o's 400K in / 40K out at $0.15 / $0.60 per M = $0.084; gpt-4o-mini's own $0.42; the unpriced run's
    # 500 in / 50 out = $0.000105 (no actual to compare with)
    assert result.actual_nanos == 1_820_000_000 and result.on_target_nanos == 84_000_000 + 420_000_000 + 105_000
    assert result.difference_nanos == 84_000_000 - 1_400_000_000 and result.unpriced_runs == 1
    with pytest.raises(ValueError, match="has no price"):
        dashboard.what_if(dashboard.period("month"), "no-such-model")


def test_recommendations_with_savings_from_the_user_s_runs(dashboard):
    view = dashboard.recommendations(dashboard.period("month"), min_savings_nanos=0)
    found = [(r.kind, r.model, r.prompt, r.savings_nanos) for r in view.items]
    assert found == [("switch_model", "gpt-4o", "summarise", 1_400_000_000 - 84_000_000),
                     ("use_caching", "gpt-4o", "summarise", 200_000 * 1_250),  # 200K repeated tokens, $2.50 -> $1.25
                     ("use_caching", "gpt-4o-mini", "classify", 1_000_000 * 75)]  # 1M repeated, $0.15 -> $0.075
    assert view.items[0].title == "gpt-4o runs of prompt summarise: $1.40 this month; on gpt-4o-mini $0.0840 (-94 %)"
    assert view.days == 12 and view.items[0].monthly_savings_nanos == 1_316_000_000 * 30 // 12
    assert view.potential_monthly_savings_nanos == (1_316_000_000 + 250_000_000 + 75_000_000) * 30 // 12


def test_accuracy_and_efficiency_cover_the_period(dashboard):
    period = dashboard.period("month")
    assert {a.model: a.runs for a in dashboard.accuracy(period)} == {"gpt-4o": 2, "gpt-4o-mini": 2,
                                                                    "mystery-model": 1}
    scores = {e.prompt: e for e in dashboard.efficiency(period)}
    assert set(scores) == {"summarise", "classify"}
    assert "own history" in scores["summarise"].explanation  # was $0.35 a run in October, now $0.70


def test_activity_pages_and_run_detail(dashboard):
    first = dashboard.activity(ActivityQuery(sort="cost", limit=2))
    assert [r.cost_nanos for r in first.runs] == [700_000_000, 700_000_000] and first.next_cursor is not None
    second = dashboard.activity(ActivityQuery(sort="cost", limit=2), first.next_cursor)
    assert [r.cost_nanos for r in second.runs] == [350_000_000, 210_000_000]
    detail = dashboard.run_detail(first.runs[0].id)
    assert detail.messages[0].content == "summarise this" and detail.answer == "done"
    assert [(line.label, line.tokens, line.cost_nanos) for line in detail.cost_lines] == [
        ("input", 200_000, 500_000_000), ("output", 20_000, 200_000_000)]
    assert detail.total_cost_nanos == sum(line.cost_nanos for line in detail.cost_lines)
    assert (detail.estimate_input_tokens, detail.actual_input_tokens, detail.cost_error_nanos) == (200_000, 200_000, 0)
    assert detail.duration_ms == 1200 and detail.run.source == "lab" and dashboard.run_detail("nope") is None


def test_the_change_token_moves_when_a_run_settles_here_or_in_another_connection(dashboard):
    before = dashboard.change_token()
    assert dashboard.change_token() == before  # nothing happened: the screen keeps what it shows
    record(dashboard.context.repository, NOW, "gpt-4o-mini", "classify", 10, 10, 9)
    after_own = dashboard.change_token()
    assert after_own != before
    other = HistoryRepository(dashboard.context.repository.path)  # another process's view of the same file
    record(other, NOW, "gpt-4o", "summarise", 10, 10, 7)
    other.close()
    assert dashboard.change_token() != after_own


def test_stepping_periods_and_an_empty_history():
    service = DashboardService(clock=lambda: NOW)
    view = service.overview(service.period("month").previous(), "tag")
    assert view.empty and not view.has_history and view.forecast.projected_nanos == 0
    assert (view.period.first, view.period.last) == (date(2026, 10, 1), date(2026, 10, 31))


def test_a_recommendation_is_applied_to_its_saved_prompt_undone_and_its_effect_shown(dashboard, tmp_path):
    from promptlab_tui.core.promptfile import load_prompt_file
    from promptlab_tui.services.dashboard_apply import ChangeConflict

    path = tmp_path / "summarise.md"
    path.write_text('+++\nname = "summarise"\nmodel = "gpt-4o"\nmax_tokens = 2048\n+++\n\nSummarise this.\n')
    dashboard.context.repository.save_prompt_ref("summarise", str(path))
    rec = dashboard.recommendations(dashboard.period("month"), min_savings_nanos=0).items[0]
    assert rec.change is not None and (rec.change.old, rec.change.new) == ("gpt-4o", "gpt-4o-mini")
    applied = dashboard.apply(rec.change)
    assert load_prompt_file(path).model == "gpt-4o-mini"
    (shown,) = dashboard.achieved()
    assert shown.before_nanos == 700_000_000 and shown.runs_after == 0  # $0.70 a run in the 30 days before
    dashboard.undo(applied)
    assert load_prompt_file(path).model == "gpt-4o" and dashboard.achieved() == []
    with pytest.raises(ChangeConflict, match="now has model gpt-4o, not gpt-4.1"):
        dashboard.apply(type(rec.change)("summarise", "model", "gpt-4.1", "gpt-4o-mini"))
    assert load_prompt_file(path).model == "gpt-4o"


def test_when_the_daily_totals_are_kept_in_another_zone_the_dashboard_says_so_and_how_to_recount(monkeypatch):
    """No budget: periods follow the machine's zone. Totals kept in the zone the machine had at the first run
    still give the right figures (read from each run), and the head says why it is slower and what recounts."""
    from promptlab_tui.widgets.dashboard.dashboard_figures import head_text

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    repo = HistoryRepository()
    for run in RUNS:
        record(repo, *run)
    monkeypatch.setenv("TZ", "UTC")  # the machine moved
    service = DashboardService(ServiceContext(repository=repo), clock=lambda: NOW)
    view = service.overview(service.period("month"))
    assert view.totals_zone == "Asia/Tokyo" and view.timezone == "UTC"
    assert view.cards.spent.now == 1_820_000_000  # November in UTC, as with a budget in UTC (above)
    assert ("Daily totals are kept in Asia/Tokyo, periods here in UTC: figures are read from each run (slower). "
            "`promptlab budget set --timezone UTC` recounts them.") in head_text(view)
    repo.save_budget(BudgetSettings(timezone="UTC"))  # what `budget set --timezone UTC` does
    view = service.overview(service.period("month"))
    assert view.totals_zone is None and "Daily totals" not in head_text(view)
    assert view.cards.spent.now == 1_820_000_000
