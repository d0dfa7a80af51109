"""`HistoryRepository`: the one interface the runner, the CLI and the app use for the history and budgets.

Cheap to construct and to import: the database is opened (and SQLAlchemy imported) on first use.
Every method is safe to call from worker threads; writers in any process are serialised by SQLite.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Iterator

from promptlab_tui.core.budget import BudgetSettings, PeriodStatus, Reservation
from promptlab_tui.core.history import (
    AlertRecord, OutputStats, PendingRun, RepriceReport, RollupRow, RunRecord, RunSummary, SavedPrompt, SpendSummary)
from promptlab_tui.core.types import CostBreakdown, Usage
from promptlab_tui.store import budgets, journal, ledger, maintenance, queries, reports
from promptlab_tui.store.database import Database
from promptlab_tui.store.reports import SpendGroup

CostFor = Callable[[RunRecord], "CostBreakdown | None"]


class HistoryRepository:
    def __init__(self, path: str | Path | None = None) -> None:
        if path is None:
            from promptlab_tui.paths import app_paths

            path = app_paths().database
        self.db = Database(Path(path))

    @property
    def path(self) -> Path:
        return self.db.path

    def open(self) -> "HistoryRepository":
        """Open (create or migrate) now rather than on first use; raises StoreError with a clear message."""
        self.db.open()
        return self

    def close(self) -> None:
        self.db.dispose()

    def readable_as_is(self) -> bool:
        """The file exists at the current schema: reading it creates or upgrades nothing (a quick, sure read)."""
        return self.db.readable_as_is()

    # --- the ledger -------------------------------------------------------------------------------
    def reserve_run(self, pending: PendingRun, settings: BudgetSettings | None,
                    now: datetime | None = None) -> Reservation:
        """Write the run as pending with its worst case held, after checking every budget period.

        Raises `core.budget.BudgetRefusal` (hard mode, nothing written) with the numbers, or
        `core.budget.PromptTooLarge`; in warn mode the run is written and `Reservation.warnings` says why.
        """
        return ledger.reserve_run(self.db, pending, settings, now)

    def checkpoint_run(self, run_id: str, output_tokens: int, now: datetime | None = None,
                       busy_timeout_s: float | None = None, input_usage: Usage | None = None) -> None:
        """Output tokens seen so far (and the input the provider reported), so a run whose process dies is
        settled from here."""
        ledger.checkpoint_run(self.db, run_id, output_tokens, now, busy_timeout_s, input_usage)

    def settle_run(self, run_id: str, usage: Usage | None, cost: CostBreakdown | None, status: str,
                   response_text: str | None = None, error: str | None = None, duration_ms: int | None = None,
                   provider_cost_nanos: int | None = None, finished_at: datetime | None = None,
                   busy_timeout_s: float | None = None) -> RunRecord:
        """Replace the reservation by the actual cost (None: no price) and update the rollup, atomically.

        `status`: completed | error | cancelled | interrupted. A run already settled is left as it is.
        """
        return ledger.settle_run(self.db, run_id, usage, cost, status, response_text, error, duration_ms,
                                 provider_cost_nanos, finished_at, busy_timeout_s=busy_timeout_s)[0]

    def settle_run_with_alerts(self, run_id: str, usage: Usage | None, cost: CostBreakdown | None, status: str,
                               alert_settings: BudgetSettings, response_text: str | None = None,
                               error: str | None = None, duration_ms: int | None = None,
                               provider_cost_nanos: int | None = None, finished_at: datetime | None = None,
                               busy_timeout_s: float | None = None) -> tuple[RunRecord, list[AlertRecord]]:
        """`settle_run` and `record_threshold_alerts(alert_settings)` in one transaction: (run, new alerts)."""
        return ledger.settle_run(self.db, run_id, usage, cost, status, response_text, error, duration_ms,
                                 provider_cost_nanos, finished_at, alert_settings=alert_settings,
                                 busy_timeout_s=busy_timeout_s)

    def in_flight_runs(self) -> int:
        """Runs reserved and not settled yet, in any process."""
        return ledger.in_flight_runs(self.db)

    def journal_path(self) -> Path:
        """Where a run's usage goes when the database cannot be written; the next start records it."""
        return journal.journal_path(self.path)

    def journal_settlement(self, entry: journal.JournalEntry) -> Path:
        """Append one unsettled run to the journal (0600); raises OSError when that fails too."""
        return journal.append(self.journal_path(), entry)

    def redact_stored_errors(self) -> int:
        """Mask keys in errors an older promptlab stored (once per history); returns the runs changed."""
        return maintenance.redact_stored_errors(self.db)

    def settle_journal(self) -> list[RunRecord]:
        """Record the runs the journal holds (settled as they ended), then empty it; call at start-up."""
        return journal.settle_journal(self.db, self.journal_path())

    def settle_orphans(self, cost_for: CostFor | None = None, now: datetime | None = None) -> list[RunRecord]:
        """Settle pending runs whose process on this host is gone (status interrupted); call at start-up."""
        return ledger.settle_orphans(self.db, cost_for, now)

    # --- budget and alerts ------------------------------------------------------------------------
    def get_budget(self) -> BudgetSettings | None:
        return budgets.get_budget(self.db)

    def save_budget(self, settings: BudgetSettings, now: datetime | None = None) -> None:
        budgets.save_budget(self.db, settings, now)

    def budget_status(self, settings: BudgetSettings, now: datetime | None = None,
                      with_suggestions: bool = True) -> list[PeriodStatus]:
        """daily, weekly, monthly (limit None where unset), with projection and (optionally) a suggested limit."""
        return queries.budget_status(self.db, settings, now, with_suggestions)

    def limit_status(self, settings: BudgetSettings, now: datetime | None = None) -> list[PeriodStatus]:
        """The light query: spent and reserved for the periods that have a limit (what reserve_run checks)."""
        return queries.limit_status(self.db, settings, now)

    def current_periods(self, settings: BudgetSettings | None, now: datetime | None = None) -> list[PeriodStatus]:
        """Spent and reserved in each limited calendar period now, exactly as `reserve_run` checks them
        (one statement, no projections of past periods); [] without settings or limits."""
        if settings is None:
            return []
        return queries.limit_status(self.db, settings, now)

    def record_threshold_alerts(self, settings: BudgetSettings, now: datetime | None = None) -> list[AlertRecord]:
        """One alert per threshold per period (idempotent); returns the alerts created by this call."""
        return budgets.record_threshold_alerts(self.db, settings, now)

    def alerts(self, include_acknowledged: bool = False) -> list[AlertRecord]:
        return budgets.alerts(self.db, include_acknowledged)

    def acknowledge_alert(self, alert_id: int | None = None) -> int:
        """Acknowledge one alert, or all unacknowledged ones when `alert_id` is None; returns how many."""
        return budgets.acknowledge_alert(self.db, alert_id)

    # --- history queries --------------------------------------------------------------------------
    def spend_between(self, start: datetime | None = None, end: datetime | None = None) -> SpendSummary:
        return queries.spend_between(self.db, start, end)

    def total_spend(self) -> SpendSummary:
        return queries.total_spend(self.db)

    def recent_runs(self, limit: int = 50, before: tuple[datetime, str] | None = None,
                    include_text: bool = False) -> list[RunRecord]:
        """Newest first; `before=(last.created_at, last.id)` gives the next page."""
        return queries.recent_runs(self.db, limit, before, include_text)

    def history_page(self, limit: int = 50, before: tuple[datetime, str] | None = None,
                     prompt_name: str | None = None) -> list[RunSummary]:
        """The history table's rows, newest first (only its columns); optionally one prompt's runs."""
        return queries.history_page(self.db, limit, before, prompt_name)

    def activity(self, query, cursor: tuple | None = None) -> tuple[list[RunRecord], tuple | None]:
        """A keyset page of runs by `store.activity.ActivityQuery` (sort, filters): (runs, next cursor or None)."""
        from promptlab_tui.store.activity import activity_rows

        with self.db.raw_read() as conn:
            return activity_rows(conn, query, cursor)

    def iter_runs(self, start: datetime | None = None, end: datetime | None = None) -> Iterator[RunRecord]:
        return queries.iter_runs(self.db, start, end)

    def get_run(self, run_id: str) -> RunRecord | None:
        return queries.get_run(self.db, run_id)

    def count_runs(self) -> int:
        return queries.count_runs(self.db)

    def output_stats(self, model: str, prompt_name: str | None = None) -> OutputStats | None:
        return queries.output_stats(self.db, model, prompt_name)

    def calibration_ratio(self, model: str, kind: str = "text") -> float | None:
        """Learned per model and kind of content ("text", "tools", "images+tools", ...)."""
        return queries.calibration_ratio(self.db, model, kind)

    def usage_of_prompt(self, prompt_id: str) -> list[tuple[str, int, int, int | None]]:
        return queries.usage_of_prompt(self.db, prompt_id)

    def duration_samples(self, model: str, prompt_name: str | None = None) -> list[tuple[int, int]]:
        return queries.duration_samples(self.db, model, prompt_name)

    def rollup_rows(self, start_day: str, end_day: str) -> list[RollupRow]:
        return queries.rollup_rows(self.db, start_day, end_day)

    # --- dashboard reports (grouped in SQL over the rollup; exact nanos and unpriced-run counts) ------
    def spend_by_model(self, start: datetime, end: datetime) -> list[SpendGroup]:
        """Settled runs created in [start, end) per (provider, model), most expensive first."""
        return reports.spend_by_model(self.db, start, end)

    def spend_by_day(self, start: datetime, end: datetime, tz_name: str | None = None) -> list[SpendGroup]:
        """Settled runs created in [start, end) per local day (the budget's zone unless `tz_name`), oldest first."""
        return reports.spend_by_day(self.db, start, end, tz_name)

    def top_prompts(self, start: datetime, end: datetime, limit: int = 10) -> list[SpendGroup]:
        """The `limit` prompts that cost most over [start, end); runs without a prompt name are the prompt ''."""
        return reports.top_prompts(self.db, start, end, limit)

    # --- saved prompts, retention, re-pricing -----------------------------------------------------
    def saved_prompts(self) -> list[SavedPrompt]:
        return maintenance.saved_prompts(self.db)

    def save_prompt_ref(self, name: str, path: str) -> None:
        maintenance.save_prompt_ref(self.db, name, path)

    def rename_prompt_ref(self, old: str, new: str, new_path: str | None = None) -> bool:
        return maintenance.rename_prompt_ref(self.db, old, new, new_path)

    def delete_prompt_ref(self, name: str) -> bool:
        return maintenance.delete_prompt_ref(self.db, name)

    def apply_retention(self, days: int | None, now: datetime | None = None) -> int:
        return maintenance.apply_retention(self.db, days, now)

    def reprice(self, cost_for: CostFor, dry_run: bool = True) -> RepriceReport:
        return maintenance.reprice(self.db, cost_for, dry_run)

    def price_audits(self) -> list[dict]:
        return maintenance.price_audits(self.db)

    def delete_run(self, run_id: str) -> RunRecord:
        """Delete one settled run and take it out of the per-day totals (raises deletion.RunNotDeletable)."""
        from promptlab_tui.store.deletion import delete_run

        return delete_run(self.db, run_id)

    def bulk_insert_runs(self, runs: Iterable[RunRecord]) -> int:
        return maintenance.bulk_insert_runs(self.db, runs)
