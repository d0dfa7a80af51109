"""The Lab shows the team sync state in its top bar (synced, offline · pending N), without blocking anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.conftest import settle
from tests.app.test_snapshots import SIZES
from tests.sync.conftest import live_team  # noqa: F401  (fixture)

pytest.importorskip("fastapi")


def log_in(url: str, token: str) -> None:
    from promptlab_tui.sync.credentials import Login, save_login

    save_login(Login(url, token))


async def wait_for_sync(pilot, wanted: str) -> None:  # type: ignore[no-untyped-def]
    """Until the background sync has reported `wanted` (its thread posts a message; each round yields)."""
    for _ in range(500):
        await settle(pilot)
        if pilot.app.sync_state == wanted:
            return
        await pilot.pause(0.02)
    raise AssertionError(f"sync state stayed {pilot.app.sync_state!r}, expected {wanted!r}")


@pytest.fixture
def offline_login(snap_home: Path) -> None:
    from tests.server.postgres import free_port

    log_in(f"http://127.0.0.1:{free_port()}", "plt_unused")  # nothing listens there


@pytest.fixture
def snap_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, needs_vocab) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    home = tmp_path / "promptlab"
    home.mkdir()
    monkeypatch.setenv("PROMPTLAB_HOME", str(home))
    return home


@pytest.mark.parametrize("size", SIZES)
def test_lab_team_synced(snap_compare, make_app, snap_home, live_team, size):
    log_in(live_team.url, live_team.team.tokens["member"])

    async def run_before(pilot):  # type: ignore[no-untyped-def]
        await wait_for_sync(pilot, "synced")

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_lab_team_offline_with_runs_pending(snap_compare, make_app, snap_home, offline_login, size):
    from tests.app.conftest import seed_spend

    seed_spend(snap_home, "0.42")  # a settled run, queued for the team server

    async def run_before(pilot):  # type: ignore[no-untyped-def]
        await wait_for_sync(pilot, "offline · pending 1")

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


async def test_logged_out_shows_no_sync_state(make_app, snap_home):
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.sync_state == "" and app.team_sync is None
        from promptlab_tui.widgets.budget.budget_bar import BudgetBar

        assert "team:" not in app.screen.query_one(BudgetBar).text


async def test_team_alerts_appear_in_the_lab_banner_after_a_sync(make_app, snap_home, live_team):
    import uuid

    from tests.server.conftest import run_body

    team = live_team.team
    team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "monthly", "limit_nanos": 100,
                                                   "mode": "warn", "thresholds": [90]})
    team.call("target", "POST", "/v1/runs/batch", json={"runs": [run_body(uuid.uuid4().hex, cost=95)]})
    log_in(live_team.url, team.tokens["member"])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_sync(pilot, "synced · team monthly 95%")
        for _ in range(200):
            await settle(pilot)
            if app.alerts:
                break
        assert [a.short.split(":")[0] for a in app.alerts] == ["Team monthly budget 90% reached"]
        assert "Team monthly budget: 90% reached" in app.alerts[0].message


async def test_the_tightest_team_budget_is_shown_labelled_beside_the_personal_one(make_app, snap_home, live_team):
    import uuid

    from tests.server.conftest import run_body

    team = live_team.team
    team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "monthly", "limit_nanos": 1000})
    team.call("owner", "PUT", "/v1/budgets", json={"scope": "member", "subject_id": team.ids["member"],
                                                   "period": "daily", "limit_nanos": 1000})
    team.call("member", "POST", "/v1/runs/batch", json={"runs": [run_body(uuid.uuid4().hex, cost=420)]})
    team.call("target", "POST", "/v1/runs/batch", json={"runs": [run_body(uuid.uuid4().hex, cost=300)]})
    log_in(live_team.url, team.tokens["member"])
    app = make_app()
    async with app.run_test(size=(120, 24)) as pilot:
        await wait_for_sync(pilot, "synced · team monthly 72%")
        from promptlab_tui.widgets.budget.budget_bar import BudgetBar

        assert "team: synced · team monthly 72%" in app.screen.query_one(BudgetBar).text


async def test_the_preview_shows_the_team_budget_left_after_the_run(make_app, snap_home, live_team):
    import uuid

    from tests.app.conftest import settle
    from tests.server.conftest import run_body

    team = live_team.team
    team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "monthly", "limit_nanos": 10**9})
    team.call("target", "POST", "/v1/runs/batch", json={"runs": [run_body(uuid.uuid4().hex, cost=4 * 10**8)]})
    log_in(live_team.url, team.tokens["member"])
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_sync(pilot, "synced · team monthly 40%")
        await pilot.press(*"Say hello")
        await settle(pilot)
        from promptlab_tui.widgets.preview.preview_pane import PreviewPane

        text = str(app.screen.query_one(PreviewPane).render())
        assert "Team" in text and "left of $1.00 (team monthly)" in text
