"""Dashboard periods: named and custom ranges of local days, stepping, and what deltas compare with."""

from __future__ import annotations

from datetime import date

import pytest

from promptlab_tui.core.analytics.periods import Period, PeriodError, budget_kind, budget_period, parse_period

TODAY = date(2026, 12, 10)  # a Thursday


@pytest.mark.parametrize("text, first, last", [
    ("today", date(2026, 12, 10), date(2026, 12, 10)),
    ("7d", date(2026, 12, 4), date(2026, 12, 10)),
    ("30d", date(2026, 11, 11), date(2026, 12, 10)),
    ("week", date(2026, 12, 7), date(2026, 12, 13)),
    ("this-week", date(2026, 12, 7), date(2026, 12, 13)),
    ("month", date(2026, 12, 1), date(2026, 12, 31)),
    ("last-month", date(2026, 11, 1), date(2026, 11, 30)),
    ("2026-02-27..2026-03-02", date(2026, 2, 27), date(2026, 3, 2)),
])
def test_named_and_custom_periods_cover_the_right_local_days(text, first, last):
    period = parse_period(text, TODAY)
    assert (period.first, period.last) == (first, last)


def test_all_runs_from_the_first_recorded_day_to_today():
    period = parse_period("all", TODAY, first_recorded=date(2026, 6, 3))
    assert (period.first, period.last, period.days) == (date(2026, 6, 3), TODAY, 191)
    assert parse_period("all", TODAY).days == 1  # empty history: just today
    assert parse_period("all", TODAY).comparison(TODAY).days == 0  # nothing before everything


def test_previous_and_next_step_by_the_same_length_or_the_calendar():
    month = parse_period("month", TODAY)
    assert month.previous() == Period("month", date(2026, 11, 1), date(2026, 12, 1))
    assert month.previous().previous().days == 31  # October
    assert month.following() == Period("month", date(2027, 1, 1), date(2027, 2, 1))
    week = parse_period("week", TODAY)
    assert week.previous().first == date(2026, 11, 30) and week.following().first == date(2026, 12, 14)
    seven = parse_period("7d", TODAY)
    assert (seven.previous().first, seven.previous().last) == (date(2026, 11, 27), date(2026, 12, 3))
    custom = parse_period("2026-03-01..2026-03-10", TODAY)
    assert (custom.following().first, custom.following().last) == (date(2026, 3, 11), date(2026, 3, 20))


def test_a_period_in_progress_is_compared_with_the_same_days_of_the_previous_one():
    month = parse_period("month", TODAY)  # 10 days elapsed
    assert month.comparison(TODAY) == Period("month", date(2026, 11, 1), date(2026, 11, 11))
    last = parse_period("last-month", TODAY)  # over: compared whole
    assert last.comparison(TODAY) == Period("last-month", date(2026, 10, 1), date(2026, 11, 1))
    assert parse_period("7d", TODAY).comparison(TODAY).days == 7


@pytest.mark.parametrize("text, says", [
    ("fortnight", "expected one of today, 7d, 30d, week, month, last-month, all or FROM..TO"),
    ("2026-02-30..2026-03-01", "expected real dates"),
    ("2026-03-05..2026-03-01", "is before the start"),
])
def test_a_period_that_cannot_be_read_says_what_was_expected(text, says):
    with pytest.raises(PeriodError, match=says.replace(".", r"\.")):
        parse_period(text, TODAY)


def test_the_budget_that_matches_a_period():
    assert budget_kind(parse_period("today", TODAY)) == "daily"
    assert budget_kind(parse_period("week", TODAY)) == "weekly"
    assert budget_kind(parse_period("month", TODAY)) == "monthly"
    assert budget_kind(parse_period("last-month", TODAY)) == "monthly"
    assert budget_kind(parse_period("30d", TODAY)) is None


def test_an_alert_s_budget_period_opens_as_its_dashboard_period():
    assert budget_period("daily", TODAY) == parse_period("today", TODAY)
    assert budget_period("weekly", TODAY) == parse_period("week", TODAY)
    assert budget_period("monthly", date(2026, 2, 14)) == Period("month", date(2026, 2, 1), date(2026, 3, 1))
