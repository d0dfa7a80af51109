"""The incremental counters of one message of the Lab's editor (worker side), one per tokenizer.

Every counter of a message is fed the same edits from the editor's journal, in order; a counter for a
tokenizer seen for the first time is made from the text another counter already holds (one full count).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from promptlab_tui.core.incremental import IncrementalTokenCounter
from promptlab_tui.core.tokens import encoding_name_for_model

if TYPE_CHECKING:
    from promptlab_tui.services.edit_journal import JournalOp

CounterKey = tuple[str, str, float | None]  # (tokenizer, model for approximate counts, calibration)


def counter_key(model: str, calibration: float | None) -> CounterKey:
    """Exact counts depend only on the tokenizer; approximate ones also on the model (its note) and calibration."""
    name = encoding_name_for_model(model)
    return (name, "", None) if name else ("approx", model, calibration)


class LostTrack(Exception):
    """The counters could not follow an edit: the editor must hand over its whole text again."""


class MessageCounters:
    """The counters of one message (system or user): every one is fed the same edits, in order."""

    def __init__(self) -> None:
        self.counters: dict[CounterKey, IncrementalTokenCounter] = {}
        self.text_before_counters = ""  # the whole text last handed over while no counter existed
        self.lost = False  # an edit did not fit: ignore edits until the editor hands over its whole text

    def apply(self, ops: list[JournalOp]) -> None:
        """Feed the journal's ops to every counter, in order."""
        try:
            for op in ops:
                if isinstance(op, str):  # the whole new text (a prompt loaded, undo, redo, a resync)
                    self.lost = False
                    self.text_before_counters = op
                    for counter in self.counters.values():
                        counter.update(op)
                elif not self.lost:
                    top, bottom, text = op
                    for counter in self.counters.values():
                        counter.apply_edit_at(top, bottom, text)
        except ValueError:  # an edit that does not fit the text
            self.lost = True
            raise LostTrack() from None

    def counter(self, key: CounterKey, model: str) -> IncrementalTokenCounter:
        """The counter for `key`, made on first use from the text another counter holds (one full count)."""
        if self.lost:
            raise LostTrack()
        found = self.counters.get(key)
        if found is None:
            source = next(iter(self.counters.values()), None)
            found = IncrementalTokenCounter(model, key[2])
            found.update(source.text if source is not None else self.text_before_counters)
            self.counters[key] = found
        return found
