"""Figures of a period: totals, deltas against the comparison period, breakdowns, series, the heat map.

Money is integer nano-dollars; runs without a price are counted (`unpriced_runs`), never priced at $0.
Percentages are floats for display only: decisions and totals use the integers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable, Mapping

UNTAGGED = ""  # the tag key of runs without a tag
DIMENSIONS = ("model", "provider", "prompt", "tag", "source")


@dataclass(frozen=True)
class Totals:
    """Sums over settled runs. `cost_nanos` sums the priced runs; `unpriced_runs` of `runs` have no price."""

    runs: int = 0
    input_tokens: int = 0  # billed at the full input rate (excludes cache reads and writes)
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    cost_nanos: int = 0
    unpriced_runs: int = 0
    error_runs: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.runs + other.runs, self.input_tokens + other.input_tokens,
                      self.output_tokens + other.output_tokens, self.cached_input_tokens + other.cached_input_tokens,
                      self.cache_write_tokens + other.cache_write_tokens, self.reasoning_tokens + other.reasoning_tokens,
                      self.cost_nanos + other.cost_nanos, self.unpriced_runs + other.unpriced_runs,
                      self.error_runs + other.error_runs)

    @property
    def priced_runs(self) -> int:
        return self.runs - self.unpriced_runs

    @property
    def total_input_tokens(self) -> int:
        """Every input token: full-rate, cache reads and cache writes."""
        return self.input_tokens + self.cached_input_tokens + self.cache_write_tokens

    @property
    def avg_cost_nanos(self) -> int | None:
        """Mean cost of a priced run (rounded half-up to a nano), None without priced runs."""
        return None if self.priced_runs <= 0 else (2 * self.cost_nanos + self.priced_runs) // (2 * self.priced_runs)

    @property
    def cache_hit_ratio(self) -> float:
        total = self.total_input_tokens
        return self.cached_input_tokens / total if total else 0.0


def sum_totals(items: Iterable[Totals]) -> Totals:
    out = Totals()
    for item in items:
        out = out + item
    return out


@dataclass(frozen=True)
class Delta:
    """A figure now and in the comparison period: change = now - before; percent None when before is 0."""

    now: int
    before: int

    @property
    def change(self) -> int:
        return self.now - self.before

    @property
    def percent(self) -> float | None:
        return None if self.before == 0 else self.change * 100 / self.before


@dataclass(frozen=True)
class SummaryCards:
    """The summary cards: each figure with its change against the comparison period."""

    spent: Delta  # nanos, priced runs only
    runs: Delta
    unpriced_runs: Delta  # "+ 3 runs without a price"
    input_tokens: Delta  # every input token (full-rate + cached + cache writes)
    output_tokens: Delta
    cached_tokens: Delta
    avg_cost: Delta  # nanos per priced run (0 when there is none)
    budget_nanos: int | None = None  # the limit of the matching budget period, if any
    current: Totals = field(default_factory=Totals)
    previous: Totals = field(default_factory=Totals)

    @property
    def budget_percent(self) -> float | None:
        if not self.budget_nanos:
            return None
        return self.spent.now * 100 / self.budget_nanos


def summary_cards(current: Totals, previous: Totals, budget_nanos: int | None = None) -> SummaryCards:
    return SummaryCards(
        spent=Delta(current.cost_nanos, previous.cost_nanos), runs=Delta(current.runs, previous.runs),
        unpriced_runs=Delta(current.unpriced_runs, previous.unpriced_runs),
        input_tokens=Delta(current.total_input_tokens, previous.total_input_tokens),
        output_tokens=Delta(current.output_tokens, previous.output_tokens),
        cached_tokens=Delta(current.cached_input_tokens, previous.cached_input_tokens),
        avg_cost=Delta(current.avg_cost_nanos or 0, previous.avg_cost_nanos or 0),
        budget_nanos=budget_nanos, current=current, previous=previous)


@dataclass(frozen=True)
class BreakdownRow:
    """One group of the breakdown: its totals, its share of the period's cost and its change."""

    key: str  # model, provider, prompt name ('' none), tag ('' untagged) or source ('' not recorded)
    totals: Totals
    share: float  # of the period's cost, 0..1 (by tag the shares can add up to more than 1)
    change: Delta  # cost against the comparison period
    provider: str | None = None  # by model
    dimension: str = "model"

    @property
    def label(self) -> str:
        if self.key:
            return self.key
        return {"tag": "(untagged)", "source": "(not recorded)"}.get(self.dimension, "(no name)")


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    rows: tuple[BreakdownRow, ...]
    total: Totals  # the period's totals (for tags, NOT the sum of rows: a run counts in each of its tags)
    note: str | None = None  # e.g. "a run with several tags counts in each"


