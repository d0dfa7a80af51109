"""Journeys: adjust the budget from anywhere, the first-start wizard, alert details."""

from __future__ import annotations

from tests.app.conftest import FIXED_NOW, lab_screen, seed_budget, seed_spend, settle


def stored_budget(home):
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(home / "promptlab.db")
    try:
        return repo.get_budget()
    finally:
        repo.close()


async def replace_field(pilot, text: str) -> None:
    await pilot.press("home", "ctrl+k", *text)


async def test_adjust_budget_is_one_key_away_and_saved_at_once(make_app, isolated_home):
    from promptlab_tui.screens.dialogs.budget_adjust import BudgetAdjustDialog
    from promptlab_tui.widgets.budget.budget_bar import BudgetBar

    seed_budget(isolated_home, monthly_usd="10", mode="hard")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"typing in the editor")
        await pilot.press("ctrl+b")  # from inside the TextArea
        await settle(pilot)
        assert isinstance(app.screen, BudgetAdjustDialog)
        assert app.screen.focused.id == "monthly-limit"
        await replace_field(pilot, "25")
        await pilot.press("tab")  # monthly limit -> alert thresholds
        await replace_field(pilot, "80,100")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is lab_screen(app)
        bar = lab_screen(app).query_one(BudgetBar)
        assert bar.budget is not None and bar.budget.limit_nanos == 25_000_000_000
    saved = stored_budget(isolated_home)
    assert saved.monthly_limit_nanos == 25_000_000_000
    assert saved.thresholds == (80, 100)
    assert saved.mode == "hard" and saved.timezone == "UTC"  # fields the dialog does not show are kept


async def test_bad_budget_input_is_explained_and_nothing_is_lost(make_app, isolated_home):
    seed_budget(isolated_home, monthly_usd="10")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+b")
        await settle(pilot)
        await replace_field(pilot, "ten dollars")
        await pilot.press("enter")
        await settle(pilot)
        error = str(app.screen.query_one("#form-error").render())
        assert "monthly limit" in error and "ten dollars" in error
        await pilot.press("escape")
        await settle(pilot)
    assert stored_budget(isolated_home).monthly_limit_nanos == 10_000_000_000


