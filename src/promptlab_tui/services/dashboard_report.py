"""`promptlab report`'s figures: the dashboard's overview, a time series and the recommendations, in one object."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from promptlab_tui.store.analytics import Filters
from promptlab_tui.store.codec import utc_now

if TYPE_CHECKING:
    from promptlab_tui.core.analytics.figures import SeriesPoint
    from promptlab_tui.core.analytics.repricing import WhatIf
    from promptlab_tui.services.dashboard import DashboardService, DashboardView
    from promptlab_tui.services.dashboard_insights import RecommendationsView

EMPTY_HINT = ("No runs recorded yet: run a prompt with `promptlab run FILE` (or open the app with `promptlab`), "
              "then `promptlab report` again.")


@dataclass(frozen=True)
class ReportData:
    view: DashboardView
    series_step: str | None  # day | week | month when asked (`--series`)
    series: tuple[SeriesPoint, ...]
    recommendations: RecommendationsView | None  # over all runs of the period (filters not applied)
    generated_at: datetime = field(default_factory=utc_now)
    what_if: WhatIf | None = None  # the period's runs re-priced on one model, per `--by` (`--what-if MODEL`)

    @property
    def has_history(self) -> bool:
        return self.view.has_history

    @property
    def filters(self) -> Filters:
        return self.view.filters

    @property
    def title(self) -> str:
        return f"Usage report: {self.view.period.title}"

    def filter_text(self) -> str:
        active = self.filters.active()
        return ", ".join(f"{name} = {value or '(none)'}" for name, value in active.items())


def build_report(service: DashboardService, period_text: str, by: str = "model", filters: Filters | None = None,
                 series_step: str | None = None, with_recommendations: bool = True, what_if: str | None = None,
                 acceptable_models: tuple[str, ...] = ()) -> ReportData:
    """Everything a report shows; raises PeriodError / ValueError for a bad period, grouping or what-if model."""
    period = service.period(period_text)
    view = service.overview(period, by, filters)
    series = tuple(service.series(period, series_step, filters)) if series_step else ()
    recs = service.recommendations(period, acceptable_models) if with_recommendations and view.has_history else None
    repriced = None
    if what_if:  # per the breakdown's grouping (by tag a run counts in each of its tags)
        from promptlab_tui.services.dashboard_panes import what_if_grouped

        repriced = what_if_grouped(service, period, what_if, None, by, filters)[0]
    return ReportData(view, series_step, series, recs, view.generated_at, repriced)
