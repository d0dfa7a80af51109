"""A model the prompt can run on, as the picker lists it: the one view the Lab needs before its first frame.

Kept apart from views.py so starting the app does not build every view class, and a NamedTuple, not a
frozen dataclass (about 0.1 ms to create instead of 0.9 ms); services/views.py re-exports it.
"""

from __future__ import annotations

from typing import NamedTuple


class ModelChoice(NamedTuple):
    provider: str
    model: str
    display_name: str
    prices: str = ""  # "$0.15 in · $0.60 out per 1M" (tokens) ("" before the price table is loaded)
    has_key: bool | None = None  # the provider's key is set (or none is needed); None: not known yet
    free: bool = False  # priced at $0 (a local model): nothing for a budget to hold
    quality: str | None = None  # the "auto" entries: the least quality tier to pick from

    @property
    def key(self) -> str:
        if self.model == AUTO:
            return f"{AUTO}:{self.quality or 'medium'}"
        return f"{self.provider}:{self.model}"

    @property
    def label(self) -> str:
        return model_label(self.display_name, self.provider)


AUTO = "auto"


def auto_choice(quality: str) -> ModelChoice:
    """The picker's "auto" entry for a tier: the run picks the cheapest model of that tier (or better) that fits
    the per-run cap (the Cap field, the prompt's or the config's max_cost) and the budget (services.auto_select)."""
    better = "" if quality == "high" else " or better"
    return ModelChoice(AUTO, AUTO, f"Auto: quality {quality}{better}", "cheapest within cap and budget",
                       None, False, quality)


def auto_choices() -> list[ModelChoice]:
    return [auto_choice(quality) for quality in ("high", "medium", "low")]


def model_label(display_name: str, provider: str) -> str:
    """'GPT-4o mini (openai)'; a name that already says its provider is not repeated: 'Llama 3.1 8B (Together)'."""
    if provider and provider.lower() in display_name.lower():
        return display_name
    return f"{display_name} ({provider})"
