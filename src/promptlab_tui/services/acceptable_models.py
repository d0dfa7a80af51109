"""config.toml's `acceptable_models`: priced models the user accepts as replacements in recommendations (issue 9).

    acceptable_models = ["gpt-4o-mini", "claude-haiku-4.5"]   # beside each model's smaller siblings

`promptlab report` uses this list plus any `--accept MODEL`; the dashboard's recommendations pane edits it
(`k`). An unknown or unpriced name is a ConfigError naming the file, line and key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

from promptlab_tui.services.choice_config import _error

if TYPE_CHECKING:
    from promptlab_tui.config import AppConfig
    from promptlab_tui.core.pricing import PricingTable

KEY = "acceptable_models"


@dataclass(frozen=True)
class AcceptableChoice:
    """One priced model in the dialog: its name as the config keeps it, and whether it is marked."""

    provider: str
    model: str
    label: str  # "gpt-4o-mini (openai)  $0.15 in · $0.60 out per 1M"
    marked: bool


def configured_acceptable(config: AppConfig | None, pricing: PricingTable) -> tuple[str, ...]:
    """The config's list, each name checked against the price table; raises ConfigError for a bad value."""
    value = config.extra.get(KEY) if config is not None else None
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(name, str) and name.strip() for name in value):
        raise _error(config, KEY, 'a list of model names such as ["gpt-4o-mini"]', value)
    for name in value:
        price = pricing.resolve(name)
        if price is None or price.is_free:
            raise _error(config, KEY, "priced models (see `promptlab prices`): no price for this model", name)
    return tuple(dict.fromkeys(value))


def acceptable_union(configured: Iterable[str], given: Iterable[str]) -> tuple[str, ...]:
    """The config's marks, then the command line's (each once)."""
    return tuple(dict.fromkeys((*configured, *given)))


def acceptable_choices(pricing: PricingTable, marked: Sequence[str]) -> list[AcceptableChoice]:
    """Every current priced model in the price file's order, the marked ones ticked (one row per model name)."""
    from promptlab_tui.services.app_backend import price_text

    marked_prices = [price for name in marked if (price := pricing.resolve(name)) is not None]
    ticked = {price.model for price in marked_prices}
    seen: set[str] = set()
    choices = []
    current = pricing.models(include_legacy=False)
    # a marked legacy model stays listed (ticked), so saving never drops it unseen
    for price in [*current, *(p for p in marked_prices if p not in current)]:
        if price.is_free or price.model in seen:
            continue
        seen.add(price.model)
        label = f"{price.model} ({price.provider})  {price_text(price)}"  # the name the config keeps
        choices.append(AcceptableChoice(price.provider, price.model, label, price.model in ticked))
    return choices


def set_acceptable(config: AppConfig, models: Sequence[str]) -> None:
    """Keep `models` in the config (the key removed when none); the caller saves the file."""
    if models:
        config.extra[KEY] = list(dict.fromkeys(models))
    else:
        config.extra.pop(KEY, None)
