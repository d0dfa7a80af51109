"""The usage dashboard's use case (Textual-free): one call per view, each returning frozen view dataclasses.

    service = DashboardService()                               # or DashboardService(context, clock=...)
    period = service.period("month")                           # today|7d|30d|week|month|last-month|all|FROM..TO
    view = service.overview(period, group_by="model")          # cards, breakdown, charts' data, forecast
    view = service.overview(period.previous(), "tag")          # `[` ; period.following() for `]`
    recs = service.recommendations(period)                     # with savings and how each was computed
    what = service.what_if(period, "gpt-4o-mini")              # the period's runs re-priced on one model
    page = service.activity(ActivityQuery(sort="cost"))        # keyset pages: service.activity(q, page.next_cursor)
    detail = service.run_detail(run_id)                        # messages, answer, tokens, cost lines, estimate
    applied = service.apply(recs.items[0].change)              # edit the saved prompt; service.undo(applied)
    done = service.achieved()                                  # cost per run before / since each applied change
    token = service.change_token()                             # cheap; differs once any run settles (any process)

Everything reads the per-day rollups (fast at a million runs); call from a worker thread, never a handler.
Money is integer nano-dollars; runs without a price are counted, never shown as $0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Callable

from promptlab_tui.core.analytics.figures import (
    Breakdown, BreakdownRow, HeatMap, SeriesPoint, SummaryCards, Totals, breakdown, heat_map, series, summary_cards)
from promptlab_tui.core.analytics.forecast import TRAILING_DAYS, Forecast, forecast
from promptlab_tui.core.analytics.periods import Period, budget_kind, budget_period, parse_period
from promptlab_tui.core.budget import day_bounds, zone
from promptlab_tui.core.periods import reporting_timezone, timezone_phrase
from promptlab_tui.services.context import ServiceContext
from promptlab_tui.store.analytics import Filters, first_recorded_day, grouped_sums
from promptlab_tui.store.codec import utc_now
from promptlab_tui.store.rollup import rollup_timezone

if TYPE_CHECKING:
    from promptlab_tui.core.history import AlertRecord
    from promptlab_tui.core.analytics.quality import Accuracy, Efficiency
    from promptlab_tui.core.analytics.recommend import Change
    from promptlab_tui.services.dashboard_apply import Achieved, AppliedChange
    from promptlab_tui.core.analytics.repricing import WhatIf
    from promptlab_tui.services.dashboard_activity import ActivityPage, ActivityQuery, RunDetail
    from promptlab_tui.services.dashboard_insights import RecommendationsView

GROUP_BY = ("model", "provider", "prompt", "tag", "source")
TOP_PROMPTS = 10


@dataclass(frozen=True)
class DashboardView:
    """Everything the dashboard's first screen shows for one period and grouping."""

    period: Period
    comparison: Period  # what the deltas compare with (same elapsed length when the period is in progress)
    timezone: str
    group_by: str
    filters: Filters
    cards: SummaryCards
    breakdown: Breakdown  # by `group_by`, with share and change
    top_prompts: tuple[BreakdownRow, ...]
    daily: tuple[SeriesPoint, ...]  # every day of the period: cost bars, input vs output tokens
    heat_map: HeatMap  # weekday x hour of the period's spend
    forecast: Forecast  # to the period's end (budget line, projection, burn rate)
    budget_kind: str | None  # daily / weekly / monthly when a budget period matches the period
    has_history: bool  # False: nothing recorded at all (show how to start)
    generated_at: datetime = field(default_factory=utc_now)
    timezone_text: str = ""  # "time zone Europe/Berlin (the budget's)", as `budget` states it
    totals_zone: str | None = None  # the daily totals' zone when it is not `timezone`: figures read from each run

    @property
    def empty(self) -> bool:
        """No settled run in the period."""
        return self.cards.runs.now == 0

    @property
    def compared(self) -> bool:
        """False for everything recorded: there is no earlier period, so no change is shown."""
        return self.comparison.days > 0

    @property
    def comparison_label(self) -> str:
        """'vs 2026-11-01 .. 2026-11-12', or that there is nothing to compare with."""
        return f"vs {self.comparison.label}" if self.compared else "no earlier period to compare"

    @property
    def in_progress(self) -> bool:
        """The period holds today (of its time zone): only then has it a burn rate."""
        return self.period.contains(self.generated_at.astimezone(zone(self.timezone)).date())


