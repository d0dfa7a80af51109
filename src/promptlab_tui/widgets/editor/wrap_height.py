"""Textual's soft-wrapped document sums every line's wrap count each time its `height` is read, and the
TextArea reads it once for every line it draws: in a 100K-token prompt (4,000 lines) that is ~10 ms a
keystroke, ten times more at 1M tokens. This keeps the sum until the wrapping changes.

Relies on WrappedDocument changing its wrapping only in `wrap` and `wrap_range` (Textual 8).
"""

from __future__ import annotations

from textual.document._wrapped_document import WrappedDocument


class HeightCachingWrappedDocument(WrappedDocument):
    _height: int | None = None

    @property
    def height(self) -> int:
        if self._height is None:
            self._height = super().height
        return self._height

    def wrap(self, width: int, tab_width: int | None = None) -> None:
        self._height = None
        super().wrap(width, tab_width)
        self._height = None

    def wrap_range(self, start, old_end, new_end) -> None:  # noqa: ANN001 - Textual's own signature
        self._height = None
        super().wrap_range(start, old_end, new_end)
        self._height = None


def caching_height(document: WrappedDocument) -> WrappedDocument:
    """The same object, now keeping its height (a plain WrappedDocument only; anything else as it is)."""
    if type(document) is WrappedDocument:
        document.__class__ = HeightCachingWrappedDocument
    return document
