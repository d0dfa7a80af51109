"""The dashboard's what-if (w) grouped by tag and by source (issue 9), as a user reaches it: w, a model, then g."""

from __future__ import annotations

import pytest

from tests.app.conftest import seed_budget, settle
from tests.app.test_dashboard import SIZES, dash_home, dashboard_of, open_dashboard, seed_history  # noqa: F401
from tests.app.test_dashboard_panes import shown

GROUP_PRESSES = {"tag": 3, "source": 4}  # g from model: provider, prompt, tag, source


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("group", list(GROUP_PRESSES))
def test_snapshot_what_if_by_group(snap_compare, make_app, dash_home, size, group):
    seed_budget(dash_home, monthly_usd="1")
    seed_history(dash_home)

    async def run_before(pilot):
        await open_dashboard(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press(*"gpt-4o-mini", "enter")
        await settle(pilot)
        for _ in range(GROUP_PRESSES[group]):
            await pilot.press("g")
            await settle(pilot)
        screen = dashboard_of(pilot.app)
        text = shown(screen.query_one("#dash-whatif"))
        assert "Total" in text and ("(not recorded)" in text if group == "source" else "eval" in text)
        screen.query_one("#dash-body").scroll_to_widget(screen.query_one("#dash-whatif"), top=True, animate=False)
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
