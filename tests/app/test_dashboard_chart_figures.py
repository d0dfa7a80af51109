"""What the dashboard's charts draw: the budget line over daily bars is the budget's daily share (a month's
limit over daily bars would squash them to the floor), and the cost by group names every bar, a long name cut
with an ellipsis."""

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


async def test_the_cost_by_group_chart_names_every_bar_and_cuts_long_names_with_an_ellipsis(make_app, dash_home):
    from promptlab_tui.widgets.charts.plot_panel import PlotPanel

    seed_spend(dash_home, "0.50", when=FIXED_NOW, model="claude-3-5-sonnet-20241022")
    seed_spend(dash_home, "0.25", when=FIXED_NOW, model="gpt-4o")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dashboard(pilot)
        await settle(pilot)
        panel = dashboard_of(app).query_one("#chart-group", PlotPanel)
        lines = panel.render().plain.splitlines()
        assert lines[0] == "Cost by model"
        width = panel.size.width
        # one bar a row: its name (cut to a quarter of the width, "…" says so), the bar, its amount at the right
        assert lines[1].startswith("claude-3-5-sonnet-… █") and lines[1].endswith(" $0.50")
        assert lines[2].startswith(f"{'gpt-4o':<19} █") and lines[2].endswith(" $0.25")
        assert len(lines[1]) == len(lines[2]) <= width
        # bars scale to the largest: half the cost, half the bar (to an eighth of a cell)
        bar = [line[20:].rstrip(" $0.512") for line in lines[1:3]]
        full, half = (sum(8 if c == "█" else " ▏▎▍▌▋▊▉".index(c) for c in b) for b in bar)
        assert abs(full - 2 * half) <= 1


def test_bar_lines_line_up_wide_characters_by_terminal_cells():
    from rich.cells import cell_len

    from promptlab_tui.widgets.dashboard.dashboard_figures import bar_lines

    rows = bar_lines(("要約プロンプト", "sum"), (2.0, 0.0), ("$2.00", "$0.00"), 80)
    assert [cell_len(label) for label, _, _ in rows] == [14, 14]  # 7 wide characters: 14 cells
    assert rows[1][1].strip() == ""  # nothing spent: no bar
    assert {cell_len("".join(row)) for row in rows} == {80 - 3}  # the panel puts a space between the parts
    cut = bar_lines(("要約プロンプト",), (1.0,), ("$1.00",), 40)[0][0]
    assert cut == "要約プロ… " and cell_len(cut) == 10  # a quarter of 40: a wide character never split


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


def test_chart_axes_are_labelled_in_dollars_by_the_money_rule_and_in_whole_tokens():
    from promptlab_tui.widgets.dashboard.dashboard_figures import ChartSpec, y_ticks

    cost = ChartSpec("daily", "Daily cost", "bars", ("03-01", "03-02"), (("cost", (0.01, 0.032258), "primary"),),
                     ("budget a day", 0.02), y_unit="usd")
    ticks, labels = y_ticks(cost)
    assert ticks[0] == 0 and ticks[-1] == 0.032258
    assert labels == ["$0.0000", "$0.0081", "$0.0161", "$0.0242", "$0.0323"]  # as the title shows $0.0323
    tokens = ChartSpec("tokens", "Input vs output tokens", "lines", ("03-01",), (("input", (2450.0,), "primary"),),
                       y_unit="tokens")
    assert y_ticks(tokens)[1] == ["0", "612", "1,225", "1,838", "2,450"]
    assert y_ticks(ChartSpec("x", "x", "lines", ("03-01",), (("input", (0.0,), "primary"),), y_unit="usd")) == ([], [])
