"""What a run needs around it: the config, the price table and the history, each loaded once, on first use.

Cheap to construct (nothing is read until asked), so the app can make one before its first frame
and the CLI one per invocation. `tracking=False` gives a context with no history at all (no
budgets, nothing recorded): the baseline the benchmark compares tracking against.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from promptlab_tui.config import AppConfig
    from promptlab_tui.core.budget import BudgetSettings, PeriodStatus
    from promptlab_tui.core.history import OutputStats, RunRecord
    from promptlab_tui.core.pricing import PricingTable
    from promptlab_tui.store.repository import HistoryRepository

HINTS_TTL_S = 30.0  # runs by other processes reach the estimate within this
# A plan right after this process's own run reuses the periods that run left: the pre-check is for the
# user; the ledger checks again, atomically, at reservation, so a stale snapshot can never overspend.
PERIODS_REUSE_S = 1.0
HINTS_SPARSE_RUNS = 20  # below this many past runs, each new run of this process refreshes the estimate at once


@dataclass
class StartupReport:
    """What `startup_maintenance` did: runs settled, texts dropped by retention, or why retention was skipped."""

    settled: list[RunRecord] = field(default_factory=list)
    journaled: list[RunRecord] = field(default_factory=list)  # recorded from the journal (the database was unwritable)
    texts_dropped: int = 0
    retention_problem: str | None = None  # the config could not be read: retention waits for a good one


class ServiceContext:
    def __init__(self, *, tracking: bool = True, config: AppConfig | None = None,
                 pricing: PricingTable | None = None, repository: HistoryRepository | None = None) -> None:
        self.tracking = tracking
        self._config = config
        self._pricing = pricing
        self._repository = repository
        self._lock = threading.Lock()
        self._orphans_settled = False
        self._journal_settled = False
        self._errors_redacted = False
        self._retention_applied = False
        self._periods_snapshot: tuple[float, BudgetSettings, list[PeriodStatus]] | None = None
        self._hints: dict[tuple[str, str | None], tuple[float, OutputStats | None, float | None]] = {}

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

    def current_periods(self, settings: BudgetSettings | None) -> list[PeriodStatus]:
        """Spent and reserved in each limited calendar period now (the light query: no projections)."""
        repository = self.repository
        if repository is None or settings is None or not settings.has_limits:
            return []
        snapshot = self._periods_snapshot
        if snapshot is not None and snapshot[1] == settings and time.monotonic() - snapshot[0] < PERIODS_REUSE_S:
            return snapshot[2]
        return repository.current_periods(settings)  # what reserve_run checks, outside a write transaction

    def remember_periods(self, settings: BudgetSettings | None, periods: list[PeriodStatus]) -> None:
        """The periods as this process's last run left them, for the next plan's pre-check."""
        if settings is not None and periods:
            self._periods_snapshot = (time.monotonic(), settings, periods)

    def history_hints(self, model: str, prompt_name: str | None) -> tuple[OutputStats | None, float | None]:
        """(output stats, input calibration) for the estimate; cached briefly, as estimates need not be fresh."""
        repository = self.repository
        if repository is None:
            return None, None
        key = (model, prompt_name)
        now = time.monotonic()
        cached = self._hints.get(key)
        if cached is not None and now - cached[0] < HINTS_TTL_S:
            return cached[1], cached[2]
        stats, calibration = read_history_hints(repository, model, prompt_name)
        self._hints[key] = (now, stats, calibration)
        return stats, calibration

    def forget_hints(self, model: str) -> None:
        """A run of `model` just completed: the next estimate learns from it while history is thin
        (with many runs behind it, one more changes little and the cache lives out its TTL)."""
        for key, (_, stats, _calibration) in list(self._hints.items()):
            if key[0] == model and (stats is None or stats.count < HINTS_SPARSE_RUNS):
                self._hints.pop(key, None)

    def settle_journal(self) -> list[RunRecord]:
        """Record the runs whose settlement went to the journal because the database could not be written."""
        repository = self.repository
        if repository is None or self._journal_settled:
            return []
        self._journal_settled = True
        return repository.settle_journal()

    def after_settlement(self) -> None:
        """Once per context, after a run was written (never in a command that fails or only reads): mask keys
        in errors an older promptlab stored. A meta row says it is done, so later it costs one query."""
        if not self._errors_redacted and self.repository is not None:
            self._errors_redacted = True
            self.repository.redact_stored_errors()

    def settle_orphans(self) -> list[RunRecord]:
        """Settle runs whose process died mid-call (once per context); billed at their own price version."""
        repository = self.repository
        if repository is None or self._orphans_settled:
            return []
        self.settle_journal()  # a journaled run is settled with its real usage, not as an orphan
        self._orphans_settled = True
        return repository.settle_orphans(self.cost_for_record)

    def startup_maintenance(self) -> StartupReport:
        """At the start of a session (CLI `run`, the app): settle orphans, then apply `config.retention_days`.

        Once per context, and cheap when there is nothing to do (no retention: no query; with one, only
        runs since the last cutoff are looked at). A config that cannot be read skips retention and says
        why instead of raising: the commands that need the config report its error themselves.
        """
        journaled = self.settle_journal()  # before the orphans: those runs are billed what they really cost
        report = StartupReport(settled=self.settle_orphans(), journaled=journaled)
        repository = self.repository
        if repository is None or self._retention_applied:
            return report
        from promptlab_tui.config import ConfigError

        try:
            days = self.config.retention_days
        except ConfigError as error:  # an unreadable or invalid config never blocks a start on retention
            report.retention_problem = str(error)
            return report
        self._retention_applied = True
        if days is not None:
            report.texts_dropped = repository.apply_retention(days)
        return report

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


def read_history_hints(repository: Any, model: str, prompt_name: str | None) -> tuple[OutputStats | None, float | None]:
    """(output stats, input calibration) of `model` (the price table's name) from the history: this prompt's
    runs when it has some, else the model's. The one reading that the run, the Lab's preview and its tips,
    and `promptlab estimate` share, so they give the same amounts for the same prompt."""
    stats = (repository.output_stats(model, prompt_name) if prompt_name else None) or repository.output_stats(model)
    return stats, repository.calibration_ratio(model)
