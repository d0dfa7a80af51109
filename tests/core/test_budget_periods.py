"""Calendar periods in the user's time zone: month ends, leap days, DST changes, half-hour zones."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptlab_tui.core.budget import (
    BudgetSettings, BudgetSettingsError, day_bounds, period_bounds, previous_periods)

UTC = timezone.utc
ZONES = ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "Asia/Kathmandu",
         "Pacific/Apia", "Pacific/Chatham", "America/Santiago", "Asia/Tehran", "Africa/Casablanca",
         "America/St_Johns", "Pacific/Kiritimati", "Etc/GMT+12"]
KINDS = ["daily", "weekly", "monthly"]
instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC))


def local(instant: datetime, tz: str) -> datetime:
    return instant.astimezone(ZoneInfo(tz))


@settings(max_examples=400, deadline=None)
@given(now=instants, tz=st.sampled_from(ZONES), kind=st.sampled_from(KINDS))
def test_period_contains_now_starts_on_its_first_local_day_and_touches_the_next(now, tz, kind):
    start, end = period_bounds(kind, now, tz)
    assert start.tzinfo == UTC and end.tzinfo == UTC
    assert start <= now < end
    first = local(start, tz).date()
    # The instant before the start belongs to an earlier local day: the period starts at a day's first instant.
    assert local(start - timedelta(microseconds=1), tz).date() < first
    today = local(now, tz).date()
    if kind == "daily":
        assert first == today
    elif kind == "weekly":
        assert first.weekday() == 0 and 0 <= (today - first).days < 7
    else:
        assert first == today.replace(day=1)
    # Contiguous: the next period starts exactly where this one ends.
    assert period_bounds(kind, end, tz)[0] == end
    assert period_bounds(kind, end - timedelta(microseconds=1), tz) == (start, end)


@settings(max_examples=200, deadline=None)
@given(now=instants, tz=st.sampled_from(["America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"]))
def test_a_day_lasts_23_to_25_hours_and_a_month_is_its_days(now, tz):
    start, end = period_bounds("daily", now, tz)
    assert timedelta(hours=23) <= end - start <= timedelta(hours=25)
    month_start, month_end = period_bounds("monthly", now, tz)
    days, cursor = 0, month_start
    while cursor < month_end:
        cursor = period_bounds("daily", cursor, tz)[1]
        days += 1
    assert cursor == month_end and 28 <= days <= 31


@pytest.mark.parametrize(("tz", "day", "hours"), [
    ("America/New_York", date(2024, 3, 10), 23), ("America/New_York", date(2024, 11, 3), 25),
    ("Europe/London", date(2024, 3, 31), 23), ("Europe/London", date(2024, 10, 27), 25),
    ("Australia/Lord_Howe", date(2024, 4, 7), 24.5), ("Australia/Lord_Howe", date(2024, 10, 6), 23.5),
    ("UTC", date(2024, 2, 29), 24),
])
def test_dst_change_days_have_their_real_length(tz, day, hours):
    start, end = day_bounds(day, tz)
    assert end - start == timedelta(hours=hours)
    assert period_bounds("daily", start + timedelta(hours=12), tz) == (start, end)


def test_leap_february_month_and_week_across_a_year_end():
    now = datetime(2024, 2, 29, 23, 30, tzinfo=UTC)
    start, end = period_bounds("monthly", now, "Europe/London")
    assert (start, end) == (datetime(2024, 2, 1, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC))
    week = period_bounds("weekly", datetime(2025, 1, 1, 12, tzinfo=UTC), "UTC")
    assert week == (datetime(2024, 12, 30, tzinfo=UTC), datetime(2025, 1, 6, tzinfo=UTC))


def test_the_local_day_not_the_utc_day_decides_the_period():
    # 03:00 UTC on 1 March is still 28 February in New York (UTC-5): February's budget.
    now = datetime(2023, 3, 1, 3, 0, tzinfo=UTC)
    start, end = period_bounds("monthly", now, "America/New_York")
    assert start == datetime(2023, 2, 1, 5, tzinfo=UTC) and end == datetime(2023, 3, 1, 5, tzinfo=UTC)


def test_a_midnight_dst_gap_starts_the_day_at_its_first_real_instant():
    # Santiago skips 00:00-01:00 local on 2023-09-03: the day starts at 01:00 local = 04:00 UTC.
    start, end = day_bounds(date(2023, 9, 3), "America/Santiago")
    assert start == datetime(2023, 9, 3, 4, tzinfo=UTC)
    assert end - start == timedelta(hours=23)


def test_previous_periods_walk_back_without_gaps():
    now = datetime(2024, 3, 15, tzinfo=UTC)
    periods = previous_periods("monthly", now, "Europe/London", 3)
    assert [p[0].date() for p in periods] == [date(2024, 2, 1), date(2024, 1, 1), date(2023, 12, 1)]
    assert periods[0][1] == period_bounds("monthly", now, "Europe/London")[0]
    assert all(later[0] == earlier[1] for later, earlier in zip(periods, periods[1:]))


def test_naive_datetimes_and_unknown_zones_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        period_bounds("daily", datetime(2024, 1, 1), "UTC")
    with pytest.raises(BudgetSettingsError, match="Mars/Olympus"):
        BudgetSettings(timezone="Mars/Olympus")
    with pytest.raises(BudgetSettingsError, match="hard"):
        BudgetSettings(mode="loose", timezone="UTC")  # type: ignore[arg-type]
