"""A TextArea that tells the live token count what changed, so a keystroke never costs a look at the whole text.

Every edit is written to an `EditJournal` as (top, bottom, inserted text), in the document's coordinates
before the edit, exactly as the document applies it. The preview's worker drains the journal into its
incremental counters (`IncrementalTokenCounter.apply_edit_at`), so a key or a paste in a 1M-token prompt
is recounted in proportion to its size. Loading a text, undo and redo are written as the whole new text
(rare, and the counter then compares texts).
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.document._wrapped_document import WrappedDocument
from textual.widgets import TextArea
from textual.widgets.text_area import Edit, EditResult

from promptlab_tui.services.edit_journal import EditJournal, Location
from promptlab_tui.widgets.editor.wrap_height import caching_height

NEWLINES = ("\r\n", "\n", "\r")  # what Textual's Document treats as a line end at the end of inserted text
LAZY_SECTIONS_FROM = 8  # wrap offsets in a line from which only the drawn section is cut out


class SectionedLine(Text):
    """A document line whose division at its wrap offsets cuts out only the section being drawn.

    TextArea divides the whole line at every wrap offset for each row it draws: for an 840 KB
    single-line prompt that is ~17,000 Text pieces per row, seconds per key. The row's section is
    the first one asked for; the sections before it are asked for only to count their tabs."""

    def divide(self, offsets):  # type: ignore[override]
        offsets = list(offsets)
        if len(offsets) < LAZY_SECTIONS_FROM:
            return super().divide(offsets)
        return _LazySections(self, offsets)


class _PlainSection:
    def __init__(self, plain: str) -> None:
        self.plain = plain


class _LazySections:
    def __init__(self, line: Text, offsets: list[int]) -> None:
        self.line = line
        self.bounds = [0, *offsets, len(line.plain)]
        self.drawn = False

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def __getitem__(self, index: int):
        start, end = self.bounds[index], self.bounds[index + 1]
        if self.drawn:
            return _PlainSection(self.line.plain[start:end])
        self.drawn = True
        return Text.divide(self.line, [start, end])[1]


class TrackedTextArea(TextArea):
    def __init__(self, *, role: str, journal: EditJournal | None = None, **kwargs: object) -> None:
        self._joined: tuple[object, str] | None = None  # (document, its whole text): see `text`
        super().__init__(**kwargs)
        self.role = role
        self.journal = journal

    async def _on_key(self, event: events.Key) -> None:
        if event.key.startswith(("alt+", "meta+")):  # a terminal's alt+letter carries the letter: a shortcut, not text
            event.prevent_default()  # TextArea's own handler would type it; the key still bubbles to the bindings

    @property
    def text(self) -> str:
        """The whole text, joined once per change: TextArea reads it for every line it draws (is the
        placeholder due?), a join of the whole document per line otherwise (~20 ms a key at 1M tokens)."""
        document = self.document
        if self._joined is None or self._joined[0] is not document:
            self._joined = (document, document.text)
        return self._joined[1]

    @text.setter
    def text(self, value: str) -> None:
        self.load_text(value)

    def get_line(self, line_index: int) -> Text:
        return SectionedLine(self.document.get_line(line_index), end="", no_wrap=True)

    @property
    def wrapped_document(self) -> WrappedDocument:
        return self._wrapped_document

    @wrapped_document.setter
    def wrapped_document(self, document: WrappedDocument) -> None:
        # TextArea makes a new one with each document: keep its height, not a sum over every line per line drawn
        self._wrapped_document = caching_height(document)

    def edit(self, edit: Edit) -> EditResult:
        top, bottom = edit.top, edit.bottom
        known = self._locatable(top) and self._locatable(bottom)
        self._joined = None
        try:
            result = super().edit(edit)
        finally:
            self._joined = None  # a document changes in place only by edits, undo and redo (Textual 8)
        if self.journal is not None:
            if known and self.document.newline != "\r":
                self.journal.edit(self.role, top, bottom, self._as_inserted(edit.text))
            else:  # an edit the counter could not place: hand it the whole text instead
                self.journal.reset(self.role, self.text)
        return result

    def load_text(self, text: str) -> None:
        super().load_text(text)
        if self.journal is not None:
            self.journal.reset(self.role, self.text)

    def undo(self) -> None:
        self._joined = None
        super().undo()
        self._joined = None
        if self.journal is not None:
            self.journal.reset(self.role, self.text)

    def redo(self) -> None:
        self._joined = None
        super().redo()
        self._joined = None
        if self.journal is not None:
            self.journal.reset(self.role, self.text)

    def _locatable(self, location: Location) -> bool:
        row, column = location
        lines = self.document.lines
        return 0 <= row < len(lines) and 0 <= column <= len(lines[row])

    def _as_inserted(self, text: str) -> str:
        """The text as the document stores it: its lines joined with the document's own line end."""
        lines = text.splitlines()
        if text.endswith(NEWLINES):
            lines.append("")
        return self.document.newline.join(lines)
