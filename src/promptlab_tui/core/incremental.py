"""Live token counting whose cost follows the size of the edit, exactly equal to a full count.

tiktoken runs BPE only inside the pieces its pre-tokenizer regex finds, so a count is additive
across any cut where a piece always ends. The text is kept as chunks cut only at such places:

* after a newline (or CR) when the next character is not whitespace: the newline run always
  ends a piece there (`\\s*[\\r\\n]+` backtracks to the last newline); in o200k_base punctuation
  also swallows following newlines *and slashes* (`[\\r\\n/]*`), so a `/` there is not safe;
* before a space that sits between two ASCII letters (for long lines without newlines): the
  letters before end their piece and " word" starts the next one in both encodings.

An edit re-splits only the chunks around it (one chunk further on each side, so that the
characters on both sides of every kept cut are unchanged) and re-encodes the new chunks.
The approximate counter (non-OpenAI models) uses the same chunks: its units are additive too.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Callable
from itertools import accumulate

from promptlab_tui.core.tokens import (  # noqa: F401  (cut_pattern is re-exported)
    approximate_count,
    cut_pattern,
    approximate_units,
    missing_vocabulary_note,
    resolve_encoding,
    units_to_tokens,
)
from promptlab_tui.core.types import TokenCount

# About 500 tokens a chunk: a 1M-token text is ~2,000 chunks and an edit re-encodes one or two.
CHUNK_CHARS = 2048


def split_chunks(text: str, start: int, end: int, cuts: re.Pattern[str], target: int = CHUNK_CHARS) -> list[str]:
    """Cut text[start:end] into pieces of at least `target` chars (but the last) at safe cuts."""
    chunks: list[str] = []
    position = start
    while end - position > target:
        found = cuts.search(text, position + max(target, 1), end)
        if found is None:
            break
        cut = found.start()
        chunks.append(text[position:cut])
        position = cut
    if position < end:
        chunks.append(text[position:end])
    return chunks


class IncrementalTokenCounter:
    """Counts one changing text for `model`, re-encoding only the chunks an edit touches.

    `apply_edit`/`apply_edit_at` cost about the size of the edit; `update(text)` must also compare
    the whole text it is handed (memory speed, ~1 ms for 4 MB). Creating one loads the vocabulary
    (~0.35 s the first time): do it in a worker, off the way to the first frame. Thread-safe.
    """

    def __init__(self, model: str, calibration: float | None = None, chunk_chars: int = CHUNK_CHARS) -> None:
        self.model = model
        self.calibration = calibration
        self.chunk_chars = chunk_chars
        self.encoding_name, encoding = resolve_encoding(model)
        self.exact = encoding is not None
        self._measure: Callable[[str], int] = (
            (lambda chunk: len(encoding.encode_ordinary(chunk))) if encoding is not None else approximate_units
        )
        self._cuts = cut_pattern(self.encoding_name)
        self._text: str | None = ""  # joined lazily: building a 4 MB string per keystroke costs ~1 ms
        self._chunks: list[str] = []
        self._counts: list[int] = []
        self._newlines: list[int] = []  # "\n" per chunk: maps an editor's (row, column) to an offset fast
        self._total = 0
        self.last_reencoded_chars = 0  # how much the last update re-measured (for tests and the bench)
        self._lock = threading.RLock()

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(self._chunks)
        return self._text

    @property
    def chunk_count(self) -> int:
        return len(self._chunks)

    def result(self) -> TokenCount:
        if self.exact:
            return TokenCount(self._total, exact=True, method=self.encoding_name or "")
        note = missing_vocabulary_note(self.encoding_name) if self.encoding_name else None
        return approximate_count(units_to_tokens(self._total), self.model, self.calibration, note)

    def update(self, text: str) -> TokenCount:
        """Recount after the text changed anyhow (typing, paste, undo, replace-all)."""
        with self._lock:
            return self._update(text)

    def apply_edit(self, start: int, end: int, replacement: str) -> TokenCount:
        """Recount after text[start:end] was replaced (when the editor knows where the edit was)."""
        with self._lock:
            return self._apply_edit(start, end, replacement)

    def _update(self, text: str) -> TokenCount:
        self.last_reencoded_chars = 0
        if text is self._text:
            return self.result()
        head = self._unchanged_head(text)
        if head is None:  # same text, another string object
            self._text = text
            return self.result()
        first, region_start = head
        last, tail_chars = self._unchanged_tail(text, first, region_start)
        self._replace(text[region_start : len(text) - tail_chars], first, last)
        self._text = text
        return self.result()

    def _apply_edit(self, start: int, end: int, replacement: str) -> TokenCount:
        starts = [0, *accumulate(len(c) for c in self._chunks)]
        if not 0 <= start <= end <= starts[-1]:
            raise ValueError(f"edit {start}:{end} is outside the text (length {starts[-1]})")
        first = self._chunk_at(starts, start - 2)
        last = min(len(self._chunks), self._chunk_at(starts, end + 1) + 1)
        region = "".join(self._chunks[first:last])
        offset = starts[first]
        self._replace(region[: start - offset] + replacement + region[end - offset :], first, last)
        self._text = None
        return self.result()

    def offset_of(self, location: tuple[int, int]) -> int:
        """Offset in the text of an editor location (row, column); lines end in LF or CRLF.

        Walks per-chunk newline counts, not lines: about 1,000 additions for a 1M-token text.
        """
        row, column = location
        if row <= 0:
            return column
        seen = 0
        position = 0
        for chunk, newlines in zip(self._chunks, self._newlines):
            if seen + newlines >= row:
                index = -1
                for _ in range(row - seen):
                    index = chunk.index("\n", index + 1)
                return position + index + 1 + column
            seen += newlines
            position += len(chunk)
        raise ValueError(f"row {row} is past the end of the text ({seen + 1} lines)")

    def apply_edit_at(self, from_location: tuple[int, int], to_location: tuple[int, int], replacement: str) -> TokenCount:
        """`apply_edit` with editor locations, as in Textual's TextArea `Edit` (before the edit)."""
        with self._lock:
            return self._apply_edit(self.offset_of(from_location), self.offset_of(to_location), replacement)

    # --- internals ---------------------------------------------------------------------------

    @staticmethod
    def _chunk_at(starts: list[int], position: int) -> int:
        """Index of the chunk holding `position` (clamped to the chunks that exist)."""
        return max(0, min(len(starts) - 2, bisect_right(starts, position) - 1))

    def _unchanged_head(self, text: str) -> tuple[int, int] | None:
        """First chunk to re-split and where it starts (cuts kept have 2 unchanged chars after them);
        None when the text did not change."""
        position = 0
        index = 0
        chunks = self._chunks
        while index < len(chunks) and text.startswith(chunks[index], position):
            position += len(chunks[index])
            index += 1
        if index == len(chunks) and position == len(text):
            return None
        unchanged = position
        while index > 0 and position > unchanged - 2:
            index -= 1
            position -= len(chunks[index])
        return index, position

    def _unchanged_tail(self, text: str, first: int, head_chars: int) -> tuple[int, int]:
        """End (exclusive) of the chunks to re-split and how many chars after them are kept."""
        chunks = self._chunks
        index = len(chunks)
        tail = 0
        end = len(text)
        while index > first and text.endswith(chunks[index - 1], head_chars, end):
            index -= 1
            tail += len(chunks[index])
            end -= len(chunks[index])
        # The cut before the unchanged tail may border the edit: keep the next one instead.
        if index < len(chunks):
            tail -= len(chunks[index])
            index += 1
        return index, tail

    def _replace(self, region: str, first: int, last: int) -> None:
        """Put the chunks of `region` (new text between two kept cuts) in place of old chunks [first, last)."""
        known = dict(zip(self._chunks[first:last], self._counts[first:last]))
        # Cuts found inside the region string only look at its own characters, so they hold in the whole text.
        new_chunks = split_chunks(region, 0, len(region), self._cuts, self.chunk_chars)
        new_counts = []
        measured = 0
        for chunk in new_chunks:
            count = known.get(chunk)
            if count is None:
                count = self._measure(chunk)
                measured += len(chunk)
            new_counts.append(count)
        self._total += sum(new_counts) - sum(self._counts[first:last])
        self._chunks[first:last] = new_chunks
        self._counts[first:last] = new_counts
        self._newlines[first:last] = [chunk.count("\n") for chunk in new_chunks]
        self.last_reencoded_chars = measured


def full_count(text: str, model: str) -> int:
    """A plain full count (exact or approximate units turned into tokens), for checks and the bench."""
    _, encoding = resolve_encoding(model)
    if encoding is not None:
        return len(encoding.encode_ordinary(text))
    return units_to_tokens(approximate_units(text))


