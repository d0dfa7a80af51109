"""alt+c, alt+n and alt+s as a real terminal sends them: ESC then the letter, which Textual's parser makes a Key
"alt+c" carrying the character "c". The Lab's editor must not type that "c"; the binding must run.
(Pilot's press("alt+c") carries no character, so it cannot show this.)"""

from __future__ import annotations

from textual import events

from tests.app.conftest import lab_screen, settle


async def test_alt_c_from_a_terminal_opens_compare_and_types_nothing(make_app, isolated_home):
    from promptlab_tui.screens.compare.compare_screen import CompareScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"Say hello")
        await settle(pilot)
        lab = lab_screen(app)
        app.post_message(events.Key("alt+c", "c"))  # what the terminal driver posts for ESC c
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert lab.query_one("#user-text").text == "Say hello"


async def test_alt_s_from_a_terminal_types_nothing_into_the_prompt(make_app, isolated_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"Short prompt")
        await settle(pilot)
        lab = lab_screen(app)
        app.post_message(events.Key("alt+s", "s"))  # too short to shorten: nothing happens, nothing is typed
        app.post_message(events.Key("alt+n", "n"))  # no answer to continue yet: likewise
        await settle(pilot)
        assert lab.query_one("#user-text").text == "Short prompt"