class DashboardService:
    def __init__(self, context: ServiceContext | None = None, clock: Callable[[], datetime] = utc_now) -> None:
        self.context = context or ServiceContext()
        self.clock = clock

    # --- periods -------------------------------------------------------------------------------
    def timezone(self) -> str:
        """The budget's zone when a budget is set, else the system's (the one rule `budget` and export follow)."""
        settings = self.context.budget_settings()
        return reporting_timezone(settings.timezone if settings is not None else None)

    def today(self) -> date:
        return self.clock().astimezone(zone(self.timezone())).date()

    def period(self, text: str) -> Period:
        """Parse a period ('month', '7d', '2026-11-01..2026-11-30', 'all'...); raises PeriodError."""
        first = None
        if text.strip().lower() == "all":
            with self._read() as conn:
                first = first_recorded_day(conn)
        return parse_period(text, self.today(), first)

    def period_of_alert(self, alert: AlertRecord) -> Period:
        """The period an alert (or a budget refusal's period kind and start) is about, to open the dashboard on."""
        return budget_period(alert.period_kind, alert.period_start.astimezone(zone(self.timezone())).date())

    # --- the overview --------------------------------------------------------------------------
    def overview(self, period: Period, group_by: str = "model", filters: Filters | None = None) -> DashboardView:
        """Cards, breakdown, top prompts, daily series, heat map and forecast for `period` (rollups only)."""
        if group_by not in GROUP_BY:
            raise ValueError(f"group by {group_by!r}: expected one of {', '.join(GROUP_BY)}")
        filters = filters or Filters()
        tz_name = self.timezone()
        now = self.clock()
        today = now.astimezone(zone(tz_name)).date()
        comparison = period.comparison(today)
        settings = self.context.budget_settings()
        kind = budget_kind(period)
        budget = settings.limit_for(kind) if settings is not None and kind is not None else None
        window_first = min(period.first, today - timedelta(days=TRAILING_DAYS))
        window_end = max(period.end, today + timedelta(days=1))
        with self._read() as conn:
            total = grouped_sums(conn, period.first, period.end, "total", tz_name, filters).get((), Totals())
            before = grouped_sums(conn, comparison.first, comparison.end, "total", tz_name, filters).get((), Totals())
            groups = grouped_sums(conn, period.first, period.end, group_by, tz_name, filters)
            groups_before = grouped_sums(conn, comparison.first, comparison.end, group_by, tz_name, filters)
            prompts = groups if group_by == "prompt" else grouped_sums(conn, period.first, period.end, "prompt",
                                                                       tz_name, filters)
            prompts_before = groups_before if group_by == "prompt" else grouped_sums(
                conn, comparison.first, comparison.end, "prompt", tz_name, filters)
            days = grouped_sums(conn, window_first, window_end, "day", tz_name, filters)
            hours = grouped_sums(conn, period.first, period.end, "hour", tz_name, filters)
            first_day = first_recorded_day(conn)
            kept = rollup_timezone(conn)
        per_day = {key[0]: totals for key, totals in days.items()}
        start_of_today, end_of_today = day_bounds(today, tz_name)
        elapsed = int((now - start_of_today).total_seconds())
        projection = forecast(period, today, {d: t.cost_nanos for d, t in per_day.items() if d != today},
                              per_day.get(today, Totals()).cost_nanos, elapsed, budget, first_day,
                              int((end_of_today - start_of_today).total_seconds()))
        top = breakdown("prompt", prompts, prompts_before, total).rows[:TOP_PROMPTS]
        return DashboardView(
            period=period, comparison=comparison, timezone=tz_name, group_by=group_by, filters=filters,
            cards=summary_cards(total, before, budget), breakdown=breakdown(group_by, groups, groups_before, total),
            top_prompts=tuple(top), daily=tuple(series(per_day, period.first, period.end, "day")),
            heat_map=heat_map(hours), forecast=projection, budget_kind=kind, has_history=first_day is not None,
            generated_at=now, timezone_text=timezone_phrase(settings.timezone if settings is not None else None),
            totals_zone=kept if kept is not None and kept != tz_name else None)

    def series(self, period: Period, step: str = "day", filters: Filters | None = None) -> list[SeriesPoint]:
        """The period as a time series by day, ISO week or month (`report --series`)."""
        with self._read() as conn:
            days = grouped_sums(conn, period.first, period.end, "day", self.timezone(), filters)
        return series({key[0]: totals for key, totals in days.items()}, period.first, period.end, step)

    # --- the deeper views (see dashboard_insights / dashboard_activity) ---------------------------
    def recommendations(self, period: Period, acceptable_models: tuple[str, ...] = (),
                        min_savings_nanos: int = 10_000_000) -> RecommendationsView:
        """Recommendations with savings from the period's own runs (`acceptable_models`: any priced model the
        user accepts as a replacement, beside each model's smaller siblings)."""
        from promptlab_tui.services.dashboard_insights import recommendations

        return recommendations(self, period, acceptable_models, min_savings_nanos)

    def what_if(self, period: Period, model: str, provider: str | None = None,
                filters: Filters | None = None) -> WhatIf:
        """The period's runs re-priced on `model` (raises ValueError when the model has no price)."""
        from promptlab_tui.services.dashboard_insights import what_if

        return what_if(self, period, model, provider, filters)

    def accuracy(self, period: Period) -> list[Accuracy]:
        """How far pre-run estimates were from the bill, per model (last 5,000 completed runs of the period)."""
        from promptlab_tui.services.dashboard_insights import accuracy

        return accuracy(self, period)

    def efficiency(self, period: Period) -> list[Efficiency]:
        """A score per prompt with its explanation, lowest first."""
        from promptlab_tui.services.dashboard_insights import efficiency

        return efficiency(self, period)

    def activity(self, query: ActivityQuery | None = None, cursor: tuple | None = None) -> ActivityPage:
        """One page of runs (keyset): sorted by any column, filtered by model, tag, status, prompt-name text."""
        from promptlab_tui.services.dashboard_activity import ActivityQuery, activity_page

        return activity_page(self, query or ActivityQuery(), cursor)

    def run_detail(self, run_id: str) -> RunDetail | None:
        """One run: messages, answer, tokens by kind, cost lines, price version, estimate vs actual."""
        from promptlab_tui.services.dashboard_activity import run_detail

        return run_detail(self, run_id)

    def apply(self, change: Change) -> AppliedChange:
        """Apply a recommendation's change to its saved prompt (ChangeConflict if the prompt changed since)."""
        from promptlab_tui.services.dashboard_apply import apply_change

        return apply_change(self, change)

    def undo(self, applied: AppliedChange) -> None:
        """Put the prompt back as it was before `apply` (ChangeConflict if it was edited since)."""
        from promptlab_tui.services.dashboard_apply import undo_change

        undo_change(self, applied)

    def achieved(self) -> list[Achieved]:
        """Every applied change with the prompt's cost per run before (30 days) and since."""
        from promptlab_tui.services.dashboard_apply import achieved

        return achieved(self)

    def change_token(self) -> tuple:
        """Cheap (two indexed lookups): changes whenever a run is reserved or settles, in any process."""
        today = self.today().isoformat()
        with self._read() as conn:
            row = conn.execute(
                "SELECT (SELECT runs || ':' || cost_nanos FROM daily_total WHERE day = ?), (SELECT COUNT(*) FROM "
                "run INDEXED BY ix_run_pending WHERE status = 'pending'), (SELECT SUM(runs) FROM daily_total)",
                (today,)).fetchone()
        return tuple(row)

    # --- plumbing ------------------------------------------------------------------------------
    def _read(self):  # -> context manager of a sqlite3 Connection (one consistent snapshot)
        repository = self.context.repository
        if repository is None:
            raise RuntimeError("the dashboard needs the history (tracking is off)")
        return repository.db.raw_read()

