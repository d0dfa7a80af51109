"""Snapshots of issue 11's Lab states, reached as a user would: compare mode after a run, a conversation."""

from __future__ import annotations

import pytest

from tests.app.conftest import settle
from tests.app.test_snapshots import SIZES, snap_home  # noqa: F401  (fixture)
from tests.fakeprovider.behaviours import Behaviour


@pytest.mark.parametrize("size", SIZES)
def test_compare_after_a_run(snap_compare, make_app, snap_home, fake_provider_env, size):  # noqa: F811
    fake_provider_env.default = Behaviour.reply("Two, three and five are the first three primes.")

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press(*"Name three primes.")
        await settle(pilot)
        await pilot.press("alt+c")
        await settle(pilot)
        pilot.app.screen.query_one("#compare-models").value = "gpt-4o-mini, gpt-4.1-mini, gpt-4o"
        pilot.app.screen.query_one("#compare-cap").value = "0.005"
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("tab", "f8")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_confirm_above_dialog_for_a_fallback_chain(snap_compare, make_app, snap_home, fake_provider_env,
                                                    size):  # noqa: F811
    (snap_home / "config.toml").write_text("confirm_above = 0.000001\n", encoding="utf-8")
    folder = snap_home / "prompts"
    folder.mkdir(exist_ok=True)
    (folder / "chain.md").write_text('+++\nmodel = "gpt-4o"\nmax_tokens = 64\nfallback = ["gpt-4o-mini"]\n'
                                     "+++\nName three primes.\n", encoding="utf-8")

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_lab_conversation(snap_compare, make_app, snap_home, fake_provider_env, size):  # noqa: F811
    fake_provider_env.script(Behaviour.reply("2, 3 and 5."), Behaviour.reply("7 and 11."))

    async def run_before(pilot):
        await settle(pilot)
        for question in ("Name three primes.", "And the next two?"):
            await pilot.press(*question)
            await settle(pilot)
            await pilot.press("ctrl+r")
            await settle(pilot)
            await pilot.press("alt+n")
            await settle(pilot)
        await pilot.press(*"Which is even?")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_optimise_after_the_rewrite(snap_compare, make_app, snap_home, fake_provider_env, size):  # noqa: F811
    from tests.app.test_lab_choice import LONG, SHORT

    fake_provider_env.script(Behaviour.reply(SHORT))

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press(*LONG)
        await settle(pilot)
        await pilot.press("alt+s")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_confirm_above_dialog(snap_compare, make_app, snap_home, fake_provider_env, size):  # noqa: F811
    (snap_home / "config.toml").write_text("confirm_above = 0.000001\n", encoding="utf-8")

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press(*"Name three primes.")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
