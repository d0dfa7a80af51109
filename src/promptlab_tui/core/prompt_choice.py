"""The front-matter settings of issue 11 (model choice and budgets) as prompt files read and write them."""

from __future__ import annotations

from typing import Any

from promptlab_tui.core.types import PromptSpec


def usd_nanos(value: Any) -> int | None:
    """An amount in USD (number or decimal string) as nano-dollars; None when it is not one."""
    from decimal import Decimal, InvalidOperation

    from promptlab_tui.core.money import usd_to_nanos

    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        amount = Decimal(repr(value) if isinstance(value, float) else str(value).strip().lstrip("$"))
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount > 1_000_000:
        return None
    return usd_to_nanos(amount)


def choice_settings(spec: PromptSpec) -> dict[str, Any]:
    """The model-choice and budget settings that are set, as a prompt file writes them (amounts as strings)."""
    from promptlab_tui.core.money import nanos_to_usd

    data: dict[str, Any] = {}
    if spec.quality:
        data["quality"] = spec.quality
    for key, nanos in (("max_cost", spec.max_cost_nanos), ("session_budget", spec.session_budget_nanos)):
        if nanos is not None:
            data[key] = format(nanos_to_usd(nanos).normalize(), "f")
    if spec.fallback:
        data["fallback"] = list(spec.fallback)
    if spec.cache is not None:
        data["cache"] = spec.cache
    return data
