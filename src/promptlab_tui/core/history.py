"""Domain records of the run ledger and the history (no ORM, no Textual): what the store takes and returns."""

from __future__ import annotations

import getpass
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NamedTuple

from promptlab_tui.core.types import CostBreakdown, Usage

RunStatus = Literal["pending", "completed", "error", "cancelled", "interrupted"]
RUN_STATUSES = ("pending", "completed", "error", "cancelled", "interrupted")
SETTLED_STATUSES = ("completed", "error", "cancelled", "interrupted")
RUN_SOURCES = ("lab", "run", "compare", "batch", "fallback", "cache", "optimise")  # where a run came from (a dashboard dimension)
PeriodKind = Literal["daily", "weekly", "monthly"]
PERIOD_KINDS: tuple[str, ...] = ("daily", "weekly", "monthly")
AlertLevel = Literal["info", "warning", "critical"]
DEFAULT_THRESHOLDS: tuple[int, ...] = (75, 90, 100)


def new_run_id() -> str:
    """Made by the client, so a run can later be synced exactly once."""
    return str(uuid.uuid4())


def prompt_fingerprint(text: str) -> str:
    """Stable id of a prompt's text (same text, same id), short enough to show."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers: still record the run
        return "unknown"


@dataclass
class PendingRun:
    """A run about to be sent: written before the call with its worst case reserved."""

    provider: str
    model: str
    max_tokens: int
    estimate_input_tokens: int
    estimate_output_tokens: int  # expected output tokens
    expected_cost_nanos: int | None  # None: no price
    worst_cost_nanos: int | None  # reserved; None: no price (nothing can be reserved)
    price_version: str | None = None
    prompt_name: str | None = None
    prompt_id: str | None = None
    tags: tuple[str, ...] = ()
    prompt_text: str | None = None
    session_id: str | None = None
    source: str | None = None  # one of RUN_SOURCES: where the run came from
    estimate_kind: str | None = None  # core.request_tokens kind ("tools", "images+tools"); None = plain text
    user: str = field(default_factory=current_user)
    run_id: str = field(default_factory=new_run_id)
    created_at: datetime | None = None  # None: the ledger's clock


@dataclass(frozen=True)
class RunRecord:
    """One row of the history, as stored."""

    id: str
    created_at: datetime
    status: str
    provider: str
    model: str
    user: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    session_id: str | None = None
    price_version: str | None = None
    prompt_name: str | None = None
    prompt_id: str | None = None
    tags: tuple[str, ...] = ()
    source: str | None = None  # lab, run, compare, batch, fallback (None: recorded before sources were)
    max_tokens: int | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    cache_write_1h_tokens: int = 0
    reasoning_tokens: int = 0
    usage_estimated: bool = False
    estimate_input_tokens: int | None = None
    estimate_output_tokens: int | None = None
    expected_cost_nanos: int | None = None
    worst_cost_nanos: int | None = None
    reserved_nanos: int = 0
    input_cost_nanos: int | None = None
    output_cost_nanos: int | None = None
    cached_input_cost_nanos: int | None = None
    cache_write_cost_nanos: int | None = None
    cost_nanos: int | None = None  # None: no price
    provider_cost_nanos: int | None = None
    duration_ms: int | None = None
    error: str | None = None
    pid: int | None = None
    hostname: str | None = None
    checkpoint_output_tokens: int | None = None
    checkpoint_at: datetime | None = None
    prompt_text: str | None = None
    response_text: str | None = None
    synced_at: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.status == "pending"

    @property
    def usage(self) -> Usage:
        return Usage(
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cached_input_tokens=self.cached_input_tokens,
            cache_write_tokens=self.cache_write_tokens,
            cache_write_1h_tokens=self.cache_write_1h_tokens,
            reasoning_tokens=self.reasoning_tokens,
            estimated=self.usage_estimated,
        )

    @property
    def cost(self) -> CostBreakdown | None:
        """The breakdown by component; None when there is no price, or only a total (`cost_nanos`) is known."""
        parts = (self.input_cost_nanos, self.output_cost_nanos, self.cached_input_cost_nanos, self.cache_write_cost_nanos)
        if self.cost_nanos is None or all(part is None for part in parts):
            return None
        return CostBreakdown(
            input_nanos=self.input_cost_nanos or 0,
            output_nanos=self.output_cost_nanos or 0,
            cached_input_nanos=self.cached_input_cost_nanos or 0,
            cache_write_nanos=self.cache_write_cost_nanos or 0,
            price_version=self.price_version,
        )

    @property
    def total_input_tokens(self) -> int:
        return self.input_tokens + self.cached_input_tokens + self.cache_write_tokens + self.cache_write_1h_tokens


class RunSummary(NamedTuple):
    """One line of a history page: only what the history table shows (cheap to read at any size)."""

    id: str
    created_at: datetime
    status: str
    provider: str
    model: str
    prompt_name: str | None
    input_tokens: int  # every kind of input: plain, cached, cache writes
    output_tokens: int
    usage_estimated: bool
    cost_nanos: int | None  # None: no price
    reserved_nanos: int
    expected_cost_nanos: int | None
    duration_ms: int | None

    @property
    def pending(self) -> bool:
        return self.status == "pending"

    @property
    def estimate_error_percent(self) -> float | None:
        """How far the actual cost landed from the expected one, in % of the expected (None: not comparable)."""
        if self.pending or self.cost_nanos is None or not self.expected_cost_nanos:
            return None
        return (self.cost_nanos - self.expected_cost_nanos) * 100 / self.expected_cost_nanos


@dataclass(frozen=True)
class SpendSummary:
    """Totals of the settled runs in a range; `cost_nanos` is the sum over priced runs only."""

    runs: int = 0
    cost_nanos: int = 0
    unpriced_runs: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    provider_cost_nanos: int = 0


@dataclass(frozen=True)
class OutputStats:
    """Output tokens of past completed runs, to predict the next one."""

    mean: int
    p90: int
    count: int


@dataclass(frozen=True)
class AlertRecord:
    id: int
    period_kind: str
    period_start: datetime
    threshold: int
    level: str
    message: str
    spent_nanos: int
    limit_nanos: int
    created_at: datetime
    acknowledged_at: datetime | None = None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


@dataclass(frozen=True)
class SavedPrompt:
    name: str
    path: str
    updated_at: datetime


@dataclass(frozen=True)
class RollupRow:
    """One line of the daily rollup: a local day (in the rollup's time zone) and its totals."""

    day: str  # YYYY-MM-DD
    provider: str
    model: str
    prompt_name: str | None
    runs: int
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int
    cache_write_tokens: int
    reasoning_tokens: int
    cost_nanos: int
    unpriced_runs: int
    error_runs: int


@dataclass(frozen=True)
class RepricePeriod:
    """Differences a re-price makes in one month (local), in nanos."""

    period: str  # YYYY-MM
    runs: int
    runs_changed: int
    old_cost_nanos: int
    new_cost_nanos: int
    old_unpriced_runs: int
    new_unpriced_runs: int

    @property
    def difference_nanos(self) -> int:
        return self.new_cost_nanos - self.old_cost_nanos


@dataclass(frozen=True)
class RepriceReport:
    periods: list[RepricePeriod]
    dry_run: bool
    audit_id: int | None = None

    @property
    def runs_changed(self) -> int:
        return sum(p.runs_changed for p in self.periods)

    @property
    def old_cost_nanos(self) -> int:
        return sum(p.old_cost_nanos for p in self.periods)

    @property
    def new_cost_nanos(self) -> int:
        return sum(p.new_cost_nanos for p in self.periods)
