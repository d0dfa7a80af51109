"""The usage dashboard: where the money went (cards, charts, breakdowns), where it is going (forecast), and
what to change (recommendations). Thin: workers call services.dashboard and post messages.

Keys: p / [ / ] period, c custom range, g group by, v charts as tables, r refresh, m more activity,
s sort activity, / filter activity, enter run detail, w what if, e accuracy, i efficiency, $ savings,
x export, escape back. Stacked and scrolling at 80x24;
two charts a row from 120 columns. Live: the store's change token is polled cheaply (as the budget bar
does) and the view reloads when a run settles, in this process or another.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from promptlab_tui.widgets.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, ProgressBar, Static

from promptlab_tui.screens.dashboard.activity_pane import ActivityMixin
from promptlab_tui.screens.dashboard.export_pane import ExportMixin
from promptlab_tui.screens.dashboard.insights_pane import InsightsMixin
from promptlab_tui.screens.dashboard.recommendations_pane import RecommendationsMixin
from promptlab_tui.services.activity_filter import ActivityFilter
from promptlab_tui.widgets.charts.plot_panel import PlotPanel
from promptlab_tui.widgets.dashboard import dashboard_figures as figures
from promptlab_tui.widgets.dashboard import insight_figures as figures_more
from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter

PERIODS = ("today", "7d", "30d", "week", "month", "last-month")
GROUPS = ("model", "provider", "prompt", "tag", "source")
POLL_S = 2.0
RECOMMENDATIONS_AFTER_S = 0.1
OPENING_WAIT_S = 0.25  # the body waits this long at most for its figures before showing "loading…"
WIDE = 120  # columns from which charts sit two a row
ACTIVITY_COLUMNS = ("When", "Model", "Prompt", "Status", "In", "Out", "Cost")


class DashboardLoaded(Message):
    def __init__(self, view: Any, recommendations: Any, token: Any, error: str | None,
                 regrouped: bool = False) -> None:
        super().__init__()
        self.view, self.recommendations, self.token, self.error = view, recommendations, token, error
        self.regrouped = regrouped  # same period, another group-by


class TokenPolled(Message):
    def __init__(self, token: Any) -> None:
        super().__init__()
        self.token = token


class DashboardScreen(RecommendationsMixin, ActivityMixin, ExportMixin, InsightsMixin, Screen[None]):
    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("p", "next_period", "Period"),
        Binding("left_square_bracket", "step(-1)", "Prev", key_display="["),
        Binding("right_square_bracket", "step(1)", "Next", key_display="]"),
        Binding("c", "custom_range", "Range"),
        Binding("g", "next_group", "Group by"),
        Binding("v", "toggle_tables", "Tables"),
        Binding("r", "refresh", "Refresh"),
        Binding("m", "more_activity", "More runs"),
        Binding("s", "next_sort", "Sort"),
        Binding("slash", "filter_activity", "Filter", key_display="/"),
        Binding("a", "apply_recommendation", "Apply"),
        Binding("u", "undo_recommendation", "Undo"),
        Binding("o", "acceptable_models", "Accept models"),
        Binding("w", "what_if", "What if"),
        Binding("e", "show_pane('accuracy')", "Accuracy"),
        Binding("i", "show_pane('efficiency')", "Efficiency"),
        Binding("dollar_sign", "show_pane('savings')", "Savings", key_display="$"),
        Binding("x", "export", "Export"),
    ]

    def __init__(self, period: str = "month", group_by: str = "model",
                 alert: tuple[str, str] | None = None) -> None:
        """`alert`: (budget period kind, ISO start or '' for the current one): open on that budget period."""
        super().__init__()
        self.alert = alert
        self.period_text = period
        self.period: Any = None
        self.group_by = group_by
        self.view: Any = None
        self.token: Any = None
        self.sort = "time"
        self.activity_filter = ActivityFilter()
        self.cursor: Any = None
        self.activity_ids: list[str] = []
        self.busy = True
        self.error: str | None = None
        self.recommendations: Any = None
        self.applied: list[Any] = []  # changes applied from here, newest last (u undoes)
        self._service: Any = None
        self.panes_period: Any = None  # the period the insight panes were read for
        self.panes_due: Any = None  # that period, until the recommendations are on screen

    # --- layout ------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        self.set_class(self.app.size.width >= WIDE, "-wide")  # before the children mount: no restyle of them all
        self.add_class("-opening")  # the body is laid out once, with its figures: no skeleton painted first
        yield Static("", id="dash-opening")
        with VerticalScroll(id="dash-body"):
            yield Static("Dashboard · loading…", id="dash-head")
            yield ProgressBar(id="dash-export", classes="-hidden", show_eta=False)
            yield Input(placeholder="from..to, e.g. 2026-11-01..2026-11-30 (enter to apply, esc to cancel)",
                        id="dash-range", classes="-hidden")
            yield Static("", id="dash-cards")
            with Grid(id="dash-charts"):
                for key in ("daily", "group", "tokens", "heat"):
                    yield PlotPanel(id=f"chart-{key}")
            with Horizontal(id="dash-panes"):
                yield Static("", id="dash-forecast", classes="dash-pane")
                yield Static(Text("Recommendations\nLoading…", style="dim"), id="dash-recs", classes="dash-pane")
            yield Static(figures_more.what_if_renderable(None, "this period"), id="dash-whatif", classes="dash-wide")
            with Horizontal(id="dash-insights"):
                yield Static(figures_more.accuracy_renderable(None), id="dash-accuracy", classes="dash-pane")
                yield Static(figures_more.savings_renderable(None, None), id="dash-savings", classes="dash-pane")
            yield Static(figures_more.efficiency_renderable(None), id="dash-efficiency", classes="dash-wide")
            yield Static("Breakdown", classes="dash-title", id="dash-breakdown-title")
            breakdown = DataTable(id="dash-breakdown", cursor_type="row", zebra_stripes=True)
            breakdown.add_columns(*figures.BREAKDOWN_COLUMNS)
            yield breakdown
            yield Static("Top prompts", classes="dash-title")
            prompts = DataTable(id="dash-prompts", cursor_type="row", zebra_stripes=True)
            prompts.add_columns("prompt", "runs", "cost", "change")
            yield prompts
            yield Static("Recent activity", classes="dash-title", id="dash-activity-title")
            yield Input(placeholder="filter: model:gpt-4o tag:prod status:error name-text (enter)", id="dash-filter",
                        classes="-hidden")
            activity = DataTable(id="dash-activity", cursor_type="row", zebra_stripes=True)
            activity.add_columns(*ACTIVITY_COLUMNS)
            yield activity
        yield WrappingFooter()

    def on_mount(self) -> None:
        self.set_class(self.size.width >= WIDE, "-wide")
        self.query_one("#dash-body").focus()  # opens at the top; arrows and page keys scroll, tab reaches the tables
        self.reload()
        self.load_activity(None)
        self.set_interval(POLL_S, self.poll)
        self.set_timer(OPENING_WAIT_S, self._opened)  # a slow history: the skeleton says it is loading

    def _opened(self) -> None:
        if self.has_class("-opening"):
            self.remove_class("-opening")

    def on_resize(self) -> None:
        self.set_class(self.size.width >= WIDE, "-wide")

    @property
    def service(self) -> Any:
        if self._service is None:
            from promptlab_tui.services.dashboard import DashboardService

            now = getattr(self.app, "now", None)
            self._service = DashboardService(self.app.services, clock=now) if now else DashboardService(
                self.app.services)
        return self._service

    # --- workers -----------------------------------------------------------------------------------
    @work(thread=True, group="dashboard", exclusive=True)
    def reload(self, with_recommendations: bool = True) -> None:
        """The overview (painted at once); the recommendations follow once it is on screen (they read raw runs:
        slower, and a worker competing for the GIL would hold the first frame back)."""
        from promptlab_tui.widgets.charts.plot_panel import warm_up

        try:
            service = self.service
            token = service.change_token()
            period = self.period or self._alert_period(service) or service.period(self.period_text)
            view = service.overview(period, self.group_by)
            warm_up()
        except Exception as error:  # noqa: BLE001 - an unreadable history: say so, keep the app running
            self.post_message(DashboardLoaded(None, None, None, f"Dashboard not available: {error}"))
            return
        self.post_message(DashboardLoaded(view, None, token, None, not with_recommendations))

    def _alert_period(self, service: Any) -> Any:
        if self.alert is None:
            return None
        from datetime import datetime

        from promptlab_tui.core.analytics.periods import budget_period
        from promptlab_tui.core.periods import zone

        kind, start = self.alert
        self.alert = None  # once: [ ] and p move on from it
        tz = zone(service.timezone())
        day = datetime.fromisoformat(start).astimezone(tz).date() if start else service.today()
        return budget_period(kind, day)

    @work(thread=True, group="dashboard-poll", exclusive=True)
    def poll(self) -> None:
        try:
            self.post_message(TokenPolled(self.service.change_token()))
        except Exception:  # noqa: BLE001 - the next poll tries again; reload shows errors
            pass

    # --- messages ----------------------------------------------------------------------------------
    def on_token_polled(self, message: TokenPolled) -> None:
        if self.token is not None and message.token != self.token and not self.busy:
            self.token = message.token
            self.action_refresh()

    def on_dashboard_loaded(self, message: DashboardLoaded) -> None:
        self._opened()
        self.busy = False
        self.error = message.error
        if message.error:
            self.query_one("#dash-head", Static).update(Text(message.error, style="bold red"))
            return
        view = self.view = message.view
        self.period = view.period
        self.refresh_bindings()  # [ ] step from a known period now
        self.token = message.token
        self._show_head(view)
        self._show_cards(view)
        for spec in figures.charts(view):
            self.query_one(f"#chart-{spec.key}", PlotPanel).set_spec(spec)
        self.query_one("#dash-forecast", Static).update(Text("Forecast\n", style="bold") + Text(
            figures.forecast_text(view)))
        breakdown = self.query_one("#dash-breakdown", DataTable)
        columns = figures.breakdown_columns(view)
        if len(breakdown.columns) != len(columns):
            breakdown.clear(columns=True)
            breakdown.add_columns(*columns)
        self._fill(breakdown, figures.breakdown_rows(view))
        self.query_one("#dash-breakdown-title", Static).update(escape(figures.breakdown_title(view)))
        self._fill(self.query_one("#dash-prompts", DataTable), figures.top_prompt_rows(view))
        if not message.regrouped:
            # after the figures' frame is painted: a worker started now would hold that frame back (the GIL)
            self.set_timer(RECOMMENDATIONS_AFTER_S, lambda period=view.period: self.load_recommendations(period))
        if self.panes_period != view.period:
            self.panes_period = self.panes_due = view.period  # below the fold: loaded once the recommendations show
        elif message.regrouped:
            self.reload_what_if(view.period)  # per the new group

    # --- rendering helpers ---------------------------------------------------------------------------
    def _show_head(self, view: Any) -> None:
        self.query_one("#dash-head", Static).update(escape(figures.head_text(view)))

    def _show_cards(self, view: Any) -> None:
        self.query_one("#dash-cards", Static).update(figures.cards_table(view, 3 if self.size.width < WIDE else 6))

    @staticmethod
    def _fill(table: DataTable, rows: list[tuple[str, ...]]) -> None:
        table.clear()
        for row in rows:
            table.add_row(*row)

    # --- actions ------------------------------------------------------------------------------------
    def _switch(self, period: Any = None, text: str | None = None, same_period: bool = False) -> None:
        self.period = period
        if text is not None:
            self.period_text = text
        self.busy = True
        self.query_one("#dash-head", Static).update("Dashboard · loading…")
        if not same_period:
            self.query_one("#dash-recs", Static).update(Text("Recommendations\nLoading…", style="dim"))
        self.reload(not same_period)

    def action_next_period(self) -> None:
        current = self.period.kind if self.period is not None else self.period_text
        index = PERIODS.index(current) if current in PERIODS else -1
        self._switch(None, PERIODS[(index + 1) % len(PERIODS)])

    def action_step(self, direction: int) -> None:
        if self.period is not None:
            self._switch(self.period.previous() if direction < 0 else self.period.following())

    def action_next_group(self) -> None:
        self.group_by = GROUPS[(GROUPS.index(self.group_by) + 1) % len(GROUPS)]
        self._switch(self.period, same_period=self.period is not None)

    def action_toggle_tables(self) -> None:
        for panel in self.query(PlotPanel):
            panel.toggle_table()

    def action_refresh(self) -> None:
        self.panes_period = None  # read the insight panes again too
        self._switch(self.period if self.period is not None else None)
        self.load_activity(None)

    def action_custom_range(self) -> None:
        box = self.query_one("#dash-range", Input)
        box.remove_class("-hidden")
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        box = event.input
        if box.id == "dash-range":
            from promptlab_tui.core.analytics.periods import PeriodError

            try:
                period = self.service.period(event.value.strip())
            except PeriodError as error:
                self.notify(str(error), severity="error")
                return
            box.add_class("-hidden")
            self._switch(period)
        else:
            if not self.apply_filter(event.value):
                return
            box.add_class("-hidden")
        self.query_one("#dash-activity", DataTable).focus()

    def action_close(self) -> None:
        for box in self.query(Input):
            if box.has_focus and not box.has_class("-hidden"):
                box.add_class("-hidden")
                self.query_one("#dash-activity", DataTable).focus()
                return
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "more_activity" and self.cursor is None:
            return None
        if action == "step" and self.period is None:
            return None
        if action == "apply_recommendation" and self._applicable() is None:
            return None
        if action == "undo_recommendation" and not self.applied:
            return None
        return True
