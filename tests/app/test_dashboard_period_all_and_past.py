"""The dashboard on everything recorded has nothing to compare with, and a finished period has no burn rate."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from tests.app.conftest import seed_budget, settle
from tests.app.test_dashboard import SIZES, dash_home, dashboard_of, seed_history  # noqa: F401


def text_of(widget) -> str:
    """What the widget shows, as plain text (the cards are a rich Table)."""
    console = Console(width=160, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.render())
    return console.export_text()


async def test_everything_recorded_says_there_is_no_earlier_period_and_shows_no_changes(make_app, dash_home):
    seed_history(dash_home)
    app = make_app(start_dashboard="all")  # what `promptlab dashboard --period all` runs
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = dashboard_of(app)
        head = text_of(screen.query_one("#dash-head"))
        assert "everything recorded" in head and "no earlier period to compare" in head
        assert " vs " not in head  # was "vs 2026-…", a range ending before it starts
        cards = text_of(screen.query_one("#dash-cards"))
        assert "(new)" not in cards and "no change" not in cards
        breakdown = screen.query_one("#dash-breakdown")
        assert all("(new)" not in str(cell) for row in range(breakdown.row_count) for cell in breakdown.get_row_at(row))


async def test_a_finished_period_has_no_burn_rate_but_the_current_one_has(make_app, dash_home):
    seed_history(dash_home)
    app = make_app(start_dashboard="last-month")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = dashboard_of(app)
        past = text_of(screen.query_one("#dash-forecast"))
        assert "Spent so far" in past and "burn rate" not in past
        await pilot.press("]")  # this month: in progress
        await settle(pilot)
        assert screen.view.period.kind in ("last-month", "month") and screen.view.in_progress
        assert "burn rate today" in text_of(screen.query_one("#dash-forecast"))


async def _everything_recorded(pilot) -> None:
    """`promptlab dashboard --period all` is the user's way in (no key picks everything recorded)."""
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_dashboard_everything_recorded(snap_compare, make_app, dash_home, size):
    seed_budget(dash_home, monthly_usd="1")
    seed_history(dash_home)
    assert snap_compare(make_app(start_dashboard="all"), terminal_size=size, run_before=_everything_recorded)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_dashboard_last_month_without_a_burn_rate(snap_compare, make_app, dash_home, size):
    seed_budget(dash_home, monthly_usd="1")
    seed_history(dash_home)
    assert snap_compare(make_app(start_dashboard="last-month"), terminal_size=size, run_before=settle)
