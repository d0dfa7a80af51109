"""The Lab's compare mode (alt+c) and conversations (alt+n Continue), against the fake provider."""

from __future__ import annotations

from contextlib import asynccontextmanager

from tests.app.conftest import lab_screen, settle
from tests.fakeprovider.behaviours import Behaviour


def history(home):
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(home / "promptlab.db")
    try:
        return repo.recent_runs(20)
    finally:
        repo.close()


async def open_compare(pilot, text: str = "Name three primes.", models: str = "gpt-4o-mini, gpt-4o") -> object:
    from promptlab_tui.screens.compare.compare_screen import CompareScreen

    await settle(pilot)
    await pilot.press(*text)
    await settle(pilot)
    await pilot.press("alt+c")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CompareScreen)
    field = screen.query_one("#compare-models")
    field.value = models
    return screen


async def test_compare_runs_each_model_side_by_side_and_stores_the_mark(make_app, fake_provider_env, isolated_home):
    from promptlab_tui.store import run_links
    from promptlab_tui.store.repository import HistoryRepository
    from promptlab_tui.widgets.compare.compare_column import CompareColumn

    fake_provider_env.default = Behaviour.reply("2, 3 and 5.")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_compare(pilot)
        assert not screen.has_class("-stacked")  # 160 columns: side by side
        await pilot.press("ctrl+r")
        await settle(pilot)
        columns = list(screen.query(CompareColumn))
        assert [c.model for c in columns] == ["gpt-4o-mini", "gpt-4o"]
        assert all(c.answer_text == "2, 3 and 5." for c in columns)
        assert all(" in · " in c.stats_text and " out · $" in c.stats_text for c in columns)
        assert "2 of 2 models ran · total $" in str(screen.query_one("#compare-summary").render())
        await pilot.press("tab")  # the second answer
        await pilot.press("f8")
        await settle(pilot)
        assert columns[1].has_class("-better") and not columns[0].has_class("-better")
        group = screen.group_id
    runs = history(isolated_home)
    assert sorted(r.model for r in runs) == ["gpt-4o", "gpt-4o-mini"]
    repo = HistoryRepository(isolated_home / "promptlab.db")
    links = run_links.group(repo.db, group)
    assert [(l.source, l.preferred) for l in links] == [("compare", False), ("compare", True)]
    repo.close()


async def test_compare_stacks_below_120_columns_and_a_cap_refuses_what_does_not_fit(make_app, fake_provider_env,
                                                                                     isolated_home):
    from promptlab_tui.widgets.compare.compare_column import CompareColumn

    fake_provider_env.default = Behaviour.reply("ok")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(pilot)
        assert screen.has_class("-stacked")
        screen.query_one("#compare-cap").value = "0.002"  # gpt-4o-mini fits; gpt-4o's 1,024 max tokens do not
        await pilot.press("ctrl+r")
        await settle(pilot)
        columns = list(screen.query(CompareColumn))
        assert columns[0].answer_text == "ok"
        assert columns[1].stats_text.startswith("not run: ") and columns[1].has_class("-failed")
        await pilot.press("escape")
        await settle(pilot)
        assert lab_screen(app) is app.screen
    assert [r.model for r in history(isolated_home)] == ["gpt-4o-mini"]
    assert [r.body["model"] for r in fake_provider_env.requests] == ["gpt-4o-mini"]


