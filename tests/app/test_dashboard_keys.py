"""Issue 9 dashboard behaviours that had no test of their own, reached as a user would: `p` through the named
periods, `c` with a typed range, `promptlab dashboard --period`, the budget-exceeded dialog's `d`, `r`,
redrawing on resize, and the error state."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from tests.app.conftest import FIXED_NOW, seed_budget, settle
from tests.app.test_dashboard import dash_home, dashboard_of, open_dashboard, seed_history, text_of  # noqa: F401


def _runs_between(view, first: date, last: date, runs: int = 24) -> int:
    """How many of seed_history's runs (every 13 hours back from FIXED_NOW - 1 h) fall on those local days."""
    tz = ZoneInfo(view.timezone)
    days = [(FIXED_NOW - timedelta(hours=13 * i + 1)).astimezone(tz).date() for i in range(runs)]
    return sum(first <= day <= last for day in days)


async def test_p_steps_through_the_named_periods(make_app, dash_home):
    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        screen = dashboard_of(app)
        seen = []
        for _ in range(6):
            await pilot.press("p")
            await settle(pilot)
            period = screen.view.period
            seen.append((period.kind, period.first.isoformat(), (period.end - timedelta(days=1)).isoformat()))
            assert period.title.split(" (")[0] in text_of(screen.query_one("#dash-head"))
        # FIXED_NOW is Saturday 14 March 2026; the dashboard opens on this month, so p goes on from there
        assert seen == [
            ("last-month", "2026-02-01", "2026-02-28"),
            ("today", "2026-03-14", "2026-03-14"),
            ("7d", "2026-03-08", "2026-03-14"),
            ("30d", "2026-02-13", "2026-03-14"),
            ("week", "2026-03-09", "2026-03-15"),
            ("month", "2026-03-01", "2026-03-31"),
        ]


async def test_c_takes_a_typed_range_and_refuses_a_backwards_one(make_app, dash_home):
    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dashboard(pilot)
        screen = dashboard_of(app)
        await pilot.press("c", *"2026-03-05..2026-03-01", "enter")
        await settle(pilot)
        assert screen.view.period.kind == "month"  # unchanged: the range is backwards
        assert not screen.query_one("#dash-range").has_class("-hidden")  # still there to be corrected
        box = screen.query_one("#dash-range")
        box.value = ""
        await pilot.press(*"2026-03-02..2026-03-04", "enter")
        await settle(pilot)
        view = screen.view
        assert view.period.kind == "custom" and view.period.first == date(2026, 3, 2)
        assert view.period.end == date(2026, 3, 5)
        assert view.cards.runs.now == _runs_between(view, date(2026, 3, 2), date(2026, 3, 4)) > 0
        assert "2026-03-02 .. 2026-03-04" in text_of(screen.query_one("#dash-head"))
        await pilot.press("left_square_bracket")  # the previous three days
        await settle(pilot)
        assert (screen.view.period.first, screen.view.period.end) == (date(2026, 2, 27), date(2026, 3, 2))


async def test_the_dashboard_command_opens_the_app_on_its_period(make_app, dash_home):
    seed_history(dash_home)
    app = make_app(start_dashboard="last-month")  # what `promptlab dashboard --period last-month` runs
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = dashboard_of(app)
        assert screen.view.period.kind == "last-month"
        assert "last month (2026-02-01 .. 2026-02-28)" in text_of(screen.query_one("#dash-head"))


async def test_the_budget_exceeded_dialog_opens_the_dashboard_on_the_refused_period(make_app, dash_home):
    from promptlab_tui.screens.dialogs.budget_exceeded import BudgetExceededDialog
    from promptlab_tui.services.views import RefusalView

    seed_budget(dash_home, monthly_usd="1")
    seed_history(dash_home)
    refusal = RefusalView(message="", scope="monthly", spent_nanos=990, reserved_nanos=0, limit_nanos=1_000_000_000,
                          worst_case_nanos=600)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lab = app.screen
        app.push_screen(BudgetExceededDialog(refusal), lab._refusal_choice)
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        screen = dashboard_of(app)
        assert screen.view.budget_kind == "monthly" and screen.view.period.label == "2026-03-01 .. 2026-03-31"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is lab  # the refused run was cancelled, nothing left open


