"""One snapshot per screen and dialog state, at 80x24 and at a wide 160x48.

Deterministic: a home folder shown as ~/promptlab, a pinned budget clock, a frozen
duration clock, no cursor blink, seeded history, and every worker finished before the picture.
Update after an intended change with `pytest tests/app/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.app.conftest import FIXED_NOW, seed_budget, seed_spend, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
PROMPT = "Summarise the attached meeting notes in three bullet points."


@pytest.fixture
def snap_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, needs_vocab) -> Path:
    """A private home; Settings shows it as ~/promptlab, the same on every machine and run."""
    monkeypatch.setenv("HOME", str(tmp_path))
    home = tmp_path / "promptlab"
    home.mkdir()
    monkeypatch.setenv("PROMPTLAB_HOME", str(home))
    return home


def record_alerts(home: Path) -> None:
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(home / "promptlab.db")
    try:
        repo.record_threshold_alerts(repo.get_budget(), now=FIXED_NOW)
    finally:
        repo.close()


async def type_prompt(pilot) -> None:
    await settle(pilot)
    await pilot.press(*PROMPT)
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_lab_first_start(snap_compare, make_app, snap_home, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_lab_preview_with_budget(snap_compare, make_app, snap_home, size):
    seed_budget(snap_home, monthly_usd="10")
    seed_spend(snap_home, "4.20")
    assert snap_compare(make_app(), terminal_size=size, run_before=type_prompt)


@pytest.mark.parametrize("size", SIZES)
def test_lab_alert_banner(snap_compare, make_app, snap_home, size):
    seed_budget(snap_home, monthly_usd="10")
    seed_spend(snap_home, "9.10")
    record_alerts(snap_home)
    assert snap_compare(make_app(), terminal_size=size, run_before=type_prompt)


@pytest.mark.parametrize("size", SIZES)
def test_setup_wizard(snap_compare, make_app, snap_home, size):
    assert snap_compare(make_app(setup_wizard=True), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_budget_adjust_dialog(snap_compare, make_app, snap_home, size):
    seed_budget(snap_home, monthly_usd="10", daily_usd="1")
    seed_spend(snap_home, "0.80")

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+b")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_alert_details(snap_compare, make_app, snap_home, size):
    seed_budget(snap_home, monthly_usd="10")
    seed_spend(snap_home, "9.50")
    record_alerts(snap_home)

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_budget_exceeded_dialog(snap_compare, make_app, snap_home, size):
    from promptlab_tui.screens.dialogs.budget_exceeded import BudgetExceededDialog
    from promptlab_tui.services.views import RefusalView

    refusal = RefusalView(message="", scope="monthly", spent_nanos=9_950_000_000, reserved_nanos=0,
                          limit_nanos=10_000_000_000, worst_case_nanos=61_440_000,
                          resets="Wed 2026-04-01 00:00 UTC", capped_max_tokens=812,
                          cheaper_model="gpt-4.1-nano", cheaper_worst_case_nanos=4_100_000)

    async def run_before(pilot):
        await settle(pilot)
        pilot.app.push_screen(BudgetExceededDialog(refusal))
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_prompt_too_long_dialog(snap_compare, make_app, snap_home, size):
    from promptlab_tui.screens.dialogs.prompt_too_long import PromptTooLongDialog
    from promptlab_tui.services.views import TooLongView

    async def run_before(pilot):
        await settle(pilot)
        pilot.app.push_screen(PromptTooLongDialog(TooLongView(tokens=12_480, limit=8_000, exact=True)))
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_saved_prompts(snap_compare, make_app, snap_home, size):
    folder = snap_home / "prompts"
    folder.mkdir()
    for name in ("meeting-notes", "release-summary", "sql-review"):
        (folder / f"{name}.md").write_text(f'+++\nname = "{name}"\nmodel = "gpt-4o-mini"\n+++\nHello\n')

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_settings(snap_compare, make_app, snap_home, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_project_theme(snap_compare, make_app, snap_home, size):
    (snap_home / "config.toml").write_text('theme = "promptlab-paper"\n')
    seed_budget(snap_home, monthly_usd="10")
    seed_spend(snap_home, "8.00")
    assert snap_compare(make_app(), terminal_size=size, run_before=type_prompt)


@pytest.mark.parametrize("size", SIZES)
def test_history(snap_compare, make_app, snap_home, size):
    seed_spend(snap_home, "0.0042", when=FIXED_NOW - timedelta(hours=2))
    seed_spend(snap_home, "1.25", model="gpt-4o", when=FIXED_NOW - timedelta(hours=1))

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_lab_after_a_run(snap_compare, make_app, snap_home, fake_provider_env, size):
    from tests.fakeprovider.behaviours import Behaviour

    fake_provider_env.script(Behaviour.reply())

    async def run_before(pilot):
        await type_prompt(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_lab_streaming(snap_compare, make_app, snap_home, size):
    """Mid-stream: Run greyed, Cancel live, the live token counter (driven directly: no timing involved)."""
    from tests.app.conftest import lab_screen

    async def run_before(pilot):
        await type_prompt(pilot)
        lab = lab_screen(pilot.app)
        lab.running = True
        lab.results.start("gpt-4o-mini")
        lab.results.append("Here are the three bullet points:\n- Budget approved", tokens=0)
        lab.results.set_tokens(12, exact=True)
        lab.refresh_bindings()
        await pilot.pause(0.1)  # one flush of the stream buffer (20 a second)
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
