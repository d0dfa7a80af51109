"""Unsaved edits are asked about before ctrl+n / ctrl+o / ctrl+q drop them, kept as a draft (0600) that the
next start restores; the result pane starts empty for a new prompt and drops refusals once the budget changed."""

from __future__ import annotations

import stat

from tests.app.conftest import lab_screen, seed_budget, seed_spend, settle
from tests.app.test_lab_run import _now, type_and_run
from tests.fakeprovider.behaviours import DEFAULT_TEXT, Behaviour

TEXT = "Summarise the meeting"


def user_text(app) -> str:
    return lab_screen(app).query_one("#user-text").text


async def test_ctrl_n_asks_before_dropping_edits_and_discard_starts_empty(make_app, fake_provider_env):
    from promptlab_tui.screens.dialogs.unsaved_changes import UnsavedChangesDialog

    fake_provider_env.script(Behaviour.reply())
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_and_run(pilot, TEXT)
        lab = lab_screen(app)
        assert lab.results.answer_text == DEFAULT_TEXT and "Actual" in lab.results.summary_text
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, UnsavedChangesDialog)
        await pilot.press("escape")  # keep editing
        await settle(pilot)
        assert app.screen is lab and user_text(app) == TEXT
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert app.screen is lab and user_text(app) == ""
        assert lab.results.answer_text == "" and not lab.query_one("#run-summary").display  # item 26


async def test_ctrl_o_and_ctrl_q_ask_too(make_app):
    from promptlab_tui.screens.dialogs.unsaved_changes import UnsavedChangesDialog

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*TEXT)
        for key in ("ctrl+o", "ctrl+q"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, UnsavedChangesDialog), key
            await pilot.press("escape")
            await settle(pilot)
            assert app.is_running and user_text(app) == TEXT


async def test_save_from_the_question_saves_then_starts_the_new_prompt(make_app, isolated_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*TEXT)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press("s")  # save: untitled, so the save list asks for a name
        await settle(pilot)
        await pilot.press(*"meeting", "enter")
        await settle(pilot)
        assert user_text(app) == ""  # then the new prompt
    assert "Summarise the meeting" in (isolated_home / "prompts" / "meeting.md").read_text()


async def test_a_draft_of_unsaved_edits_is_restored_at_the_next_start(make_app, isolated_home, monkeypatch):
    import promptlab_tui.screens.lab.lab_drafts as lab_drafts

    monkeypatch.setattr(lab_drafts, "DRAFT_EVERY_S", 0.01)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*TEXT)
        await settle(pilot)
        await pilot.pause(0.05)
        await settle(pilot)
    draft = isolated_home / "draft.json"
    assert draft.exists() and stat.S_IMODE(draft.stat().st_mode) == 0o600

    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lab = lab_screen(again)
        assert user_text(again) == TEXT and lab.dirty
        assert "•" in str(lab.query_one("#prompt-name").render())  # shown as unsaved
        await pilot.press("ctrl+n", "d")  # discarded: the draft goes too
        await settle(pilot)
    assert not draft.exists()


async def test_a_refusal_in_the_result_pane_goes_once_the_budget_changed(make_app, fake_provider_env,
                                                                         isolated_home):
    seed_budget(isolated_home, monthly_usd="1")
    seed_spend(isolated_home, "0.9999", when=_now())
    app = make_app(now=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_and_run(pilot, TEXT)
        await pilot.press("escape")  # close the refusal dialog
        await settle(pilot)
        lab = lab_screen(app)
        assert lab.query_one("#run-summary").display
        await pilot.press("ctrl+b", "home", "ctrl+k", *"50", "enter")
        await settle(pilot)
        assert not lab.query_one("#run-summary").display