async def test_continue_makes_a_conversation_whose_next_turn_carries_the_whole_context(make_app, fake_provider_env,
                                                                                        isolated_home, needs_vocab):
    fake_provider_env.script(Behaviour.reply("2, 3 and 5."), Behaviour.reply("7 and 11."))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lab = lab_screen(app)
        assert lab.check_action("continue_conversation", ()) is False  # nothing to continue: not in the footer
        await pilot.press(*"Name three primes.")
        await settle(pilot)
        first_preview = lab.last_preview.input_tokens
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert lab.check_action("continue_conversation", ()) is True
        from promptlab_tui.screens.commands import PromptLabCommands

        offered = {entry.action: entry.available for entry in PromptLabCommands(lab).entries()}
        assert offered["screen.continue_conversation"] is True  # in the palette once it can be used
        await pilot.press("alt+n")
        await settle(pilot)
        assert lab.editor.values().user == ""
        await pilot.press(*"And the next two?")
        await settle(pilot)
        strip = str(lab.query_one("#conversation-strip").render())
        assert strip.startswith("Conversation: turn 1 $") and "turn 2 ≈ $" in strip and "2 earlier messages" in strip
        second_preview = lab.last_preview.input_tokens
        await pilot.press("ctrl+r")
        await settle(pilot)
        request = fake_provider_env.requests[1]
        assert [m["role"] for m in request.body["messages"]] == ["user", "assistant", "user"]
        assert request.body["messages"][1]["content"] == "2, 3 and 5."
        assert second_preview == request.usage["prompt_tokens"] > first_preview  # the preview counted it all
        # the turn just run counts at its actual cost at once, before any Continue
        from promptlab_tui.core.money import format_usd

        strip = str(lab.query_one("#conversation-strip").render())
        first_cost, second_cost = lab.conversation.turns[0].cost_nanos, history(isolated_home)[0].cost_nanos
        assert f"turn 2 {format_usd(second_cost)}" in strip and "≈" not in strip
        assert f"total {format_usd(first_cost + second_cost)}" in strip
        await pilot.press("alt+n")
        await settle(pilot)
        strip = str(lab.query_one("#conversation-strip").render())
        assert "turn 1 $" in strip and "turn 2 $" in strip and "total $" in strip
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert lab.conversation is None and not lab.query_one("#conversation-strip").display


@asynccontextmanager
async def lab_with_cache(make_app, fake_provider_env, home, config: str = ""):
    """The Lab with `cache = true` (and `config`), "Name three primes." typed, the provider answering."""
    (home / "config.toml").write_text("cache = true\n" + config, encoding="utf-8")
    fake_provider_env.default = Behaviour.reply("2, 3 and 5.")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press(*"Name three primes.")
        await settle(pilot)
        yield app, pilot, lab_screen(app)


async def test_a_cache_hit_shows_as_such_in_the_lab(make_app, fake_provider_env, isolated_home):
    async with lab_with_cache(make_app, fake_provider_env, isolated_home) as (app, pilot, lab):
        for _ in range(2):
            await pilot.press("ctrl+r")
            await settle(pilot)
        assert lab.results.answer_text == "2, 3 and 5."
        assert "cache hit: the answer of run " in lab.results.summary_text and "(saved $" in lab.results.summary_text
    assert len(fake_provider_env.requests) == 1
    assert sorted(r.cost_nanos == 0 for r in history(isolated_home)) == [False, True]


async def test_confirm_above_does_not_ask_about_a_cache_hit_in_the_lab(make_app, fake_provider_env, isolated_home):
    """As `promptlab run`: a run the cache will serve costs $0, so nothing is asked (the first run is asked)."""
    from promptlab_tui.screens.dialogs.confirm_run import ConfirmRunDialog

    async with lab_with_cache(make_app, fake_provider_env, isolated_home, "confirm_above = 0.000001\n") as (
            app, pilot, lab):
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmRunDialog)  # not answered before: asked
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.screen is lab  # the same request again: served from the cache without a question
        assert "cache hit: the answer of run " in lab.results.summary_text
    assert len(fake_provider_env.requests) == 1
    assert sorted(r.cost_nanos == 0 for r in history(isolated_home)) == [False, True]


async def test_the_preview_says_when_the_next_run_will_be_a_cache_hit(make_app, fake_provider_env, isolated_home):
    from promptlab_tui.core.money import format_usd
    from promptlab_tui.widgets.preview.preview_pane import PreviewPane

    async with lab_with_cache(make_app, fake_provider_env, isolated_home) as (app, pilot, lab):
        pane = lab.query_one(PreviewPane)
        assert "Cache" not in str(pane.render())  # never answered: the run is sent
        await pilot.press("ctrl+r")
        await settle(pilot)  # the preview is counted again after a run
        (first,) = history(isolated_home)
        shown = str(pane.render())
        assert f"Cache     hit: run {first.id[:8]}'s answer, served for $0 (saves {format_usd(first.cost_nanos)})" in shown
        await pilot.press(*" Why?")  # another request: not in the cache
        await settle(pilot)
        assert "Cache" not in str(pane.render())
        await pilot.press(*["backspace"] * 5)  # the same request again
        await settle(pilot)
        assert "Cache     hit" in str(pane.render())
        await pilot.press("ctrl+r")
        await settle(pilot)
    assert len(fake_provider_env.requests) == 1  # the preview was right: served from the cache


LONG = ("Could you please be so kind as to write for me a short summary, in three bullet points, of the meeting "
        "notes that I am attaching below, and please make sure that you keep every decision, every owner and "
        "every date that is mentioned in them, thank you very much in advance for your help with this.")
