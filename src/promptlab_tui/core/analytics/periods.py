"""Dashboard periods: whole local days [first, end), named (today, 7d, 30d, week, month, last-month, all) or custom.

A period is a range of local calendar days in the user's time zone; `bounds(tz)` gives its UTC instants.
`previous()` / `following()` step to the period of the same length before / after (`[` / `]`): calendar weeks
and months step by the calendar, the others by their number of days. `comparison(today)` is what deltas are
measured against: the previous period, cut to the same number of days elapsed when this one is in progress
(month to date against the same days of last month).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from promptlab_tui.core.periods import day_bounds

PERIOD_NAMES = ("today", "7d", "30d", "week", "month", "last-month", "all")
_ALIASES = {"this-week": "week", "this-month": "month", "last_month": "last-month", "7days": "7d", "30days": "30d",
            "day": "today"}
_CUSTOM = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})\s*$")


class PeriodError(ValueError):
    """A period that cannot be read; the message says what was expected."""


@dataclass(frozen=True)
class Period:
    """Local days first .. end-1. `kind` is one of PERIOD_NAMES or 'custom'."""

    kind: str
    first: date
    end: date  # exclusive

    @property
    def days(self) -> int:
        return (self.end - self.first).days

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        """'2026-12-01 .. 2026-12-31' (one day: '2026-12-01')."""
        return self.first.isoformat() if self.days == 1 else f"{self.first.isoformat()} .. {self.last.isoformat()}"

    @property
    def title(self) -> str:
        """What the screen and reports call it: 'this month (2026-12-01 .. 2026-12-31)'."""
        names = {"today": "today", "7d": "last 7 days", "30d": "last 30 days", "week": "this week",
                 "month": "this month", "last-month": "last month", "all": "everything recorded", "custom": "custom"}
        return f"{names.get(self.kind, self.kind)} ({self.label})"

    def contains(self, day: date) -> bool:
        return self.first <= day < self.end

    def bounds(self, tz: ZoneInfo | str) -> tuple[datetime, datetime]:
        """[start, end) as UTC instants (local midnights; DST-safe)."""
        return day_bounds(self.first, tz)[0], day_bounds(self.end, tz)[0]

    def elapsed_days(self, today: date) -> int:
        """Days of the period up to and including `today` (0 before it starts, `days` once it is over)."""
        return max(0, min(self.days, (today - self.first).days + 1))

    def in_progress(self, today: date) -> bool:
        return self.first <= today <= self.last

    def previous(self) -> Period:
        """The period of the same length just before (the calendar week / month before for week and month kinds)."""
        if self.kind == "week":
            return replace(self, first=self.first - timedelta(days=7), end=self.first)
        if self.kind in ("month", "last-month") and self.first.day == 1 and self.end.day == 1:
            return replace(self, first=_add_months(self.first, -1), end=self.first)
        return replace(self, first=self.first - timedelta(days=self.days), end=self.first)

    def following(self) -> Period:
        """The period of the same length just after (`]`)."""
        if self.kind == "week":
            return replace(self, first=self.end, end=self.end + timedelta(days=7))
        if self.kind in ("month", "last-month") and self.first.day == 1 and self.end.day == 1:
            return replace(self, first=self.end, end=_add_months(self.end, 1))
        return replace(self, first=self.end, end=self.end + timedelta(days=self.days))

    def comparison(self, today: date) -> Period:
        """What deltas compare with: the previous period, cut to the days elapsed when this one is in progress
        (nothing, a period of 0 days, for everything recorded)."""
        if self.kind == "all":
            return Period("all", self.first, self.first)
        before = self.previous()
        if self.in_progress(today):
            elapsed = self.elapsed_days(today)
            return Period(before.kind, before.first, min(before.end, before.first + timedelta(days=elapsed)))
        return before


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_period(text: str, today: date, first_recorded: date | None = None) -> Period:
    """'today', '7d', '30d', 'week', 'month', 'last-month', 'all' or 'FROM..TO' (dates, TO included).

    `first_recorded`: the first local day with a run, for 'all' (today when the history is empty).
    Raises PeriodError saying what was expected.
    """
    name = text.strip().lower()
    name = _ALIASES.get(name, name)
    tomorrow = today + timedelta(days=1)
    if name == "today":
        return Period("today", today, tomorrow)
    if name in ("7d", "30d"):
        return Period(name, tomorrow - timedelta(days=int(name[:-1])), tomorrow)
    if name == "week":
        first = today - timedelta(days=today.weekday())
        return Period("week", first, first + timedelta(days=7))
    if name == "month":
        first = today.replace(day=1)
        return Period("month", first, _add_months(first, 1))
    if name == "last-month":
        first = _add_months(today.replace(day=1), -1)
        return Period("last-month", first, today.replace(day=1))
    if name == "all":
        return Period("all", min(first_recorded or today, today), tomorrow)
    match = _CUSTOM.match(text)
    if match is None:
        raise PeriodError(f"period {text!r}: expected one of {', '.join(PERIOD_NAMES)} or FROM..TO "
                          "with dates as YYYY-MM-DD (e.g. 2026-11-01..2026-11-30)")
    try:
        first, last = date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))
    except ValueError as error:
        raise PeriodError(f"period {text!r}: {error} (expected real dates as YYYY-MM-DD)") from None
    if last < first:
        raise PeriodError(f"period {text!r}: the end {last} is before the start {first}")
    return Period("custom", first, last + timedelta(days=1))


def budget_kind(period: Period) -> str | None:
    """The budget period whose limit applies to `period` (daily / weekly / monthly), or None."""
    if period.days == 1:
        return "daily"
    if period.kind == "week" or (period.days == 7 and period.first.weekday() == 0):
        return "weekly"
    if period.first.day == 1 and period.end.day == 1 and period.end == _add_months(period.first, 1):
        return "monthly"
    return None


def budget_period(kind: str, day: date) -> Period:
    """The dashboard period of a budget period (an alert's): the day, ISO week or month containing `day`."""
    if kind == "daily":
        return Period("today", day, day + timedelta(days=1))
    if kind == "weekly":
        first = day - timedelta(days=day.weekday())
        return Period("week", first, first + timedelta(days=7))
    if kind == "monthly":
        first = day.replace(day=1)
        return Period("month", first, _add_months(first, 1))
    raise PeriodError(f"budget period {kind!r}: expected daily, weekly or monthly")