def breakdown(dimension: str, current: Mapping[tuple, Totals], previous: Mapping[tuple, Totals],
              period_total: Totals | None = None) -> Breakdown:
    """Rows sorted by cost (then runs, then key); keys are (provider, model) by model, (key,) otherwise."""
    total = period_total if period_total is not None else sum_totals(current.values())
    rows = []
    for key, totals in current.items():
        before = previous.get(key, Totals())
        share = totals.cost_nanos / total.cost_nanos if total.cost_nanos else 0.0
        provider, name = (key[0], key[1]) if len(key) == 2 else (None, key[0])
        rows.append(BreakdownRow(name, totals, share, Delta(totals.cost_nanos, before.cost_nanos), provider,
                                 dimension))
    rows.sort(key=lambda r: (-r.totals.cost_nanos, -r.totals.runs, r.provider or "", r.key))
    note = "a run with several tags counts in each of them, so the rows add up to more than the total" \
        if dimension == "tag" else None
    return Breakdown(dimension, tuple(rows), total, note)


@dataclass(frozen=True)
class SeriesPoint:
    """One bucket of a time series: its first day, its label and its totals."""

    first: date
    label: str  # '2026-12-01', '2026-W49' or '2026-12'
    totals: Totals


def series(daily: Mapping[date, Totals], first: date, end: date, step: str = "day") -> list[SeriesPoint]:
    """Every bucket from `first` to `end` (exclusive), empty ones included, oldest first.

    step: 'day', 'week' (ISO weeks, labelled YYYY-Www) or 'month'.
    """
    if step not in ("day", "week", "month"):
        raise ValueError(f"series step {step!r}: expected day, week or month")
    buckets: dict[date, Totals] = {}
    labels: dict[date, str] = {}
    day = first
    while day < end:
        if step == "day":
            start, label = day, day.isoformat()
        elif step == "week":
            start = day - timedelta(days=day.weekday())
            iso = start.isocalendar()
            label = f"{iso.year}-W{iso.week:02d}"
        else:
            start, label = day.replace(day=1), f"{day:%Y-%m}"
        buckets[start] = buckets.get(start, Totals()) + daily.get(day, Totals())
        labels[start] = label
        day += timedelta(days=1)
    return [SeriesPoint(start, labels[start], buckets[start]) for start in sorted(buckets)]


@dataclass(frozen=True)
class HeatMap:
    """Spend by local weekday (0 = Monday) x hour (0-23), in nanos, with run counts."""

    cost_nanos: tuple[tuple[int, ...], ...]  # [weekday][hour]
    runs: tuple[tuple[int, ...], ...]

    @property
    def peak(self) -> tuple[int, int] | None:
        """(weekday, hour) of the most spend, None when nothing was spent."""
        best = max(((c, -w, -h) for w, row in enumerate(self.cost_nanos) for h, c in enumerate(row)), default=None)
        return None if best is None or best[0] == 0 else (-best[1], -best[2])


def heat_map(hourly: Mapping[tuple[date, int], Totals]) -> HeatMap:
    """From totals per (local day, local hour)."""
    cost = [[0] * 24 for _ in range(7)]
    runs = [[0] * 24 for _ in range(7)]
    for (day, hour), totals in hourly.items():
        cost[day.weekday()][hour] += totals.cost_nanos
        runs[day.weekday()][hour] += totals.runs
    return HeatMap(tuple(tuple(row) for row in cost), tuple(tuple(row) for row in runs))
