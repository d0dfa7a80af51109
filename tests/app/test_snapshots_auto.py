"""Snapshots of the Lab's "auto" pick in the preview and of a fallback chain's result, reached as a user would."""

from __future__ import annotations

import pytest

from tests.app.conftest import settle
from tests.app.test_snapshots import SIZES, snap_home  # noqa: F401  (fixture)
from tests.choice.helpers import only_fake_keys  # noqa: F401  (fixture)
from tests.fakeprovider.behaviours import Behaviour


@pytest.mark.parametrize("size", SIZES)
def test_lab_auto_pick_in_the_preview(snap_compare, make_app, snap_home, only_fake_keys, size):  # noqa: F811
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press(*"auto medium", "enter")
        await settle(pilot)
        await pilot.press("tab", "tab", "tab", *"0.01", "tab", "tab")  # Cap $ (max_cost), then the user message
        await pilot.press(*"Name three primes.")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_lab_fallback_chain_result(snap_compare, make_app, snap_home, only_fake_keys, size):  # noqa: F811
    (snap_home / "config.toml").write_text("request_timeout_seconds = 2.0\n\n[retry]\nmax_attempts = 1\n"
                                           "base_delay_seconds = 0.01\n", encoding="utf-8")
    (snap_home / "prompts").mkdir()
    (snap_home / "prompts" / "chain.md").write_text(
        '+++\nmodel = "gpt-4o"\nmax_tokens = 64\nfallback = ["gpt-4o-mini"]\n+++\nName three primes.\n',
        encoding="utf-8")
    only_fake_keys.script(Behaviour.server_error(503), Behaviour.reply("2, 3 and 5."))

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
