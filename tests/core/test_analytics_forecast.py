"""The forecast on a hand-built history: weekday pattern, range, budget date and burn rate, checked by hand."""

from __future__ import annotations

from datetime import date, timedelta

from promptlab_tui.core.analytics.forecast import forecast
from promptlab_tui.core.analytics.periods import parse_period

DOLLAR = 1_000_000_000
TODAY = date(2026, 12, 10)  # Thursday


def spend_on(day: date) -> int:
    """Weekdays $2, weekends $0.50, and one expensive Monday (Dec 7: $6)."""
    if day == date(2026, 12, 7):
        return 6 * DOLLAR
    return DOLLAR // 2 if day.weekday() >= 5 else 2 * DOLLAR


def history(first: date = date(2026, 10, 1)) -> dict[date, int]:
    return {first + timedelta(days=i): spend_on(first + timedelta(days=i)) for i in range((TODAY - first).days)}


def test_the_month_is_projected_from_the_same_weekdays_of_the_last_four_weeks():
    month = parse_period("month", TODAY)
    result = forecast(month, TODAY, history(), today_cost=DOLLAR, seconds_elapsed=12 * 3600,
                      budget_nanos=40 * DOLLAR, first_recorded=date(2026, 10, 1))
    # Dec 1-9: Tue..Fri 4 x $2, Sat+Sun $1, Mon $6, Tue+Wed $4 = $19; today $1 so far.
    assert result.spent_nanos == 20 * DOLLAR
    # Mondays of Nov 12..Dec 9 were $2, $2, $2, $6: mean $3 (low $2, high $6); other weekdays $2, weekends $0.50.
    # Today: $1 + half a Thursday ($1); Dec 11-31: 12 Tue-Fri x $2 + 3 Mondays x $3 + 6 weekend days x $0.50 = $36.
    assert result.projected_nanos == (19 + 2 + 36) * DOLLAR
    assert result.low_nanos == (20 + 1 + 24 + 3 * 2 + 3) * DOLLAR
    assert result.high_nanos == (20 + 1 + 24 + 3 * 6 + 3) * DOLLAR
    # cumulative: Dec 10 $21, 11 $23, 12 $23.5, 13 $24, 14 (Mon) $27, 15 $29, 16 $31, 17 $33, 18 $35, 19 $35.5,
    # 20 $36, 21 (Mon) $39, 22 $41 >= $40
    assert result.budget_reached_on == date(2026, 12, 22) and result.over_budget
    assert result.burn_rate_per_hour_nanos == DOLLAR // 12  # $1 in 12 hours
    assert "same weekday over the trailing 28 days" in result.method and result.history_days == 28
    assert result.projection[0] == (TODAY, 2 * DOLLAR) and result.projection[-1] == (date(2026, 12, 31), 2 * DOLLAR)
    assert len(result.projection) == 22


def test_with_under_a_week_of_history_the_trailing_mean_is_used_without_a_weekday_pattern():
    week = parse_period("week", TODAY)  # Mon Dec 7 .. Sun Dec 13
    result = forecast(week, TODAY, history(date(2026, 12, 7)), today_cost=0, seconds_elapsed=0,
                      first_recorded=date(2026, 12, 7))
    # 3 closed days: $6, $2, $2 -> mean $3.33 (rounded to the nano); today and 3 more days at that mean.
    mean = (10 * DOLLAR + 1) // 3
    assert result.projected_nanos == 10 * DOLLAR + 4 * mean
    assert (result.low_nanos, result.high_nanos) == (10 * DOLLAR + 4 * 2 * DOLLAR, 10 * DOLLAR + 4 * 6 * DOLLAR)
    assert "no weekday pattern" in result.method and result.budget_reached_on is None


def test_without_history_today_s_hourly_rate_is_carried_forward():
    today = parse_period("today", TODAY)
    result = forecast(today, TODAY, {}, today_cost=3 * DOLLAR, seconds_elapsed=6 * 3600, budget_nanos=10 * DOLLAR)
    assert result.burn_rate_per_hour_nanos == DOLLAR // 2
    assert result.projected_nanos == 12 * DOLLAR  # $0.50 an hour for 24 hours
    assert result.budget_reached_on == TODAY and "today's hourly rate" in result.method


def test_a_period_that_is_over_projects_its_actual_spend():
    november = parse_period("last-month", TODAY)
    result = forecast(november, TODAY, history(), today_cost=DOLLAR, seconds_elapsed=3600, budget_nanos=5 * DOLLAR)
    november_total = sum(spend_on(date(2026, 11, d)) for d in range(1, 31))
    assert result.spent_nanos == result.projected_nanos == result.low_nanos == result.high_nanos == november_total
    assert result.budget_reached_on == date(2026, 11, 4)  # Sun $0.50, Mon-Wed $2 each = $6.50 by the 4th
    assert result.projection == () and "over" in result.method
