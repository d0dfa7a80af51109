"""Snapshots of the Lab's daily-use states added with issue 8 (items 24-31e), at 80x24 and 160x48."""

from __future__ import annotations

import pytest

from tests.app.conftest import seed_budget, seed_spend, settle
from tests.app.test_snapshots import PROMPT, SIZES, snap_home, type_prompt  # noqa: F401  (fixture)


@pytest.mark.parametrize("size", SIZES)
def test_unsaved_changes_question(snap_compare, make_app, snap_home, size):  # noqa: F811
    async def run_before(pilot):
        await type_prompt(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_run_detail(snap_compare, make_app, snap_home, size):  # noqa: F811
    seed_budget(snap_home, monthly_usd="10")
    seed_spend(snap_home, "0.25")

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_model_list_with_prices_and_keys(snap_compare, make_app, snap_home, size):  # noqa: F811
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_setup_wizard_last_step(snap_compare, make_app, snap_home, size):  # noqa: F811
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        for _ in range(200):  # the last step shows one message after the save's worker ends
            if pilot.app.screen.query("#wizard-next") and pilot.app.screen.query_one("#wizard-next").display:
                break
            await pilot.pause(0.01)
        await settle(pilot)

    assert snap_compare(make_app(setup_wizard=True), terminal_size=size, run_before=run_before)
