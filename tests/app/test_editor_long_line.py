"""Item 31: a very long single-line prompt is drawn exactly as Textual's TextArea draws it, without cutting
the whole line into every wrapped section for each row drawn."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import TextArea

from promptlab_tui.services.edit_journal import EditJournal
from promptlab_tui.widgets.editor.tracked_text_area import TrackedTextArea

LINE = "\t".join(f"word{i} lorem ipsum dolor sit amet" for i in range(3000))  # one line, tabs included


class SideBySide(App):
    CSS = "TextArea { width: 1fr; height: 1fr; }"

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield TextArea(LINE, soft_wrap=True, id="plain")
            yield TrackedTextArea(role="user", journal=EditJournal(), text=LINE, soft_wrap=True, id="tracked")


def rows(area) -> list[str]:
    return [area.render_line(y).text for y in range(area.size.height)]


async def test_a_long_line_is_drawn_as_textarea_draws_it_and_sections_are_cut_lazily():
    from rich.text import Text

    app = SideBySide()
    async with app.run_test(size=(100, 30)) as pilot:
        plain, tracked = app.query_one("#plain"), app.query_one("#tracked")
        for area in (plain, tracked):
            area.move_cursor((0, len(LINE) // 2), center=True)  # rows far into the line
        await pilot.pause()
        assert rows(tracked) == rows(plain)
        offsets = tracked.wrapped_document.get_offsets(0)
        assert len(offsets) > 500
        middle = len(offsets) // 2
        sections = tracked.get_line(0).divide(offsets)
        whole = Text(LINE).divide(offsets)
        assert len(sections) == len(whole)
        drawn = sections[middle]  # what TextArea asks for first: the row's section, styled
        assert isinstance(drawn, Text) and drawn.plain == whole[middle].plain
        assert not isinstance(sections[middle - 1], Text)  # the others: only their text, for counting tabs
        assert sections[middle - 1].plain == whole[middle - 1].plain
