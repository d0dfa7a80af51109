"""Journey: a Claude prompt's approximate count; f8 turns on exact counts online; the count endpoint is asked
once typing pauses (never per key), its answer makes the preview exact; offline, the preview says so."""

from __future__ import annotations

from tests.app.conftest import lab_screen, settle
from tests.app.test_palette_and_themes import shown_bindings

CLAUDE = '+++\nmodel = "claude-haiku-4.5"\n+++\n\nSummarise the water cycle for a ten-year-old.\n'


def count_requests(server):
    return [r for r in server.requests if r.path.endswith("/messages/count_tokens")]


async def open_claude_prompt(pilot, home):
    (home / "prompts").mkdir(parents=True, exist_ok=True)
    (home / "prompts" / "water.md").write_text(CLAUDE)
    await settle(pilot)
    await pilot.press("ctrl+o")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def test_f8_turns_on_exact_counts_debounced_and_cached(make_app, fake_provider_env, isolated_home):
    from promptlab_tui.config import load_config
    from promptlab_tui.widgets.preview.preview_pane import PreviewPane

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_claude_prompt(pilot, isolated_home)
        lab = lab_screen(app)
        pane = lab.query_one(PreviewPane)
        assert not pane.preview.exact and pane.preview.online.startswith("off · f8")
        assert shown_bindings(lab).get("toggle_count_online") == "f8"  # offered while the count is approximate
        assert count_requests(fake_provider_env) == []  # off by default: the prompt is not sent to count it

        await pilot.press("f8")
        await settle(pilot)
        assert app.config.count_online
        await settle(pilot)
        assert load_config().count_online  # remembered in config.toml
        assert lab._online_timer is not None and count_requests(fake_provider_env) == []

        lab.query_one("#user-text").focus()
        await pilot.press("end", *" Use simple words.")
        await settle(pilot)
        assert count_requests(fake_provider_env) == []  # typing: the timer restarts, nothing is sent
        lab._online_timer.stop()
        lab._start_online_count(lab.generation)  # the pause elapsed
        await settle(pilot)
        [asked] = count_requests(fake_provider_env)
        assert "Use simple words." in asked.body["messages"][0]["content"]  # the text as typed
        assert pane.preview.exact and pane.preview.input_tokens == asked.usage["input_tokens"]
        assert pane.preview.online == "exact (Anthropic count_tokens)"
        assert "exact (Anthropic count_tokens)" in str(pane.render())

        lab.schedule_preview(0)  # the same text again: answered from the cache
        await settle(pilot)
        lab._start_online_count(lab.generation)
        await settle(pilot)
        assert len(count_requests(fake_provider_env)) == 1 and pane.preview.exact


async def test_offline_the_preview_keeps_the_local_count_and_says_why(make_app, fake_provider_env, isolated_home,
                                                                      monkeypatch):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    (isolated_home / "config.toml").write_text("count_online = true\n")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_claude_prompt(pilot, isolated_home)
        lab = lab_screen(app)
        assert lab.last_preview.online == "on · counting when typing pauses"
        lab._start_online_count(lab.generation)
        await settle(pilot)
        assert not lab.last_preview.exact
        assert lab.last_preview.online == "local count: offline: the count endpoint could not be reached"


async def test_f8_is_not_offered_when_the_local_count_is_exact(make_app, needs_vocab):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"Say hello")
        await settle(pilot)
        lab = lab_screen(app)
        assert lab.last_preview.exact and lab.last_preview.online is None
        assert "toggle_count_online" not in shown_bindings(lab)


async def test_f8_is_in_the_palette_while_offered(make_app, fake_provider_env, isolated_home):
    from promptlab_tui.screens.commands import PromptLabCommands

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_claude_prompt(pilot, isolated_home)
        provider = PromptLabCommands(app.screen)
        [entry] = [e for e in provider.entries() if e.action == "screen.toggle_count_online"]
        assert entry.available and entry.key == "f8" and entry.label == "Exact counts online  (f8)"
