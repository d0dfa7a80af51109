"""The Lab at 80x24: what does not fit scrolls into view, nothing the user must read is cut off."""

from __future__ import annotations

from tests.app.conftest import lab_screen, seed_budget, settle
from tests.app.test_lab_run import type_and_run
from tests.fakeprovider.behaviours import Behaviour

LONG_ANSWER = " ".join(["word"] * 300)


def visible_lines(widget) -> int:
    """How many lines of the widget lie inside its scrolling parent's visible region."""
    parent = widget.parent
    overlap = widget.region.intersection(parent.scrollable_content_region)
    return overlap.height


async def test_the_run_summary_and_the_overspend_notice_are_scrolled_into_view(make_app, fake_provider_env,
                                                                              isolated_home):
    seed_budget(isolated_home, monthly_usd="0.0001", mode="warn")
    fake_provider_env.script(Behaviour.reply(LONG_ANSWER))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_and_run(pilot)
        await settle(pilot)
        results = lab_screen(app).results
        summary = results.query_one("#run-summary")
        assert "over budget (warn mode)" in results.summary_text and "vs est." in results.summary_text
        shown = results.scrollable_content_region
        assert summary.region.height > 0 and visible_lines(summary) > 0
        assert shown.y < summary.region.bottom <= shown.bottom  # scrolled to its last line (the notice's end)
        assert results.scroll_y == results.max_scroll_y > 0  # and what is above scrolls back into view


async def test_the_approximate_note_of_the_preview_is_on_screen(make_app, isolated_home):
    from promptlab_tui.widgets.preview.preview_pane import PreviewPane

    seed_budget(isolated_home, monthly_usd="10")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lab = lab_screen(app)
        assert lab.editor.picker.select_key("anthropic:claude-sonnet-4.5")
        await pilot.press(*"Summarise the attached meeting notes in three bullet points.")
        await settle(pilot)
        pane = lab.query_one(PreviewPane)
        lines = str(pane.render()).splitlines()
        note = next(i for i, line in enumerate(lines) if line.startswith("≈"))
        count = next(i for i, line in enumerate(lines) if line.startswith("Input"))
        assert note == count + 1  # why the count is approximate, beside it, above the tips
        assert note < pane.scrollable_content_region.height  # within the lines shown without scrolling