async def test_r_reloads_what_another_process_recorded(make_app, dash_home):
    seed_history(dash_home, runs=3)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        screen = dashboard_of(app)
        assert screen.view.cards.runs.now == 3
        seed_history(dash_home, runs=2)  # another process's runs
        await pilot.press("r")
        await settle(pilot)
        assert screen.view.cards.runs.now == 5
        assert screen.query_one("#dash-activity").row_count == 5


async def test_charts_redraw_to_the_new_size(make_app, dash_home):
    from promptlab_tui.widgets.charts.plot_panel import PlotPanel

    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        chart = dashboard_of(app).query_one("#chart-daily", PlotPanel)
        wide = max(len(line) for line in str(chart.render()).splitlines())
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        narrow_width = chart.size.width
        lines = str(chart.render()).splitlines()
        assert narrow_width < wide and max(len(line) for line in lines) <= narrow_width
        assert "Daily cost" in "\n".join(lines) and any("┤" in line for line in lines)  # still a chart, redrawn


async def test_an_unreadable_history_shows_the_error_and_the_app_keeps_running(make_app, dash_home, monkeypatch):
    from promptlab_tui.services.dashboard import DashboardService

    seed_history(dash_home, runs=3)

    def broken(self, *args, **kwargs):
        raise RuntimeError("database disk image is malformed")

    monkeypatch.setattr(DashboardService, "overview", broken)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dashboard(pilot)
        head = text_of(dashboard_of(app).query_one("#dash-head"))
        assert "Dashboard not available: database disk image is malformed" in head
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "LabScreen"


async def test_x_again_cancels_an_export_in_progress_and_leaves_no_file(make_app, dash_home, monkeypatch):
    import threading

    import promptlab_tui.services.export as export_service

    seed_history(dash_home, runs=40)
    monkeypatch.setattr(export_service, "BATCH", 5)  # several batches, so there is a point between two of them
    reached, release = threading.Event(), threading.Event()
    real_export = export_service.export_to_file

    def held_export(repository, fmt, filters, path, progress=None, cancel=None):
        def held_progress(rows: int) -> None:
            if progress is not None:
                progress(rows)
            if not reached.is_set():  # hold the worker after its first batch, until the user has pressed x
                reached.set()
                assert release.wait(10)

        return real_export(repository, fmt, filters, path, held_progress, cancel)

    monkeypatch.setattr(export_service, "export_to_file", held_export)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dashboard(pilot)
        screen = dashboard_of(app)
        await pilot.press("x", "1")  # x asks for the format: 1 is CSV
        for _ in range(500):
            if reached.is_set():
                break
            await pilot.pause(0.01)
        assert reached.is_set()
        await pilot.pause()
        assert not screen.query_one("#dash-export").has_class("-hidden")  # the progress bar is showing
        await pilot.press("x")  # cancel
        release.set()
        await settle(pilot)
        exports = dash_home / "exports"
        assert list(exports.iterdir()) == []  # neither the file nor a partial one
        assert screen.query_one("#dash-export").has_class("-hidden") and screen.export_cancel is None
        assert any("Export cancelled" in str(note.message) for note in app._notifications)


async def test_charts_take_the_theme_s_colours_and_follow_a_theme_change(make_app, dash_home):
    from promptlab_tui.widgets.charts.plot_panel import PlotPanel

    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        chart = dashboard_of(app).query_one("#chart-daily", PlotPanel)

        def colours() -> set[str]:
            return {str(span.style).lower() for span in chart.render().spans}

        def theme_colours() -> set[str]:  # the daily chart: cost in primary, forecast in accent
            theme = app.current_theme
            return {str(theme.primary).lower(), str(theme.accent).lower()}

        assert theme_colours() <= colours()
        before = colours()
        app.theme = "promptlab-paper"
        await settle(pilot)
        assert theme_colours() == {"#1d4ed8", "#a14a07"}  # themes/promptlab-paper.toml
        assert theme_colours() <= colours() and colours() != before
