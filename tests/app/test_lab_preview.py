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


async def test_counting_never_runs_on_the_ui_thread(make_app, monkeypatch):
    from promptlab_tui.core.incremental import IncrementalTokenCounter

    threads: list[threading.Thread] = []
    original = IncrementalTokenCounter.update

    def spy(self, text):
        threads.append(threading.current_thread())
        return original(self, text)

    monkeypatch.setattr(IncrementalTokenCounter, "update", spy)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"one two three four")
        await settle(pilot)
        assert threads, "the preview never counted"
        assert all(t is not threading.main_thread() for t in threads)
        # a burst of keys is counted once or twice, not once per key
        assert len(threads) < len("one two three four")


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
