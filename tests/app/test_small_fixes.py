"""Issue 8, item 30: the small things a user trips over (alerts, dialogs, fields, README keys, saved prompts)."""

from __future__ import annotations

from tests.app.conftest import FIXED_NOW, lab_screen, seed_budget, seed_spend, settle


def record_alerts(home) -> None:
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(home / "promptlab.db")
    try:
        repo.record_threshold_alerts(repo.get_budget(), now=FIXED_NOW)
    finally:
        repo.close()


async def test_alert_lines_keep_reset_and_raised_times_apart_and_80_percent_is_a_warning(make_app, isolated_home):
    from textual.content import Content
    from textual.widgets import OptionList

    seed_budget(isolated_home, monthly_usd="10", thresholds=(80, 100))
    seed_spend(isolated_home, "8.50")
    record_alerts(isolated_home)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        [line] = [Content.from_markup(str(option.prompt)).plain for option in app.screen.query_one(OptionList).options]
    assert line.startswith("⚠ Monthly budget 80% reached")  # a warning, not ℹ
    assert "UTC 2026-03-14" not in line  # the two times no longer run together
    assert "resets Wed 2026-04-01 00:00 UTC · raised 2026-03-14 12:00 UTC" in line


async def test_raise_the_limit_in_the_too_long_dialog_focuses_max_tokens_per_prompt(make_app, fake_provider_env,
                                                                                   isolated_home):
    from promptlab_tui.screens.dialogs.budget_adjust import BudgetAdjustDialog
    from promptlab_tui.screens.dialogs.prompt_too_long import PromptTooLongDialog
    from tests.app.test_lab_run import type_and_run

    seed_budget(isolated_home, monthly_usd="10", max_tokens_per_prompt=5)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_and_run(pilot, "This prompt is clearly longer than five tokens")
        assert isinstance(app.screen, PromptTooLongDialog)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BudgetAdjustDialog)
        assert app.focused.id == "max-prompt-tokens"  # not the Monthly limit
    assert fake_provider_env.requests == []


async def test_the_cap_field_shows_a_leading_zero(make_app, isolated_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        cap = lab_screen(app).query_one("#cost-cap")
        cap.focus()
        await pilot.press(*".0001")
        await pilot.press("tab")  # leave the field
        await settle(pilot)
        assert cap.value == "0.0001"  # the row reads "Cap $0.0001", not "Cap $.0001"


async def test_a_per_run_cap_refusal_is_titled_for_the_cap(make_app, fake_provider_env, isolated_home):
    from promptlab_tui.screens.dialogs.budget_exceeded import BudgetExceededDialog
    from tests.app.test_lab_run import PROMPT

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lab_screen(app).query_one("#cost-cap").value = "0.00001"
        await pilot.press(*PROMPT)
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, BudgetExceededDialog)
        title = str(app.screen.query_one("#refusal-title").render())
        assert title == "Per-run cap would be exceeded: run refused" and "Budget" not in title
        assert str(app.screen.query_one("#increase").label) == "Raise the cap (i)"
    assert fake_provider_env.requests == []


async def palette_titles(pilot, query: str) -> list[str]:
    from textual.command import CommandList

    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*query)
    await settle(pilot)
    options = pilot.app.screen.query_one(CommandList).options
    texts = [option.prompt.plain if hasattr(option.prompt, "plain") else str(option.prompt) for option in options]
    return [text.splitlines()[0].split("  (")[0] for text in texts]  # the title, without its key


async def test_the_palette_names_each_action_once(make_app, isolated_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        themes = await palette_titles(pilot, "theme")
        await pilot.press("escape")
        await settle(pilot)
        quits = await palette_titles(pilot, "quit")
    assert [title for title in themes if "theme" in title.lower()] == ["Theme"], themes  # the footer's name
    assert [title for title in quits if "quit" in title.lower()] == ["Quit"], quits


def test_the_readme_key_table_is_the_footer():
    """Every key the Lab's and the app's footer can show, with the footer's own label, and nothing else."""
    import re
    from pathlib import Path

    from promptlab_tui.app import PromptLabApp
    from promptlab_tui.screens.lab.lab_screen import LabScreen

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \| ([^|]+?) \| [^|]+\|$", readme, re.M)
    footer = [(b.key, b.description) for b in (*LabScreen.BINDINGS, *PromptLabApp.BINDINGS) if b.show]
    assert sorted(footer + [("ctrl+p", "palette")]) == sorted(rows)


async def test_saved_prompts_filter_and_delete_with_confirmation(make_app, isolated_home):
    from textual.widgets import OptionList

    from promptlab_tui.screens.dialogs.saved_prompts import SavedPromptsScreen
    from tests.app.test_saved_prompts import prompt_files, save_as

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for name in ("Weekly report", "SQL review", "Release notes"):
            await pilot.press("ctrl+n", "d")  # a new prompt, the last one's edits dropped
            await settle(pilot)
            await pilot.press(*name.lower())
            await save_as(pilot, name)
        assert prompt_files(isolated_home) == ["Release-notes.md", "SQL-review.md", "Weekly-report.md"]  # no spaces
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, SavedPromptsScreen)
        await pilot.press(*"re")  # typed on the list: filters it
        await settle(pilot)
        assert [str(option.prompt) for option in app.screen.query_one(OptionList).options] == [
            "Release-notes", "SQL-review", "Weekly-report"]  # each holds "re"
        await pilot.press(*"lease")
        await settle(pilot)
        assert [str(option.prompt) for option in app.screen.query_one(OptionList).options] == ["Release-notes"]
        await pilot.press("ctrl+x")  # the first press only asks
        await settle(pilot)
        assert "again to delete Release-notes.md" in str(app.screen.query_one("#form-error").render())
        assert "Release-notes.md" in prompt_files(isolated_home)
        await pilot.press("ctrl+x")
        await settle(pilot)
        assert isinstance(app.screen, SavedPromptsScreen)
        assert prompt_files(isolated_home) == ["SQL-review.md", "Weekly-report.md"]
        await pilot.press(*["backspace"] * 7)  # filter cleared: the others are still there
        await settle(pilot)
        assert [str(option.prompt) for option in app.screen.query_one(OptionList).options] == [
            "SQL-review", "Weekly-report"]


async def test_the_input_count_says_tokens(make_app, isolated_home):
    from promptlab_tui.widgets.preview.preview_pane import PreviewPane

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"Say hello to the team")
        await settle(pilot)
        text = str(lab_screen(app).query_one(PreviewPane).render())
    [line] = [line for line in text.splitlines() if line.startswith("Input")]
    assert line.split()[2] == "tokens", line  # "Input     20 tokens exact", not "Input     20 exact"
