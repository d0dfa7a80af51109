"""Re-running the setup wizard (f4) keeps what it does not show (issue 8, item 11)."""

from __future__ import annotations

from tests.app.conftest import lab_screen, seed_budget, settle


def stored_budget(home):
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(home / "promptlab.db")
    try:
        return repo.get_budget()
    finally:
        repo.close()


async def test_rerunning_the_wizard_keeps_the_daily_limit_and_says_so(make_app, isolated_home):
    from textual.widgets import Input, Static

    from promptlab_tui.screens.dialogs.setup_wizard import SetupWizard

    seed_budget(isolated_home, monthly_usd="10", daily_usd="5", thresholds=(50, 100), mode="warn",
                max_tokens_per_prompt=8000)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        wizard = app.screen
        assert isinstance(wizard, SetupWizard)
        # the current budget is what the form starts from, and the limits it does not edit are named
        assert wizard.query_one("#monthly-limit", Input).value == "10"
        assert wizard.query_one("#thresholds", Input).value == "50,100"
        kept = str(wizard.query_one("#kept-limits", Static).render())
        assert "daily limit $5.00" in kept and "8,000 tokens per prompt" in kept
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")  # the last step ("what next?"): just start writing
        await settle(pilot)
        assert app.screen is lab_screen(app)
    saved = stored_budget(isolated_home)
    assert saved.daily_limit_nanos == 5_000_000_000 and saved.monthly_limit_nanos == 10_000_000_000
    assert saved.max_tokens_per_prompt == 8000 and saved.mode == "warn" and saved.thresholds == (50, 100)