async def test_first_start_wizard_recommends_and_saves_a_budget(make_app, isolated_home):
    from promptlab_tui.screens.dialogs.setup_wizard import SetupWizard

    app = make_app(setup_wizard=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SetupWizard)
        wizard = app.screen
        assert wizard.recommended_nanos and wizard.recommended_nanos > 0
        assert "recommended budget" in str(wizard.query_one("#usage-estimate").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")  # the last step offers a first run; esc just starts writing
        await settle(pilot)
        assert app.screen is lab_screen(app)
    saved = stored_budget(isolated_home)
    assert saved.monthly_limit_nanos == wizard.recommended_nanos
    assert saved.thresholds == (75, 90, 100)


async def test_skipped_wizard_does_not_come_back(make_app, isolated_home):
    from promptlab_tui.screens.dialogs.setup_wizard import SetupWizard

    app = make_app(setup_wizard=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is lab_screen(app)
    assert stored_budget(isolated_home) is None
    again = make_app(setup_wizard=True)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not isinstance(again.screen, SetupWizard)


async def test_alert_details_acknowledge_all_clears_the_badge(make_app, isolated_home):
    from promptlab_tui.screens.dialogs.alert_details import AlertDetailsScreen
    from promptlab_tui.store.repository import HistoryRepository
    from promptlab_tui.widgets.budget.budget_bar import BudgetBar

    seed_budget(isolated_home, monthly_usd="10")
    seed_spend(isolated_home, "9.50")
    repo = HistoryRepository(isolated_home / "promptlab.db")
    repo.record_threshold_alerts(repo.get_budget(), now=FIXED_NOW)
    repo.close()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = lab_screen(app).query_one(BudgetBar)
        assert bar.alert_count == 2 and "⚠ 2 alerts" in bar.text  # 75 % and 90 %
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, AlertDetailsScreen)
        await pilot.press("a")
        await settle(pilot)
        assert bar.alert_count == 0 and "alert" not in bar.text
    repo = HistoryRepository(isolated_home / "promptlab.db")
    assert repo.alerts() == []
    repo.close()


async def test_refusal_dialog_can_switch_to_the_cheaper_model(make_app):
    from promptlab_tui.screens.dialogs.budget_exceeded import BudgetExceededDialog
    from promptlab_tui.services.views import RefusalView

    refusal = RefusalView(message="", scope="monthly", spent_nanos=990, reserved_nanos=0, limit_nanos=1000,
                          worst_case_nanos=600, cheaper_model="gpt-4.1-nano", cheaper_worst_case_nanos=5)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lab = lab_screen(app)
        app.push_screen(BudgetExceededDialog(refusal), lab._refusal_choice)
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert app.screen is lab
        assert lab.editor.picker.selected.model == "gpt-4.1-nano"


async def test_the_mouse_opens_the_budget_and_the_alerts_from_the_status_line(make_app, isolated_home):
    from promptlab_tui.screens.dialogs.alert_details import AlertDetailsScreen
    from promptlab_tui.screens.dialogs.budget_adjust import BudgetAdjustDialog
    from promptlab_tui.store.repository import HistoryRepository

    seed_budget(isolated_home, monthly_usd="10")
    seed_spend(isolated_home, "9.50")
    repo = HistoryRepository(isolated_home / "promptlab.db")
    repo.record_threshold_alerts(repo.get_budget(), now=FIXED_NOW)
    repo.close()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.click("BudgetBar", offset=(20, 0))  # the budget text
        await settle(pilot)
        assert isinstance(app.screen, BudgetAdjustDialog)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.click("BudgetBar", offset=(78, 0))  # the alert badge, at the right end
        await settle(pilot)
        assert isinstance(app.screen, AlertDetailsScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.click("#alert-details")  # the banner's button
        await settle(pilot)
        assert isinstance(app.screen, AlertDetailsScreen)


async def test_a_budget_set_from_another_shell_shows_in_the_status_line(make_app, isolated_home, monkeypatch):
    import promptlab_tui.app as app_module
    from promptlab_tui.cli.main import main
    from promptlab_tui.widgets.budget.budget_bar import BudgetBar

    monkeypatch.setattr(app_module, "HISTORY_POLL_S", 0.05)
    seed_budget(isolated_home, monthly_usd="10")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(BudgetBar)
        assert "/ $10.00" in bar.text
        assert main(["budget", "set", "--monthly", "25"]) == 0  # what another shell runs
        for _ in range(100):  # the poll notices within a few intervals
            await pilot.pause(0.05)
            await settle(pilot)
            if "/ $25.00" in bar.text:
                break
        assert "/ $25.00" in bar.text


async def test_refusal_dialog_offers_no_key_for_what_is_not_on_offer(make_app):
    # issue 8, item 12: no "m Cheaper model" / "l Capped run" in the footer when neither is offered
    from promptlab_tui.screens.dialogs.budget_exceeded import BudgetExceededDialog
    from promptlab_tui.services.views import RefusalView
    from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter

    bare = RefusalView(message="", scope="monthly", spent_nanos=990, reserved_nanos=0, limit_nanos=1000,
                       worst_case_nanos=600)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(BudgetExceededDialog(bare), lab_screen(app)._refusal_choice)
        await settle(pilot)
        dialog = app.screen
        footer = " ".join(item.description for item in dialog.query_one(WrappingFooter).items()[0])
        assert "Raise budget" in footer and "Cheaper model" not in footer and "Capped run" not in footer
        await pilot.press("m", "l")
        await settle(pilot)
        assert app.screen is dialog


async def test_refusal_dialog_names_the_cheaper_model_unambiguously_and_selects_it(make_app):
    from promptlab_tui.screens.dialogs.budget_exceeded import BudgetExceededDialog
    from promptlab_tui.services.views import RefusalView

    refusal = RefusalView(message="", scope="monthly", spent_nanos=990, reserved_nanos=0, limit_nanos=1000,
                          worst_case_nanos=600, cheaper_model="claude-haiku-4.5", cheaper_provider="anthropic",
                          cheaper_label="Claude Haiku 4.5 (anthropic)", cheaper_worst_case_nanos=5)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        lab = lab_screen(app)
        app.push_screen(BudgetExceededDialog(refusal), lab._refusal_choice)
        await settle(pilot)
        assert "Use Claude Haiku 4.5 (anthropic)" in str(app.screen.query_one("#cheaper").label)
        await pilot.press("m")
        await settle(pilot)
        assert lab.editor.picker.selected.key == "anthropic:claude-haiku-4.5"
