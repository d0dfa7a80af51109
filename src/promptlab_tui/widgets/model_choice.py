"""A model the prompt can run on, as the picker lists it: the one view the Lab needs before its first frame.

Kept apart from views.py so starting the app does not build every view class (dataclass creation
costs about 0.7 ms each); views.py re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelChoice:
    provider: str
    model: str
    display_name: str

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.model}"

    @property
    def label(self) -> str:
        return f"{self.display_name} ({self.provider})"
