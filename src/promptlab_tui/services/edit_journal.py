"""The edits an editor made since the live preview last looked: written on the UI thread, taken by a worker.

Plain Python (a lock and lists), so the preview engine in services/ reads it without knowing the widget.
"""

from __future__ import annotations

import threading
from typing import Union

Location = tuple[int, int]
EditOp = tuple[Location, Location, str]  # replace [top, bottom) with the text
JournalOp = Union[EditOp, str]  # or the whole new text


class EditJournal:
    """Edits per role ("system", "user"), written on the UI thread and taken by a worker (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ops: dict[str, list[JournalOp]] = {}
        self.revision = 0  # grows with every change (the Lab's "unsaved changes" mark compares it)

    def edit(self, role: str, top: Location, bottom: Location, text: str) -> None:
        with self._lock:
            self._ops.setdefault(role, []).append((top, bottom, text))
            self.revision += 1

    def reset(self, role: str, text: str) -> None:
        with self._lock:
            self._ops[role] = [text]  # earlier edits no longer matter
            self.revision += 1

    def take(self) -> dict[str, list[JournalOp]]:
        """Everything written since the last take, in order."""
        with self._lock:
            ops, self._ops = self._ops, {}
        return ops
