"""The price table: which price applies to a model at a moment, and what a usage costs at it.

Prices are per-million-token Decimals read exactly from pricing.toml (see its header for the schema);
costs are integer nano-dollars (`promptlab_tui.core.money`). A model the table does not know has no
price (None): the caller shows "no price", never $0.
"""

from __future__ import annotations

from pathlib import Path

from promptlab_tui.core.price_table import (
    PRICE_FIELDS,
    QUALITY_TIERS,
    SERVICE_TIERS,
    SHIPPED,
    LongContext,
    ModelPrice,
    PricingError,
    PricingIssue,
    PricingTable,
    ProviderInfo,
    ServiceTier,
    normalise_tier,
    split_version,
)
from promptlab_tui.core.pricing_cost import (
    Rates,
    cost_of_usage,
    format_total,
    request_rates,
    worst_case_cost,
)

__all__ = [
    "PRICE_FIELDS",
    "QUALITY_TIERS",
    "SERVICE_TIERS",
    "SHIPPED",
    "LongContext",
    "ModelPrice",
    "PricingError",
    "PricingIssue",
    "PricingTable",
    "ProviderInfo",
    "Rates",
    "ServiceTier",
    "cost_of_usage",
    "format_total",
    "load_pricing",
    "normalise_tier",
    "request_rates",
    "split_version",
    "worst_case_cost",
]


def load_pricing(shipped: str | Path | None = None, user: str | Path | None = None, *,
                 include_user: bool = True) -> PricingTable:
    """The shipped table merged with the user's (default: app_paths().user_pricing, if it exists).

    `include_user=False` reads the shipped table alone (for checks against published prices).

    Raises PricingError naming the file, line, field and what was expected.
    """
    from promptlab_tui.core.pricing_load import load_table

    return load_table(shipped, user, include_user=include_user)
