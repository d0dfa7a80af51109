"""What a run needs around it: the config, the price table and the history, each loaded once, on first use.

Cheap to construct (nothing is read until asked), so the app can make one before its first frame
and the CLI one per invocation. `tracking=False` gives a context with no history at all (no
budgets, nothing recorded): the baseline the benchmark compares tracking against.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from promptlab_tui.config import AppConfig
    from promptlab_tui.core.budget import BudgetSettings
    from promptlab_tui.core.history import RunRecord
    from promptlab_tui.core.pricing import PricingTable
    from promptlab_tui.store.repository import HistoryRepository


class ServiceContext:
    def __init__(self, *, tracking: bool = True, config: AppConfig | None = None,
                 pricing: PricingTable | None = None, repository: HistoryRepository | None = None) -> None:
        self.tracking = tracking
        self._config = config
        self._pricing = pricing
        self._repository = repository
        self._lock = threading.Lock()
        self._orphans_settled = False

    @property
    def config(self) -> AppConfig:
        if self._config is None:
            from promptlab_tui.config import load_config

            with self._lock:
                if self._config is None:
                    self._config = load_config()
        return self._config

    @property
    def pricing(self) -> PricingTable:
        if self._pricing is None:
            from promptlab_tui.core.pricing import load_pricing

            with self._lock:
                if self._pricing is None:
                    self._pricing = load_pricing()
        return self._pricing

    @property
    def repository(self) -> HistoryRepository | None:
        """The history, or None when tracking is off."""
        if not self.tracking:
            return None
        if self._repository is None:
            from promptlab_tui.store.repository import HistoryRepository

            with self._lock:
                if self._repository is None:
                    self._repository = HistoryRepository()
        return self._repository

    def budget_settings(self) -> BudgetSettings | None:
        repository = self.repository
        return None if repository is None else repository.get_budget()

    def settle_orphans(self) -> list[RunRecord]:
        """Settle runs whose process died mid-call (once per context); billed at their own price version."""
        repository = self.repository
        if repository is None or self._orphans_settled:
            return []
        self._orphans_settled = True
        return repository.settle_orphans(self.cost_for_record)

    def cost_for_record(self, record: RunRecord):  # -> CostBreakdown | None
        """A past run's cost at the exact price it was reserved at (never re-priced at today's price)."""
        from promptlab_tui.core.pricing import cost_of_usage, split_version

        if not record.price_version:
            return None
        price = self.pricing.by_version(record.price_version)
        if price is None:
            return None
        return cost_of_usage(price, record.usage, split_version(record.price_version)[1])

    def close(self) -> None:
        if self._repository is not None:
            self._repository.close()
