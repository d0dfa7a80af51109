"""SQLModel tables of the local history (schema version: see migrations.py; the dashboard's rollups in `tables_rollup`). Only the store imports this.

Timestamps are timezone-aware UTC (stored by SQLite as 'YYYY-MM-DD HH:MM:SS.ffffff' UTC text,
which sorts in time order); money is integer nano-dollars; NULL cost means "no price".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class RunRow(SQLModel, table=True):
    __tablename__ = "run"
    __table_args__ = (
        # Covers keyset pages and today's raw sums (status, cost) without touching the table.
        Index("ix_run_created", "created_at", "id", "status", "cost_nanos"),
        Index("ix_run_model_created", "model", "created_at"),
        Index("ix_run_model_prompt_created", "model", "prompt_name", "created_at"),
        Index("ix_run_pending", "status", sqlite_where=text("status = 'pending'")),
        Index("ix_run_session", "session_id", sqlite_where=text("session_id IS NOT NULL")),
    )

    id: str = Field(primary_key=True)  # UUID made by the client
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    user: str | None = None
    session_id: str | None = None
    provider: str
    model: str
    price_version: str | None = None
    prompt_name: str | None = None
    prompt_id: str | None = None
    tags: str | None = None  # JSON list
    source: str | None = None  # where the run came from: lab, run, compare, batch, fallback
    max_tokens: int | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    cache_write_1h_tokens: int = 0
    reasoning_tokens: int = 0
    usage_estimated: bool = False
    estimate_input_tokens: int | None = None
    estimate_kind: str | None = None  # what calibration learns per: "text" (NULL), "tools", "images+tools", ...
    estimate_output_tokens: int | None = None
    expected_cost_nanos: int | None = None
    worst_cost_nanos: int | None = None
    reserved_nanos: int = 0
    input_cost_nanos: int | None = None
    output_cost_nanos: int | None = None
    cached_input_cost_nanos: int | None = None
    cache_write_cost_nanos: int | None = None
    cost_nanos: int | None = None
    provider_cost_nanos: int | None = None
    duration_ms: int | None = None
    status: str
    error: str | None = None
    pid: int | None = None
    pid_start: str | None = None  # process start time, so a reused pid is not taken for the run's process
    hostname: str | None = None
    checkpoint_output_tokens: int | None = None
    checkpoint_at: datetime | None = None
    prompt_text: str | None = None
    response_text: str | None = None
    synced_at: datetime | None = None


class BudgetRow(SQLModel, table=True):
    __tablename__ = "budget"

    id: int = Field(default=1, primary_key=True)  # one budget per database
    daily_limit_nanos: int | None = None
    weekly_limit_nanos: int | None = None
    monthly_limit_nanos: int | None = None
    thresholds: str = "75,90,100"
    mode: str = "hard"
    max_tokens_per_prompt: int | None = None
    timezone: str | None = None
    max_cost_per_run_nanos: int | None = None
    max_cost_per_session_nanos: int | None = None
    updated_at: datetime | None = None


class AlertRow(SQLModel, table=True):
    __tablename__ = "alert"
    __table_args__ = (Index("ux_alert_period_threshold", "period_kind", "period_start", "threshold", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    period_kind: str
    period_start: datetime
    threshold: int
    level: str
    message: str
    spent_nanos: int = 0
    limit_nanos: int = 0
    created_at: datetime
    acknowledged_at: datetime | None = None


class SavedPromptRow(SQLModel, table=True):
    __tablename__ = "saved_prompt"

    name: str = Field(primary_key=True)
    path: str
    updated_at: datetime


class DailyRollupRow(SQLModel, table=True):
    """Totals per local day (in `meta.rollup_timezone`), updated in the transaction that settles a run."""

    __tablename__ = "daily_rollup"
    __table_args__ = (UniqueConstraint("day", "provider", "model", "prompt_name", name="ux_rollup_key"),)

    id: int | None = Field(default=None, primary_key=True)
    day: str  # YYYY-MM-DD
    provider: str
    model: str
    prompt_name: str = ""  # '' for runs without a name (NULL would break the unique key)
    runs: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    cost_nanos: int = 0
    unpriced_runs: int = 0
    error_runs: int = 0


class DailyTotalRow(SQLModel, table=True):
    """One row per local day: what budgets sum (a month is ~30 rows however many models and prompts)."""

    __tablename__ = "daily_total"

    day: str = Field(primary_key=True)
    runs: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    cost_nanos: int = 0
    unpriced_runs: int = 0


class DailyModelRow(SQLModel, table=True):
    """Totals per local day and model: what spend by model reads (a month is ~30 x models rows)."""

    __tablename__ = "daily_model"
    __table_args__ = {"sqlite_with_rowid": False}  # clustered on (day, ...): a range of days is contiguous

    day: str = Field(primary_key=True)
    provider: str = Field(primary_key=True)
    model: str = Field(primary_key=True)
    runs: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    cost_nanos: int = 0
    unpriced_runs: int = 0
    error_runs: int = 0


class DailyPromptRow(SQLModel, table=True):
    """Totals per local day and prompt name ('' for none): what top prompts reads."""

    __tablename__ = "daily_prompt"
    __table_args__ = {"sqlite_with_rowid": False}

    day: str = Field(primary_key=True)
    prompt_name: str = Field(primary_key=True)
    runs: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    cost_nanos: int = 0
    unpriced_runs: int = 0
    error_runs: int = 0


class PriceAuditRow(SQLModel, table=True):
    __tablename__ = "price_audit"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime
    user: str | None = None
    runs_changed: int
    old_total_nanos: int
    new_total_nanos: int
    detail: str  # JSON: per-period differences


class MetaRow(SQLModel, table=True):
    __tablename__ = "meta"

    key: str = Field(primary_key=True)
    value: str


from promptlab_tui.store import tables_rollup  # noqa: E402,F401  (registers the dashboard's rollup tables)
from promptlab_tui.store import tables_links  # noqa: E402,F401  (registers run_link and response_cache)
from promptlab_tui.store import tables_sync  # noqa: E402,F401  (registers the sync outbox, state and alert map)
