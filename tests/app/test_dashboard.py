"""The usage dashboard, reached as a user would (f6, the palette, `promptlab dashboard`), with Pilot and snapshots."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.app.conftest import FIXED_NOW, seed_budget, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def seed_history(home: Path, runs: int = 24) -> list[str]:
    """Runs over March 2026 up to FIXED_NOW: two models, three prompts, tags; costs in exact nanos."""
    from promptlab_tui.core.history import PendingRun
    from promptlab_tui.core.types import CostBreakdown, Usage
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(home / "promptlab.db")
    ids = []
    try:
        for i in range(runs):
            when = FIXED_NOW - timedelta(hours=13 * i + 1)
            model = "gpt-4o" if i % 3 == 0 else "gpt-4o-mini"
            prompt = ("summarise", "classify", "translate")[i % 3]
            pending = PendingRun(provider="openai", model=model, max_tokens=512, estimate_input_tokens=1_000,
                                 estimate_output_tokens=200, expected_cost_nanos=400_000, worst_cost_nanos=900_000,
                                 prompt_name=prompt, tags=("prod",) if i % 2 else ("eval", "prod"), created_at=when)
            repo.reserve_run(pending, None, now=when)
            cost = CostBreakdown(input_nanos=2_500_000 if model == "gpt-4o" else 150_000,
                                 output_nanos=2_000_000 if model == "gpt-4o" else 120_000, price_version="v1")
            repo.settle_run(pending.run_id, Usage(input_tokens=1_000 + 10 * i, output_tokens=200), cost, "completed",
                            duration_ms=800, finished_at=when + timedelta(seconds=1))
            ids.append(pending.run_id)
    finally:
        repo.close()
    return ids


@pytest.fixture
def dash_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    home = tmp_path / "promptlab"
    home.mkdir()
    monkeypatch.setenv("PROMPTLAB_HOME", str(home))
    return home


def dashboard_of(app):
    from promptlab_tui.screens.dashboard.dashboard_screen import DashboardScreen

    assert isinstance(app.screen, DashboardScreen), app.screen
    return app.screen


def text_of(widget) -> str:
    return str(widget.render())


async def open_dashboard(pilot) -> None:
    await settle(pilot)
    await pilot.press("f6")
    await settle(pilot)


async def test_f6_opens_the_dashboard_on_this_month_with_cards_and_breakdown(make_app, dash_home):
    seed_budget(dash_home, monthly_usd="10")
    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        screen = dashboard_of(app)
        head = text_of(screen.query_one("#dash-head"))
        assert "this month (2026-03-01 .. 2026-03-31)" in head and "by model" in head
        # 24 runs back from 14 March 11:00 every 13 hours: 24 of them in March (13 days)
        assert screen.view.cards.runs.now == 24
        assert screen.view.cards.spent.now == 8 * 4_500_000 + 16 * 270_000
        breakdown = screen.query_one("#dash-breakdown")
        assert breakdown.row_count == 2
        assert [breakdown.get_row_at(i)[0] for i in range(2)] == ["gpt-4o", "gpt-4o-mini"]
        assert breakdown.get_row_at(0)[4] == "$0.0360"
        await pilot.press("g")  # provider
        await settle(pilot)
        assert screen.view.group_by == "provider" and screen.query_one("#dash-breakdown").row_count == 1
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.view.period.first.isoformat() == "2026-02-01" and screen.view.cards.runs.now == 0
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "LabScreen"


async def test_charts_have_a_table_view_a_key_away(make_app, dash_home):
    from promptlab_tui.widgets.charts.plot_panel import PlotPanel

    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        screen = dashboard_of(app)
        daily = screen.query_one("#chart-daily", PlotPanel)
        assert "Daily cost" in text_of(daily) and "┤" in text_of(daily)  # a plotext chart with its axis
        await pilot.press("v")
        await pilot.pause()
        assert daily.show_table
        from rich.console import Console

        console = Console(width=80, record=True)
        console.print(daily.render())
        table = console.export_text()
        assert "2026-03-14" in table and "$0.0045" in table  # the day and its exact cost
        group = screen.query_one("#chart-group", PlotPanel)
        console.print(group.render())
        assert "gpt-4o-mini" in console.export_text()


async def test_recent_activity_pages_sorts_filters_and_opens_a_run(make_app, dash_home):
    ids = seed_history(dash_home, runs=60)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        screen = dashboard_of(app)
        activity = screen.query_one("#dash-activity")
        assert activity.row_count == 50 and "m more" in text_of(screen.query_one("#dash-activity-title"))
        await pilot.press("m")
        await settle(pilot)
        assert activity.row_count == 60 and screen.cursor is None
        await pilot.press("s")  # sort by cost
        await settle(pilot)
        assert screen.sort == "cost" and activity.get_row_at(0)[1] == "gpt-4o"
        await pilot.press("slash", *"transl", "enter")
        await settle(pilot)
        assert {activity.get_row_at(i)[2] for i in range(activity.row_count)} == {"translate"}
        activity.focus()
        activity.move_cursor(row=0)
        await pilot.press("enter")
        await settle(pilot)
        # the history's run detail: one screen for both, every field
        from promptlab_tui.screens.history.run_detail_screen import RunDetailScreen

        assert isinstance(app.screen, RunDetailScreen) and app.screen.run_id in ids
        detail = str(app.screen.query_one("#run-detail-body").render())
        for expected in ("Price version", "v1", "Estimate", "Actual", "Duration", "Status", "Cost: input",
                         "Cost: output", "Messages", "Answer"):
            assert expected in detail, expected
        assert "translate" in detail


async def test_a_run_settled_elsewhere_shows_after_the_next_poll(make_app, dash_home):
    seed_history(dash_home, runs=3)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        screen = dashboard_of(app)
        assert screen.view.cards.runs.now == 3
        seed_history(dash_home, runs=1)  # another process's run (its own connection)
        screen.poll()
        await settle(pilot)
        assert screen.view.cards.runs.now == 4


async def test_empty_history_says_how_to_start(make_app, dash_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dashboard(pilot)
        head = text_of(dashboard_of(app).query_one("#dash-head"))
        assert "Nothing recorded yet" in head and "ctrl+r" in head


async def test_the_palette_lists_the_dashboard_with_its_key(make_app, dash_home):
    from promptlab_tui.screens.commands import PromptLabCommands

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        provider = PromptLabCommands(app.screen)
        labels = [entry.label for entry in provider.entries()]
        assert "Usage dashboard  (f6)" in labels


async def test_no_color_draws_charts_without_colour(make_app, dash_home, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        from promptlab_tui.widgets.charts.plot_panel import PlotPanel

        chart = dashboard_of(app).query_one("#chart-daily", PlotPanel).render()
        assert "┤" in str(chart) and not any(span.style for span in chart.spans)


def test_dashboard_command_refuses_a_bad_period(capsys):
    from promptlab_tui.cli.main import main

    assert main(["dashboard", "--period", "fortnight"]) == 2
    assert "--period 'fortnight'" in capsys.readouterr().err


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_dashboard_empty(snap_compare, make_app, dash_home, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=open_dashboard)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_dashboard_with_data(snap_compare, make_app, dash_home, size):
    seed_budget(dash_home, monthly_usd="1")
    seed_history(dash_home)
    assert snap_compare(make_app(), terminal_size=size, run_before=open_dashboard)


async def test_alert_details_open_the_dashboard_on_the_alerts_period(make_app, dash_home):
    from tests.app.conftest import seed_spend
    from promptlab_tui.store.repository import HistoryRepository

    seed_budget(dash_home, monthly_usd="1")
    seed_spend(dash_home, "0.95", when=FIXED_NOW - timedelta(days=3))
    repo = HistoryRepository(dash_home / "promptlab.db")
    try:
        assert repo.record_threshold_alerts(repo.get_budget(), now=FIXED_NOW)
    finally:
        repo.close()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        screen = dashboard_of(app)
        assert screen.view.period.label == "2026-03-01 .. 2026-03-31" and screen.view.budget_kind == "monthly"
        assert "$0.95" in figures_text(screen) and "of $1.00 (95 %)" in figures_text(screen)


def figures_text(screen) -> str:
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(screen.query_one("#dash-cards").content)
    return console.export_text()


async def test_a_recommendation_is_applied_to_its_saved_prompt_and_undone(make_app, dash_home):
    from promptlab_tui.store.repository import HistoryRepository

    seed_history(dash_home)  # summarise runs on gpt-4o: a cheaper sibling saves most of their cost
    prompt = dash_home / "summarise.md"
    original = '+++\nname = "summarise"\nmodel = "gpt-4o"\nmax_tokens = 512\n+++\nSummarise this.\n'
    prompt.write_text(original, encoding="utf-8")
    repo = HistoryRepository(dash_home / "promptlab.db")
    try:
        repo.save_prompt_ref("summarise", str(prompt))
    finally:
        repo.close()
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        screen = dashboard_of(app)
        item = screen._applicable()
        assert item is not None and item.change.prompt == "summarise", screen.recommendations
        assert "[a applies]" in str(screen.query_one("#dash-recs").content)
        await pilot.press("a")
        await settle(pilot)
        changed = prompt.read_text(encoding="utf-8")
        assert changed != original and str(item.change.new) in changed
        await pilot.press("u")
        await settle(pilot)
        assert prompt.read_text(encoding="utf-8") == original and screen.applied == []


async def test_x_exports_the_period_as_csv_into_the_data_folder(make_app, dash_home):
    import csv
    import os
    import stat

    seed_history(dash_home, runs=40)  # 25 of them in March (every 13 hours back from 14 March 11:00)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dashboard(pilot)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("enter")  # CSV, the first format
        await settle(pilot)
        target = dash_home / "exports" / "promptlab-2026-03-01--2026-03-31.csv"
        assert target.exists() and stat.S_IMODE(os.stat(target).st_mode) == 0o600
        with target.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == 25 and all(row["created_at"].startswith("2026-03") for row in rows)
        assert dashboard_of(app).query_one("#dash-export").has_class("-hidden")
