"""The answer's actions (copy, save, save with its prompt) and the last runs of the prompt being edited."""

from __future__ import annotations

import stat

from textual.widgets import DataTable

from tests.app.conftest import lab_screen, settle
from tests.app.test_lab_run import PROMPT, type_and_run
from tests.fakeprovider.behaviours import DEFAULT_TEXT, Behaviour


def footer_keys(app) -> set[str]:
    return {binding.key for (_, binding, enabled, _) in app.active_bindings.values() if enabled}


async def test_the_answer_is_copied_with_one_key_and_saved_to_files(make_app, fake_provider_env, isolated_home):
    from promptlab_tui.core.promptfile import load_prompt_file

    fake_provider_env.script(Behaviour.reply())
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "ctrl+g" not in footer_keys(app)  # nothing to copy yet: not offered
        await type_and_run(pilot)
        assert {"ctrl+g", "f9", "f10"} <= footer_keys(app)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert app.clipboard == DEFAULT_TEXT
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
    [answer] = (isolated_home / "answers").iterdir()
    assert answer.read_text() == DEFAULT_TEXT + "\n" and stat.S_IMODE(answer.stat().st_mode) == 0o600
    [conversation] = (isolated_home / "prompts").glob("*.json")
    spec = load_prompt_file(conversation)
    assert [(m.role, m.content) for m in spec.messages] == [("user", PROMPT), ("assistant", DEFAULT_TEXT)]
    assert spec.model == "gpt-4o-mini" and stat.S_IMODE(conversation.stat().st_mode) == 0o600


async def test_the_lab_lists_the_runs_of_the_saved_prompt_and_opens_one(make_app, fake_provider_env,
                                                                        isolated_home):
    from promptlab_tui.screens.history.run_detail_screen import RunDetailScreen

    fake_provider_env.default = Behaviour.reply()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_and_run(pilot)  # an untitled run: not this prompt's
        assert "ctrl+f" not in footer_keys(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press(*"greeting", "enter")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("ctrl+f")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert "Runs of greeting" in str(app.screen.query_one(".title").render())
        assert table.row_count == 1 and table.get_row_at(0)[-1] == "greeting"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RunDetailScreen)
        assert lab_screen(app) is not None
