"""The dashboard lays its body out once, with its figures: until they come it shows nothing but its title line,
and a slow history (held here at the critical point) still gets the "loading…" skeleton after a moment."""

from __future__ import annotations

import threading

from tests.app.conftest import seed_spend, settle
from tests.app.test_dashboard import dash_home, dashboard_of, text_of  # noqa: F401


async def test_the_body_waits_for_the_figures_then_a_slow_history_shows_loading(make_app, dash_home, monkeypatch):
    from promptlab_tui.screens.dashboard import dashboard_screen
    from promptlab_tui.services.dashboard import DashboardService

    seed_spend(dash_home, "0.25")
    release = threading.Event()
    overview = DashboardService.overview

    def held_overview(self, *args, **kwargs):
        release.wait(10)  # the history answers only when the test says so
        return overview(self, *args, **kwargs)

    monkeypatch.setattr(DashboardService, "overview", held_overview)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await pilot.pause()
        screen = dashboard_of(app)
        body = screen.query_one("#dash-body")
        assert screen.has_class("-opening") and not body.display  # no skeleton painted before the figures
        await pilot.pause(dashboard_screen.OPENING_WAIT_S + 0.1)
        assert body.display and text_of(screen.query_one("#dash-head")) == "Dashboard · loading…"
        release.set()
        await settle(pilot)
        assert screen.view is not None and text_of(screen.query_one("#dash-head")).startswith("Dashboard · this month")


async def test_figures_that_come_at_once_are_shown_without_a_loading_skeleton(make_app, dash_home):
    seed_spend(dash_home, "0.25")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        screen = dashboard_of(app)
        assert not screen.has_class("-opening") and screen.query_one("#dash-body").display
        assert screen.view is not None
