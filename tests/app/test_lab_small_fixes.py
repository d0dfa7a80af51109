"""Item 30's small things: the right field focused, refusal titles, the palette, file names, token units."""

from __future__ import annotations

from tests.app.conftest import lab_screen, seed_budget, settle


def test_a_per_run_cap_refusal_is_titled_as_such():
    from promptlab_tui.screens.dialogs.budget_exceeded import refusal_title

    assert refusal_title("run").startswith("Per-run cap") and refusal_title("session").startswith("Session cap")
    assert refusal_title("monthly").startswith("Budget would be exceeded")


def test_saved_prompt_file_names_have_no_spaces():
    from promptlab_tui.services.prompt_store import file_name

    assert file_name("My prompt: v2") == "My-prompt-v2.md"


async def test_raise_the_limit_focuses_max_tokens_per_prompt(make_app, isolated_home):
    from promptlab_tui.screens.dialogs.budget_adjust import BudgetAdjustDialog

    seed_budget(isolated_home, monthly_usd="10", max_tokens_per_prompt=5)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"This prompt is clearly longer than five tokens", "ctrl+r")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BudgetAdjustDialog) and app.focused.id == "max-prompt-tokens"


async def test_the_palette_lists_the_theme_command_once(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Theme" not in titles
        from promptlab_tui.screens.commands import LAB_COMMANDS

        assert [title for title, *_ in LAB_COMMANDS].count("Change theme") == 1


def test_the_input_count_says_tokens():
    from promptlab_tui.services.views import PreviewView
    from promptlab_tui.widgets.preview.preview_pane import preview_markup

    preview = PreviewView(model="gpt-4o-mini", provider="openai", input_tokens=20, exact=True, note=None,
                          expected_output=10, p90_output=None, max_output=100, expected_nanos=1, worst_nanos=2)
    assert "Input     [b]20[/b] tokens [dim]exact[/dim]" in preview_markup(preview, None, "")
