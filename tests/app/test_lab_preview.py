"""Journey: type a prompt and watch the cost preview follow, without counting on the UI thread."""

from __future__ import annotations

import threading

from tests.app.conftest import lab_screen, settle


def preview_of(app):
    from promptlab_tui.widgets.preview.preview_pane import PreviewPane

    return lab_screen(app).query_one(PreviewPane).preview


async def test_typing_updates_the_exact_preview(make_app, needs_vocab):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"Say hello")
        await settle(pilot)
        first = preview_of(app)
        assert first is not None and first.exact
        assert first.model == "gpt-4o-mini"
        # "Say hello" = 2 tokens + 3 per message + 1 role + 3 reply priming
        assert first.input_tokens == 9
        assert first.expected_nanos is not None and first.worst_nanos >= first.expected_nanos
        await pilot.press(*" to everyone in the room, please")
        await settle(pilot)
        assert preview_of(app).input_tokens > first.input_tokens


def full_count(app) -> int:
    """What the preview must say: the chat request counted from scratch, from the editor's texts."""
    from promptlab_tui.core.tokens import count_messages
    from promptlab_tui.core.types import ChatMessage

    lab = lab_screen(app)
    system, user = (lab.query_one(f"#{role}-text").document.text for role in ("system", "user"))
    messages = ([ChatMessage("system", system)] if system.strip() else []) + [ChatMessage("user", user)]
    return count_messages(messages, "gpt-4o-mini").tokens


async def test_counting_never_runs_on_the_ui_thread_nor_rereads_the_text_per_key(make_app, monkeypatch, needs_vocab):
    from promptlab_tui.core.incremental import IncrementalTokenCounter

    calls: list[tuple[str, threading.Thread]] = []
    for name in ("update", "apply_edit_at"):
        original = getattr(IncrementalTokenCounter, name)

        def spy(self, *args, _original=original, _name=name):
            calls.append((_name, threading.current_thread()))
            return _original(self, *args)

        monkeypatch.setattr(IncrementalTokenCounter, name, spy)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"one two")
        await settle(pilot)
        calls.clear()
        await pilot.press(*" three four")
        await settle(pilot)
        assert calls, "the preview never counted"
        assert all(thread is not threading.main_thread() for _, thread in calls)
        # each key reaches the counters as an edit; no counter is handed the whole text again
        assert {name for name, _ in calls} == {"apply_edit_at"}
        assert preview_of(app).input_tokens == full_count(app)


async def test_every_kind_of_edit_keeps_the_count_exact(make_app, needs_vocab):
    """Typing, new lines, a paste with CRLF and special tokens, deleting a selection, undo and redo, a
    loaded CRLF text, the system message: after each, the preview equals a count from scratch."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lab = lab_screen(app)
        user = lab.query_one("#user-text")
        steps = [
            lambda: pilot.press(*"Review this SQL: SELECT 1;"),
            lambda: pilot.press("enter", "enter", *"- and  this/that line"),
            lambda: _paste(app, "pasted\r\nblock with <|endoftext|> and émoji 🎉\nend"),
            lambda: pilot.press("shift+home", "backspace", "up", "end", "backspace", "backspace"),
            lambda: pilot.press("ctrl+z"),
            lambda: pilot.press("ctrl+y"),
            lambda: _load(user, "windows\r\nline endings\r\n"),
            lambda: pilot.press("ctrl+end", *"more", "enter", *"text"),
            lambda: _focus_and_type(pilot, lab.query_one("#system-text"), "You are terse."),
            lambda: pilot.press("ctrl+a", "backspace"),
        ]
        for step in steps:
            await step()
            await settle(pilot)
            assert user.text == user.document.text  # the editor's cached whole text follows every change
            assert preview_of(app).input_tokens == full_count(app), user.text


async def _paste(app, text: str) -> None:
    """As a terminal pastes: the app hands it to the focused editor."""
    from textual import events

    app.post_message(events.Paste(text))


async def _load(area, text: str) -> None:
    area.text = text


async def _focus_and_type(pilot, area, text: str) -> None:
    area.focus()
    await pilot.press(*text)


async def test_approximate_models_are_marked(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lab = lab_screen(app)
        claude = next(m for m in app.models if m.provider == "anthropic")
        lab.editor.picker.select_key(claude.key)
        await pilot.press(*"Summarise this")
        await settle(pilot)
        preview = preview_of(app)
        assert preview.model == claude.model
        assert not preview.exact
        assert preview.input_label.startswith("≈")


async def test_tip_compares_cheapest_and_strongest(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"Write a haiku about invoices")
        await settle(pilot)
        tips = preview_of(app).tips
        assert any("less" in tip for tip in tips) and any("more" in tip for tip in tips)
        assert all("would cost $" in tip for tip in tips)


async def test_counters_that_lose_track_recount_from_the_editor(make_app, needs_vocab):
    """An edit the counters cannot place (never made by the editor itself) costs one recount, not a wrong figure."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"Count me exactly")
        await settle(pilot)
        lab = lab_screen(app)
        lab.journal.edit("user", (42, 0), (42, 0), "nowhere")  # past the end of the text
        await pilot.press(*", please")
        await settle(pilot)
        assert preview_of(app).input_tokens == full_count(app)
        assert preview_of(app).input_tokens > 0
