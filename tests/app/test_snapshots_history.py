"""Snapshots of the history's run detail (issue 8, item 27), reached as a user would: f5, an arrow, enter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.app.conftest import FIXED_NOW, seed_budget, seed_spend, settle
from tests.app.test_snapshots import SIZES, snap_home  # noqa: F401  (fixture)


@pytest.mark.parametrize("size", SIZES)
def test_history_run_detail(snap_compare, make_app, snap_home, size):  # noqa: F811
    seed_budget(snap_home, monthly_usd="10")
    seed_spend(snap_home, "0.000311", when=FIXED_NOW - timedelta(hours=2))  # the older run: the one opened
    seed_spend(snap_home, "1.25", model="gpt-4o", when=FIXED_NOW - timedelta(hours=1))

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