SHORT = "Summarise the attached meeting notes in three bullets; keep every decision, owner and date."


async def test_shorten_shows_both_versions_and_accepting_replaces_the_user_message(make_app, fake_provider_env,
                                                                                  isolated_home, needs_vocab):
    from promptlab_tui.screens.optimise.optimise_screen import OptimiseScreen
    from promptlab_tui.widgets.compare.compare_column import CompareColumn

    fake_provider_env.script(Behaviour.reply(SHORT))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        lab = lab_screen(app)
        await pilot.press(*"Hi")
        await settle(pilot)
        assert lab.check_action("shorten", ()) is False  # too short to be worth a rewrite: not in the footer
        lab.query_one("#user-text").text = LONG
        await settle(pilot)
        assert lab.check_action("shorten", ()) is True
        await pilot.press("alt+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OptimiseScreen)
        await pilot.press("ctrl+r")
        await settle(pilot)
        original, shortened = screen.query(CompareColumn)
        assert shortened.answer_text == SHORT and " tokens · expected $" in shortened.stats_text
        assert " tokens · expected $" in original.stats_text
        summary = str(screen.query_one("#compare-summary").render())
        assert summary.startswith("saves ") and "rewrite by gpt-4o-mini: $" in summary
        await pilot.press("f8")
        await settle(pilot)
        assert app.screen is lab and lab.editor.values().user == SHORT
    (run,) = history(isolated_home)
    assert run.model == "gpt-4o-mini" and run.cost_nanos > 0  # the rewrite is a recorded run


async def test_confirm_above_asks_in_a_dialog_before_an_expensive_run(make_app, fake_provider_env, isolated_home):
    from promptlab_tui.screens.dialogs.confirm_run import ConfirmRunDialog

    (isolated_home / "config.toml").write_text("confirm_above = 0.000001\n", encoding="utf-8")
    fake_provider_env.default = Behaviour.reply("ok")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"Name three primes.")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmRunDialog)
        assert "above confirm_above $0.000001" in str(app.screen.query_one(".numbers").render())
        await pilot.press("escape")  # cancel: nothing sent
        await settle(pilot)
        assert fake_provider_env.requests == []
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert lab_screen(app).results.answer_text == "ok"
    assert len(fake_provider_env.requests) == 1 and len(history(isolated_home)) == 1


async def test_a_conversation_saves_to_a_prompt_file_and_opens_as_one(make_app, fake_provider_env, isolated_home):
    from promptlab_tui.core.promptfile import load_prompt_file
    from tests.app.test_saved_prompts import save_as

    fake_provider_env.script(Behaviour.reply("2, 3 and 5."), Behaviour.reply("7 and 11."))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press(*"Name three primes.")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("alt+n")
        await settle(pilot)
        await pilot.press(*"And the next two?")
        await settle(pilot)
        await save_as(pilot, "primes chat")
        await settle(pilot)
        lab = lab_screen(app)
        saved = load_prompt_file(lab.prompt_path)
        assert [(m.role, m.content) for m in saved.messages] == [
            ("user", "Name three primes."), ("assistant", "2, 3 and 5."), ("user", "And the next two?")]
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert lab.conversation is None
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert lab.editor.values().user == "And the next two?"
        assert lab.conversation is not None and len(lab.conversation.history) == 2
        assert "turn 1 (from the file)" in str(lab.query_one("#conversation-strip").render())
        await pilot.press("ctrl+r")
        await settle(pilot)
        request = fake_provider_env.requests[1]
        assert [m["role"] for m in request.body["messages"]] == ["user", "assistant", "user"]


async def test_escape_cancels_a_running_comparison_and_records_what_was_spent(make_app, fake_provider_env,
                                                                              isolated_home):
    from promptlab_tui.widgets.compare.compare_column import CompareColumn

    fake_provider_env.default = Behaviour.slow(chunk_delay=0.3, text=" ".join(["word"] * 40))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_compare(pilot)
        await pilot.press("ctrl+r")
        for _ in range(500):  # until both requests are in flight
            await pilot.pause(0.02)
            if len(fake_provider_env.requests) == 2:
                break
        await pilot.press("escape")
        await settle(pilot)
        assert not screen.running and app.screen is screen
        assert all("cancelled" in c.stats_text for c in screen.query(CompareColumn))
    assert sorted(r.status for r in history(isolated_home)) == ["cancelled", "cancelled"]
