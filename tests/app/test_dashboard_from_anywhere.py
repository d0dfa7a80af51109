"""f6 opens the dashboard from anywhere, dialogs included, and esc comes back to where the user was (issue 9:
"f6 from anywhere")."""

from __future__ import annotations

import pytest

from tests.app.conftest import settle


@pytest.mark.parametrize("opener, screen_name", [
    ("f5", "HistoryScreen"),  # the runs list
    ("f2", "SettingsScreen"),  # a settings dialog
    ("ctrl+b", "BudgetAdjustDialog"),  # the budget dialog
])
async def test_f6_opens_the_dashboard_over_a_dialog_and_esc_returns_to_it(make_app, isolated_home, opener,
                                                                           screen_name):
    from promptlab_tui.screens.dashboard.dashboard_screen import DashboardScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(opener)
        await settle(pilot)
        assert type(app.screen).__name__ == screen_name
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == screen_name


async def test_f6_over_a_dialog_of_the_dashboard_goes_back_to_it_not_to_a_second_one(make_app, isolated_home):
    from promptlab_tui.screens.dashboard.dashboard_screen import DashboardScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("f2")  # settings over the dashboard
        await settle(pilot)
        assert type(app.screen).__name__ == "SettingsScreen"
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert sum(isinstance(s, DashboardScreen) for s in app.screen_stack) == 1
