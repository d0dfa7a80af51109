"""Every action has a key in the Footer and an entry in the one palette provider; themes are remembered."""

from __future__ import annotations

from tests.app.conftest import lab_screen, settle


def shown_bindings(screen) -> dict[str, str]:
    """action -> key of every binding the Footer shows on this screen."""
    return {binding.action: binding.key for _, binding, _, _ in screen.active_bindings.values() if binding.show}


async def test_every_footer_binding_is_in_the_palette_with_its_key(make_app):
    from promptlab_tui.screens.commands import LAB_COMMANDS

    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        shown = shown_bindings(lab_screen(app))
        palette = {action.partition(".")[2]: key for _, _, action, key in LAB_COMMANDS}
        for action, key in shown.items():
            if action == "command_palette":
                continue
            assert action in palette, f"{action} ({key}) has no palette entry"
            assert palette[action].replace("esc", "escape") == key, action
        # A key the screen hides while it would do nothing (f8 while the count is exact) is exempt here;
        # tests/app/test_lab_online_count.py checks it is in the Footer when it is offered.
        hidden = {action for action in palette if lab_screen(app).check_action(action, ()) is False}
        assert set(palette) - hidden <= set(shown), "every palette action has its key in the Footer"


def dialogs():
    """Every dialog the app opens, built as the app builds it."""
    from promptlab_tui.screens.dialogs.alert_details import AlertDetailsScreen
    from promptlab_tui.screens.dialogs.budget_adjust import BudgetAdjustDialog
    from promptlab_tui.screens.dialogs.budget_exceeded import BudgetExceededDialog
    from promptlab_tui.screens.history.history_screen import HistoryScreen
    from promptlab_tui.screens.dialogs.model_dialog import ModelDialog
    from promptlab_tui.screens.dialogs.prompt_too_long import PromptTooLongDialog
    from promptlab_tui.screens.dialogs.saved_prompts import SavedPromptsScreen
    from promptlab_tui.screens.dialogs.settings import SettingsScreen
    from promptlab_tui.screens.dialogs.setup_wizard import SetupWizard
    from promptlab_tui.screens.dialogs.team_offline_refused import TeamOfflineRefusedDialog
    from promptlab_tui.services.model_choice import ModelChoice
    from promptlab_tui.services.views import RefusalView, TooLongView

    mini = ModelChoice("openai", "gpt-4o-mini", "GPT-4o mini")
    refusal = RefusalView(message="", scope="monthly", spent_nanos=990, reserved_nanos=0, limit_nanos=1000,
                          worst_case_nanos=600, cheaper_model="gpt-4.1-nano", cheaper_worst_case_nanos=5)
    return [
        lambda: BudgetAdjustDialog(None, None), lambda: SetupWizard([mini]), lambda: AlertDetailsScreen([], None),
        lambda: BudgetExceededDialog(refusal), lambda: PromptTooLongDialog(TooLongView(tokens=10, limit=5, exact=True)),
        lambda: HistoryScreen(), lambda: SettingsScreen(), lambda: SavedPromptsScreen(None),
        lambda: ModelDialog([mini], mini.key),
        lambda: TeamOfflineRefusedDialog(RefusalView(message="", scope="team offline policy", spent_nanos=0,
                                                     reserved_nanos=0, limit_nanos=0, worst_case_nanos=600,
                                                     offline_reason="the team server cannot be reached")),
    ]


async def test_every_dialog_key_is_in_its_footer_and_in_the_palette(make_app):
    """Over a dialog the footer also lists the app keys that still work there (greyed when they do nothing),
    and the palette (its key works over dialogs too) lists the same keys, available or not alike."""
    from promptlab_tui.screens.commands import PromptLabCommands
    from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for make_dialog in dialogs():
            dialog = make_dialog()
            app.push_screen(dialog)
            await settle(pilot)
            items, palette_key = dialog.query_one(WrappingFooter).items()
            assert palette_key is not None and palette_key.enabled
            shown = {item.key.replace("escape", "esc"): item.enabled for item in items}
            for key, active in dialog.active_bindings.items():
                if active.binding.show and active.node is dialog:  # (not a key the focused widget takes)
                    assert key.replace("escape", "esc") in shown, (type(dialog).__name__, key)
            assert shown["ctrl+q"] is True and shown["ctrl+b"] is False  # quit works, a second dialog does not
            offered = {entry.key: entry.available for entry in PromptLabCommands(dialog).entries()}
            for key, enabled in shown.items():
                assert offered.get(key) is enabled, (type(dialog).__name__, key)
            dialog.dismiss(None)
            await settle(pilot)


async def test_palette_runs_an_action(make_app):
    from promptlab_tui.screens.dialogs.budget_adjust import BudgetAdjustDialog

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"adjust budget")
        await settle(pilot)
        for _ in range(3):  # highlight the hit, pick it, run it
            await pilot.press("enter")
            await settle(pilot)
            if isinstance(app.screen, BudgetAdjustDialog):
                break
        assert isinstance(app.screen, BudgetAdjustDialog)


async def test_unavailable_actions_are_greyed_not_hidden(make_app):
    from promptlab_tui.screens.commands import PromptLabCommands

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lab = lab_screen(app)
        assert lab.check_action("cancel_run", ()) is None
        lab.running = True
        assert lab.check_action("run", ()) is None
        assert lab.check_action("cancel_run", ()) is True
        provider = PromptLabCommands(lab)
        labels = {entry.label: entry.available for entry in provider.entries()}
        assert labels["Run prompt  (ctrl+r, unavailable now)"] is False
        lab.running = False


async def test_project_themes_are_registered_and_the_choice_is_remembered(make_app, isolated_home):
    from promptlab_tui.config import load_config

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert {"promptlab-dusk", "promptlab-paper"} <= set(app.available_themes)
        await pilot.press("f2")
        await settle(pilot)
        option_list = app.screen.query_one("#theme-list")
        option_list.highlighted = option_list.get_option_index("promptlab-dusk")
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == "promptlab-dusk"
    assert load_config().theme == "promptlab-dusk"
    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.theme == "promptlab-dusk"


async def test_a_broken_theme_file_is_reported_and_skipped(make_app, isolated_home):
    folder = isolated_home / "themes"
    folder.mkdir()
    (folder / "broken.toml").write_text('name = "broken"\nprimary = "#123456"\ncolour = "red"\n')
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "broken" not in app.available_themes
        assert any("broken.toml" in problem and "colour" in problem for problem in app.startup_problems)


async def test_a_broken_config_file_is_not_overwritten(make_app, isolated_home):
    config = isolated_home / "config.toml"
    config.write_text("theme = [unclosed\n")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert any("config" in problem.lower() for problem in app.startup_problems)
        app.theme = "nord"
        await settle(pilot)
    assert config.read_text() == "theme = [unclosed\n"
