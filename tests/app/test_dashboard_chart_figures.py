"""What the dashboard's charts draw: the budget line over daily bars is the budget's daily share (a month's
limit over daily bars would squash them to the floor), and a long group name is cut with an ellipsis."""

from __future__ import annotations

from tests.app.conftest import FIXED_NOW, seed_budget, seed_spend, settle
from tests.app.test_dashboard import dash_home, dashboard_of, open_dashboard, seed_history  # noqa: F401


async def test_the_daily_chart_draws_the_budgets_daily_share(make_app, dash_home):
    from promptlab_tui.widgets.dashboard.dashboard_figures import charts

    seed_budget(dash_home, monthly_usd="31")
    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        daily = next(c for c in charts(dashboard_of(app).view) if c.key == "daily")
        # March has 31 days: $31.00 a month is $1.00 a day
        assert daily.hline == ("budget a day", 1.0)
        assert daily.title == "Daily cost (budget $31.00: $1.00 a day)"


async def test_long_group_names_are_cut_with_an_ellipsis(make_app, dash_home):
    from promptlab_tui.widgets.dashboard.dashboard_figures import charts

    seed_spend(dash_home, "0.50", when=FIXED_NOW, model="claude-3-5-sonnet-20241022")
    seed_spend(dash_home, "0.25", when=FIXED_NOW, model="gpt-4o")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dashboard(pilot)
        await settle(pilot)
        group = next(c for c in charts(dashboard_of(app).view) if c.key == "group")
        assert group.labels == ("claude-3-5-so…", "gpt-4o")  # 14 cells, the last one the ellipsis


async def test_with_a_budget_the_breakdown_shows_each_groups_part_of_the_limit(make_app, dash_home):
    seed_budget(dash_home, monthly_usd="0.10")
    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        screen = dashboard_of(app)
        breakdown = screen.query_one("#dash-breakdown")
        assert [str(c.label) for c in breakdown.columns.values()][-1] == "of limit"
        # gpt-4o: 8 runs x $0.0045 = $0.036 of a $0.10 monthly limit
        assert breakdown.get_row_at(0)[0] == "gpt-4o" and breakdown.get_row_at(0)[-1] == "36.0 %"
        assert "limit $0.10" in str(screen.query_one("#dash-breakdown-title").render())
        await pilot.press("left_square_bracket")  # February: the monthly limit applies there too
        await settle(pilot)
        assert [str(c.label) for c in breakdown.columns.values()][-1] == "of limit"


async def test_without_a_budget_there_is_no_limit_column(make_app, dash_home):
    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        columns = [str(c.label) for c in dashboard_of(app).query_one("#dash-breakdown").columns.values()]
        assert columns == ["group", "runs", "input", "output", "cost", "share", "change"]
