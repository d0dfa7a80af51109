"""Calendar periods in an IANA time zone, as UTC instants: DST-safe days, ISO weeks, months."""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from promptlab_tui.core.history import PERIOD_KINDS

UTC = timezone.utc


class BudgetSettingsError(ValueError):
    """A budget setting that cannot be used (unknown time zone, bad threshold, negative limit)."""


def reporting_timezone(budget_zone: str | None) -> str:
    """The one rule for the zone of budget periods, reports, the dashboard and export days: the budget's zone
    when a budget is set, else this system's local zone."""
    return budget_zone or local_timezone_name()


def timezone_phrase(budget_zone: str | None) -> str:
    """How `report`, the dashboard and `budget` state that zone, in the same words."""
    if budget_zone:
        return f"time zone {budget_zone} (the budget's)"
    return f"time zone {local_timezone_name()} (this system's; no budget set)"


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise BudgetSettingsError(
            f"unknown time zone {name!r}: expected an IANA name such as 'Europe/London' or 'UTC'"
        ) from error


def local_timezone_name() -> str:
    """The machine's IANA zone name (TZ, /etc/timezone, /etc/localtime), or 'UTC' when unknown."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name:
            try:
                zone(name)
                return name
            except BudgetSettingsError:
                continue
    return "UTC"


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    # fold=0 at a midnight DST gap gives the transition instant, which is the day's first instant.
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _first_day(kind: str, day: date) -> date:
    if kind == "daily":
        return day
    if kind == "weekly":
        return day - timedelta(days=day.weekday())  # ISO week: Monday
    if kind == "monthly":
        return day.replace(day=1)
    raise ValueError(f"unknown period kind {kind!r}: expected one of {', '.join(PERIOD_KINDS)}")


def _next_first_day(kind: str, first: date) -> date:
    if kind == "daily":
        return first + timedelta(days=1)
    if kind == "weekly":
        return first + timedelta(days=7)
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def period_bounds(kind: str, now: datetime, tz: ZoneInfo | str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the calendar day / ISO week / month in `tz` that contains `now`."""
    if now.utcoffset() is None:
        raise ValueError("period_bounds needs a timezone-aware datetime")
    tzinfo = zone(tz) if isinstance(tz, str) else tz
    first = _first_day(kind, now.astimezone(tzinfo).date())
    return _local_midnight(first, tzinfo), _local_midnight(_next_first_day(kind, first), tzinfo)


def day_bounds(day: date, tz: ZoneInfo | str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of one local calendar day (23 or 25 hours long on DST changes)."""
    tzinfo = zone(tz) if isinstance(tz, str) else tz
    return _local_midnight(day, tzinfo), _local_midnight(day + timedelta(days=1), tzinfo)


def previous_periods(kind: str, now: datetime, tz: ZoneInfo | str, count: int) -> list[tuple[datetime, datetime]]:
    """The `count` complete periods before the one containing `now`, most recent first."""
    result = []
    start, _ = period_bounds(kind, now, tz)
    for _ in range(count):
        bounds = period_bounds(kind, start - timedelta(microseconds=1), tz)
        result.append(bounds)
        start = bounds[0]
    return result


def local_day(instant: datetime, tz: ZoneInfo | str) -> str:
    tzinfo = zone(tz) if isinstance(tz, str) else tz
    return instant.astimezone(tzinfo).date().isoformat()


def format_reset(instant: datetime, tz_name: str) -> str:
    local = instant.astimezone(zone(tz_name))
    return f"{local:%a %Y-%m-%d %H:%M} {tz_name}"
