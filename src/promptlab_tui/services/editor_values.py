"""What the Lab's editor hands to its workers: plain values, no widgets, so services can take them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple


class EditorValues(NamedTuple):
    """A snapshot of the editor taken on the UI thread and handed to workers (strings are immutable).

    A NamedTuple, not a frozen dataclass: the class is built as the app starts, about 0.8 ms cheaper."""

    system: str
    user: str
    provider: str
    model: str
    max_tokens: int
    temperature: float | None
    cost_cap_usd: Decimal | None
    problems: tuple[str, ...] = ()
    extras: Any = None  # core.request_tokens.RequestExtras of a loaded file (tools, images), set by the Lab
    quality: str | None = None  # model "auto": the least quality tier to pick from (the picker's auto entry)
    choices: Any = None  # FileChoices of a loaded file (its fallback chain...), set by the Lab


class PreviewInputs(NamedTuple):
    """What the live preview needs from the editor besides the edits (which it gets from the journal):
    read on the UI thread without looking at the whole text."""

    provider: str
    model: str
    max_tokens: int
    temperature: float | None
    cost_cap_usd: Decimal | None
    problems: tuple[str, ...]
    has_system: bool
    has_user: bool
    extras: Any = None  # as EditorValues.extras
    quality: str | None = None  # as EditorValues.quality
    choices: Any = None  # as EditorValues.choices


class FileChoices(NamedTuple):
    """A loaded prompt file's front matter the editor has no field for: kept, used by the run, saved again."""

    fallback: tuple[str, ...] = ()  # models tried in turn when the provider fails (services.fallback)
    session_budget_nanos: int | None = None
    cache: bool | None = None

    @classmethod
    def of(cls, spec: Any) -> FileChoices | None:
        found = cls(tuple(spec.fallback or ()), spec.session_budget_nanos, spec.cache)
        return found if found != cls() else None

    def apply(self, spec: Any) -> Any:
        spec.fallback = list(self.fallback)
        spec.session_budget_nanos = self.session_budget_nanos
        spec.cache = self.cache
        return spec
