"""Issue 12: the team server cannot be reached and the team's policy refuses offline runs. The Lab says so in
its dialog (not a "Budget would be exceeded" one) and offers only what can help: retry sync, close."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.conftest import lab_screen, settle
from tests.app.test_snapshots import SIZES
from tests.app.test_team_sync import log_in, snap_home, wait_for_sync  # noqa: F401  (fixture)
from tests.fakeprovider.server import Behaviour

pytest.importorskip("fastapi")

UNREACHABLE = "http://127.0.0.1:0"  # nothing can listen on port 0: refused at once, and the same text every run


@pytest.fixture
def refusing_team(snap_home: Path) -> None:  # noqa: F811
    """Logged in to a team whose hard budget applies and whose offline policy is to refuse (as last synced)."""
    from promptlab_tui.paths import app_paths
    from promptlab_tui.store.database import Database
    from promptlab_tui.sync.team_gate import remember_team

    log_in(UNREACHABLE, "plt_unused")
    remember_team(Database(app_paths().ensure().database), {"offline_policy": "refuse", "run_mode": "direct"},
                  [{"mode": "hard"}])


async def _run_offline(pilot) -> None:  # type: ignore[no-untyped-def]
    await wait_for_sync(pilot, "offline")
    await pilot.press(*"Say hello")
    await settle(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)


async def test_the_offline_refusal_says_why_and_offers_retry_sync(make_app, fake_provider_env, refusing_team):
    from textual.widgets import Button

    from promptlab_tui.screens.dialogs.team_offline_refused import TeamOfflineRefusedDialog

    fake_provider_env.script(Behaviour.reply())
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _run_offline(pilot)
        dialog = app.screen
        assert isinstance(dialog, TeamOfflineRefusedDialog)
        title = str(dialog.query_one("#refusal-title").render())
        text = str(dialog.query_one("#refusal-numbers").render())
        assert "Team server unreachable" in title and "Budget would be exceeded" not in title
        assert "The team server cannot be reached, and a hard team budget applies" in text
        assert "policy is to refuse runs while the server is unreachable" in text
        assert "Limit" not in text and "Left" not in text  # no budget numbers that mean nothing here
        assert {b.id for b in dialog.query(Button)} == {"retry-sync", "close"}  # no "Increase budget"
        kicked = []
        app.team_sync.kick = lambda: kicked.append(True)  # the background sync's thread is woken, nothing else
        await pilot.press("s")
        await settle(pilot)
        assert kicked == [True] and app.screen is lab_screen(app)
    assert fake_provider_env.requests == []  # refused before anything was sent


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_team_offline_refusal(snap_compare, make_app, fake_provider_env, refusing_team, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_run_offline)
