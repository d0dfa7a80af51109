"""The dashboard's recent-activity filter as typed: `model:gpt-4o tag:prod status:error summar` (any order;
words without a field match part of the prompt name). Textual-free, so the CLI could read the same syntax."""

from __future__ import annotations

from dataclasses import dataclass

from promptlab_tui.core.history import RUN_STATUSES

FIELDS = ("model", "tag", "status")
ALIASES = {"failed": "error"}  # what people type for a run that ended in an error


class FilterError(ValueError):
    """What was typed and what was expected, shown to the user as is."""


@dataclass(frozen=True)
class ActivityFilter:
    model: str | None = None
    tag: str | None = None
    status: str | None = None
    text: str | None = None  # part of the prompt name, any case

    def describe(self) -> str:
        """'model gpt-4o · tag prod · "summar"' ('' when nothing is filtered)."""
        parts = [f"{name} {value}" for name in FIELDS if (value := getattr(self, name))]
        return " · ".join(parts + ([f'"{self.text}"'] if self.text else []))


def parse_activity_filter(typed: str) -> ActivityFilter:
    """Raises FilterError on an unknown field, an empty value or an unknown status."""
    values: dict[str, str] = {}
    words = []
    for word in typed.split():
        name, colon, value = word.partition(":")
        if not colon:
            words.append(word)
            continue
        if name.lower() not in FIELDS:
            raise FilterError(f"filter {word!r}: unknown field {name!r}; expected model:, tag: or status:")
        if not value:
            raise FilterError(f"filter {word!r}: {name.lower()}: needs a value, e.g. {name.lower()}:"
                              + {"model": "gpt-4o", "tag": "prod", "status": "error"}[name.lower()])
        values[name.lower()] = value
    status = values.get("status")
    if status is not None:
        status = ALIASES.get(status.lower(), status.lower())
        if status not in RUN_STATUSES:
            raise FilterError(f"filter status:{values['status']}: expected one of {', '.join(RUN_STATUSES)}")
    return ActivityFilter(values.get("model"), values.get("tag"), status, " ".join(words) or None)
