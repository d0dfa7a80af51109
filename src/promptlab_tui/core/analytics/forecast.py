"""Projected spend at a period's end: the trailing daily rate with its weekday pattern, a range, the day the
budget is reached at this pace, and today's burn rate per hour. Integer nano-dollars throughout.

Method (stated in `Forecast.method`): each day still to come is projected at the mean spend of the same
weekday over the trailing 28 closed days (4 of each weekday); the rest of today at that mean, pro rata to the
part of the day still ahead. The range takes the lowest and the highest of those same-weekday days. With
under 7 days of history there is no weekday pattern: the trailing daily mean; with none, today's hourly rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping

from promptlab_tui.core.analytics.periods import Period

TRAILING_DAYS = 28
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class DailyRate:
    """Expected, lowest and highest spend of one day, in nanos."""

    expected: int
    low: int
    high: int


@dataclass(frozen=True)
class Forecast:
    method: str
    spent_nanos: int  # in the period up to now
    projected_nanos: int  # at the period's end
    low_nanos: int
    high_nanos: int
    projection: tuple[tuple[date, int], ...]  # expected spend per day from today to the period's end
    budget_nanos: int | None
    budget_reached_on: date | None  # at this pace (a past day when it was reached already); None: not in the period
    burn_rate_per_hour_nanos: int  # today so far
    history_days: int  # closed days the rate was taken from

    @property
    def over_budget(self) -> bool:
        return self.budget_nanos is not None and self.projected_nanos > self.budget_nanos


def _mean(values: list[int]) -> int:
    return (sum(values) + len(values) // 2) // len(values) if values else 0


def daily_rates(daily_cost: Mapping[date, int], today: date, first_recorded: date | None,
                today_cost: int, seconds_elapsed: int, day_seconds: int = DAY_SECONDS) -> tuple[dict[int, DailyRate], str, int]:
    """(rate per weekday 0-6, the method in words, closed days used).

    History starts at `first_recorded` (default: the first day of `daily_cost`; none when it is empty).
    """
    start = today - timedelta(days=TRAILING_DAYS)
    if first_recorded is None:
        first_recorded = min((day for day, cost in daily_cost.items() if cost), default=today)
    start = max(start, first_recorded)
    window = [start + timedelta(days=i) for i in range((today - start).days)]
    if len(window) >= 7:
        rates = {}
        for weekday in range(7):
            values = [daily_cost.get(day, 0) for day in window if day.weekday() == weekday]
            rates[weekday] = DailyRate(_mean(values), min(values), max(values))
        method = (f"each remaining day at the mean spend of the same weekday over the trailing {len(window)} days "
                  "(weekday pattern); range: the lowest and highest of those days")
        return rates, method, len(window)
    if window:
        values = [daily_cost.get(day, 0) for day in window]
        rate = DailyRate(_mean(values), min(values), max(values))
        method = (f"each remaining day at the trailing daily mean over {len(window)} day(s) (under 7 days of "
                  "history: no weekday pattern); range: the lowest and highest of those days")
        return {weekday: rate for weekday in range(7)}, method, len(window)
    per_day = today_cost * day_seconds // seconds_elapsed if seconds_elapsed > 0 else 0
    method = "today's hourly rate carried forward (no earlier history); range: nothing more to the whole period"
    return {weekday: DailyRate(per_day, 0, per_day) for weekday in range(7)}, method, 0


def forecast(period: Period, today: date, daily_cost: Mapping[date, int], today_cost: int, seconds_elapsed: int,
             budget_nanos: int | None = None, first_recorded: date | None = None,
             day_seconds: int = DAY_SECONDS) -> Forecast:
    """Project `period` from closed days' spend (`daily_cost`, today excluded) and today's so far.

    `daily_cost` must hold the period's closed days and the 28 days before today (missing days spent 0).
    `seconds_elapsed`: since today's local midnight; `day_seconds`: today's length (DST days differ).
    """
    seconds_elapsed = max(0, min(seconds_elapsed, day_seconds))
    burn = today_cost * 3600 // seconds_elapsed if seconds_elapsed > 0 else 0
    closed = [(day, daily_cost.get(day, 0)) for day in _days(period.first, min(period.end, today))]
    spent = sum(cost for _, cost in closed) + (today_cost if period.contains(today) else 0)
    if period.end <= today:
        reached = _reached(closed, budget_nanos)
        return Forecast("the period is over: its actual spend", spent, spent, spent, spent, (), budget_nanos,
                        reached, burn, 0)
    rates, method, history_days = daily_rates(daily_cost, today, first_recorded, today_cost, seconds_elapsed,
                                              day_seconds)
    projection: list[tuple[date, int]] = []
    low = high = spent
    if period.contains(today):
        rate = rates[today.weekday()]
        left = day_seconds - seconds_elapsed
        rest = rate.expected * left // day_seconds
        projection.append((today, today_cost + rest))
        low += rate.low * left // day_seconds
        high += rate.high * left // day_seconds
    for day in _days(max(period.first, today + timedelta(days=1)), period.end):
        rate = rates[day.weekday()]
        projection.append((day, rate.expected))
        low += rate.low
        high += rate.high
    projected = sum(cost for _, cost in closed) + sum(cost for _, cost in projection)
    reached = _reached(closed + projection, budget_nanos)
    return Forecast(method, spent, projected, low, high, tuple(projection), budget_nanos, reached, burn, history_days)


def _days(first: date, end: date) -> list[date]:
    return [first + timedelta(days=i) for i in range(max(0, (end - first).days))]


def _reached(days: list[tuple[date, int]], budget_nanos: int | None) -> date | None:
    if budget_nanos is None:
        return None
    total = 0
    for day, cost in days:
        total += cost
        if total >= budget_nanos and total > 0:
            return day
    return None
