"""The ledger: reserve a run's worst case before the call, checkpoint it, settle it to the actual cost.

Every step is one `BEGIN IMMEDIATE` transaction, so concurrent processes see each other's
reservations and together can never pass a hard limit. A reservation is one check statement and
one insert; a settlement one `UPDATE ... RETURNING`, the rollup's two upserts and, when a
threshold may be crossed, the alerts, all in the same transaction (sqlite3, cached statements).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime
from typing import TYPE_CHECKING, Callable

from promptlab_tui.core.budget import BudgetRefusal, BudgetSettings, PeriodStatus, Reservation, check_prompt_tokens
from promptlab_tui.core.redact import redact_secrets
from promptlab_tui.core.history import SETTLED_STATUSES, AlertRecord, PendingRun, RunRecord
from promptlab_tui.core.types import CostBreakdown, Usage
from promptlab_tui.store.budgets import insert_threshold_alerts
from promptlab_tui.store.codec import RUN_SELECT, run_from_row, tags_to_db, to_db, utc_now
from promptlab_tui.store.periods import period_statuses
from promptlab_tui.store.rollup import ROLLUP_TZ_SQL, add_to_rollup, ensure_rollup_timezone

if TYPE_CHECKING:
    from sqlite3 import Connection

    from promptlab_tui.store.database import Database

__all__ = ["LedgerError", "period_statuses", "reserve_run", "checkpoint_run", "settle_run", "settle_orphans"]

CostFor = Callable[[RunRecord], "CostBreakdown | None"]


class LedgerError(Exception):
    """A ledger call that names a run the database does not hold, or a status it does not know."""


def process_start_token(pid: int) -> str | None:
    """The process's start time (Linux), so that a pid reused by another process is not taken for it."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[19].decode() if len(fields) > 19 else None


def process_alive(pid: int | None, start_token: str | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        if fields[0] in (b"Z", b"X"):  # killed, not yet reaped by its parent
            return False
        if start_token is not None and len(fields) > 19 and fields[19].decode() != start_token:
            return False
    except (OSError, IndexError):
        pass
    return True


_HOSTNAME = socket.gethostname()
_OWN_START: dict[int, str | None] = {}


def _own_start_token() -> str | None:
    pid = os.getpid()
    if pid not in _OWN_START:
        _OWN_START[pid] = process_start_token(pid)
    return _OWN_START[pid]


def _check(settings: BudgetSettings | None, pending: PendingRun, statuses: list[PeriodStatus]) -> list[str]:
    """Raise the refusal for the tightest period in hard mode; return warnings in warn mode."""
    worst = pending.worst_cost_nanos or 0
    if settings is None:
        return []
    warnings: list[str] = []
    refusals: list[BudgetRefusal] = []
    cap = settings.max_cost_per_run_nanos
    if cap is not None and worst > cap:
        refusals.append(BudgetRefusal(scope="run", spent_nanos=0, reserved_nanos=0, limit_nanos=cap,
                                      worst_case_nanos=worst, resets_at=None, timezone_name=settings.timezone))
    for status in statuses:  # an unpriced run (worst 0) is refused only once the limit is passed already
        if status.limit_nanos is not None and status.committed_nanos + worst > status.limit_nanos:
            refusals.append(BudgetRefusal(
                scope=status.kind, spent_nanos=status.spent_nanos, reserved_nanos=status.reserved_nanos,
                limit_nanos=status.limit_nanos, worst_case_nanos=pending.worst_cost_nanos, resets_at=status.end,
                timezone_name=settings.timezone))
    too_large = check_prompt_tokens(settings, pending.estimate_input_tokens)
    if settings.mode == "hard":
        if too_large is not None:
            raise too_large
        if refusals:
            raise min(refusals, key=lambda r: r.remaining_nanos)
        return []
    if too_large is not None:
        warnings.append(str(too_large))
    return warnings + [f"over budget (warn mode): {refusal.explain()}" for refusal in refusals]


def reserve_run(db: Database, pending: PendingRun, settings: BudgetSettings | None,
                now: datetime | None = None) -> Reservation:
    now = now or utc_now()
    created = pending.created_at or now
    worst = pending.worst_cost_nanos or 0
    with db.raw_write() as conn:
        statuses = period_statuses(conn, settings, now) if settings is not None and settings.has_limits else []
        warnings = _check(settings, pending, statuses)
        conn.execute(
            "INSERT INTO run (id, created_at, started_at, status, provider, model, user, session_id, price_version, "
            "prompt_name, prompt_id, tags, source, max_tokens, input_tokens, output_tokens, cached_input_tokens, "
            "cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, usage_estimated, estimate_input_tokens, "
            "estimate_output_tokens, expected_cost_nanos, worst_cost_nanos, reserved_nanos, pid, pid_start, "
            "hostname, prompt_text, estimate_kind) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "0, 0, 0, 0, 0, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (pending.run_id, to_db(created), to_db(created), pending.provider, pending.model, pending.user,
             pending.session_id, pending.price_version, pending.prompt_name, pending.prompt_id,
             tags_to_db(pending.tags), pending.source, pending.max_tokens, pending.estimate_input_tokens,
             pending.estimate_output_tokens, pending.expected_cost_nanos, pending.worst_cost_nanos, worst,
             os.getpid(), _own_start_token(), _HOSTNAME, pending.prompt_text, pending.estimate_kind))
    after = [PeriodStatus(s.kind, s.start, s.end, s.spent_nanos, s.reserved_nanos + worst, s.limit_nanos,
                          s.unpriced_runs, s.projected_nanos) for s in statuses]
    return Reservation(run_id=pending.run_id, reserved_nanos=worst, periods=after, warnings=warnings)


def in_flight_runs(db: Database) -> int:
    """Runs reserved and not yet settled (any process): what a waiting run waits for."""
    row = db.fetch_one("SELECT COUNT(*) FROM run WHERE status = 'pending'")
    return int(row[0]) if row else 0


def checkpoint_run(db: Database, run_id: str, output_tokens: int, now: datetime | None = None,
                   busy_timeout_s: float | None = None, input_usage: Usage | None = None) -> None:
    """Output tokens so far; with `input_usage`, the input the provider reported at the stream's start
    (kept in the pending row's token columns, which no total reads before settlement)."""
    with db.raw_write(busy_timeout_s) as conn:
        if input_usage is not None:
            conn.execute(
                "UPDATE run SET input_tokens = ?, cached_input_tokens = ?, cache_write_tokens = ?, "
                "cache_write_1h_tokens = ? WHERE id = ? AND status = 'pending'",
                (input_usage.input_tokens, input_usage.cached_input_tokens, input_usage.cache_write_tokens,
                 input_usage.cache_write_1h_tokens, run_id))
        conn.execute(
            "UPDATE run SET checkpoint_output_tokens = ?, checkpoint_at = ? WHERE id = ? AND status = 'pending'",
            (output_tokens, to_db(now or utc_now()), run_id))


_SETTLE_SQL = (
    "UPDATE run SET status = ?, finished_at = ?, input_tokens = ?, output_tokens = ?, cached_input_tokens = ?, "
    "cache_write_tokens = ?, cache_write_1h_tokens = ?, reasoning_tokens = ?, usage_estimated = ?, "
    "input_cost_nanos = ?, output_cost_nanos = ?, cached_input_cost_nanos = ?, cache_write_cost_nanos = ?, "
    "cost_nanos = ?, provider_cost_nanos = ?, duration_ms = ?, error = ?, "
    "response_text = COALESCE(?, response_text), price_version = COALESCE(?, price_version) "
    f"WHERE id = ? AND status = 'pending' RETURNING {RUN_SELECT}, ({ROLLUP_TZ_SQL})")


def _settle(conn: Connection, run_id: str, usage: Usage, cost: CostBreakdown | None, cost_nanos: int | None,
            status: str, response_text: str | None, error: str | None, duration_ms: int | None,
            provider_cost_nanos: int | None, finished_at: datetime) -> RunRecord | None:
    """The settled run, or None when it was settled already (by an orphan sweep, or twice): never counted again."""
    components = (None, None, None, None) if cost is None else (
        cost.input_nanos, cost.output_nanos, cost.cached_input_nanos, cost.cache_write_nanos)
    price_version = cost.price_version if cost is not None else None
    error = redact_secrets(error) if error else error  # the last guard before a message is stored
    rows = conn.execute(_SETTLE_SQL, (
        status, to_db(finished_at), usage.input_tokens, usage.output_tokens, usage.cached_input_tokens,
        usage.cache_write_tokens, usage.cache_write_1h_tokens, usage.reasoning_tokens, int(usage.estimated),
        *components, cost_nanos, provider_cost_nanos, duration_ms, error, response_text, price_version,
        run_id)).fetchall()
    if not rows:
        if conn.execute("SELECT 1 FROM run WHERE id = ?", (run_id,)).fetchone() is None:
            raise LedgerError(f"no run {run_id} in the history")
        return None
    record = run_from_row(rows[0][:-1])
    tokens = (usage.input_tokens, usage.output_tokens, usage.cached_input_tokens,
              usage.cache_write_tokens + usage.cache_write_1h_tokens, usage.reasoning_tokens)
    add_to_rollup(conn, rows[0][-1] or ensure_rollup_timezone(conn), record.created_at, record.provider,
                  record.model, record.prompt_name, tokens, cost_nanos, status, tags=record.tags,
                  source=record.source, prompt_id=record.prompt_id)
    return record


def _stored(conn: Connection, run_id: str) -> RunRecord:
    return run_from_row(conn.execute(f"SELECT {RUN_SELECT} FROM run WHERE id = ?", (run_id,)).fetchone())


def settle_run(db: Database, run_id: str, usage: Usage | None, cost: CostBreakdown | None, status: str,
               response_text: str | None = None, error: str | None = None, duration_ms: int | None = None,
               provider_cost_nanos: int | None = None, finished_at: datetime | None = None,
               alert_settings: BudgetSettings | None = None,
               busy_timeout_s: float | None = None) -> tuple[RunRecord, list[AlertRecord]]:
    """Settle and update the rollup; with `alert_settings`, record the thresholds now crossed, all atomically."""
    if status not in SETTLED_STATUSES:
        raise LedgerError(f"cannot settle a run as {status!r}: expected one of {', '.join(SETTLED_STATUSES)}")
    finished_at = finished_at or utc_now()
    with db.raw_write(busy_timeout_s) as conn:
        record = _settle(conn, run_id, usage or Usage(), cost, None if cost is None else cost.total_nanos, status,
                         response_text, error, duration_ms, provider_cost_nanos, finished_at)
        alerts = insert_threshold_alerts(conn, alert_settings, finished_at) if alert_settings is not None else []
        return (record or _stored(conn, run_id)), alerts


def settle_orphans(db: Database, cost_for: CostFor | None = None, now: datetime | None = None) -> list[RunRecord]:
    """Settle pending runs whose process on this host is gone: interrupted, billed from their checkpoint.

    The input is billed in full and the output up to the last checkpoint, priced by `cost_for`
    (the run's own price version). With no price the reserved worst case is kept: never less than spent.
    """
    now = now or utc_now()
    with db.raw_read() as conn:
        rows = conn.execute(f"SELECT {RUN_SELECT}, pid_start FROM run WHERE status = 'pending' AND hostname = ?",
                            (_HOSTNAME,)).fetchall()
    candidates = [(run_from_row(row[:-1]), row[-1]) for row in rows]
    orphans = [run for run, start_token in candidates if not process_alive(run.pid, start_token)]
    settled = []
    for run in orphans:
        if run.usage.total_input_tokens > 0:  # the provider's own input figure, checkpointed at the stream's start
            usage = Usage(input_tokens=run.input_tokens, cached_input_tokens=run.cached_input_tokens,
                          cache_write_tokens=run.cache_write_tokens, cache_write_1h_tokens=run.cache_write_1h_tokens,
                          output_tokens=run.checkpoint_output_tokens or 0, estimated=True)
        else:
            usage = Usage(input_tokens=run.estimate_input_tokens or 0,
                          output_tokens=run.checkpoint_output_tokens or 0, estimated=True)
        cost = cost_for(_with_usage(run, usage)) if cost_for is not None else None
        note = "interrupted: the process ended before the run finished; billed from its last checkpoint"
        if cost is None and run.reserved_nanos:
            cost_nanos: int | None = run.reserved_nanos
            note = "interrupted: the process ended before the run finished; no price, so its worst case is kept"
        else:
            cost_nanos = None if cost is None else cost.total_nanos
        with db.raw_write() as conn:
            record = _settle(conn, run.id, usage, cost, cost_nanos, "interrupted", None, note, None, None, now)
        if record is not None:
            settled.append(record)
    return settled


def _with_usage(run: RunRecord, usage: Usage) -> RunRecord:
    from dataclasses import replace

    return replace(run, input_tokens=usage.input_tokens, output_tokens=usage.output_tokens,
                   cached_input_tokens=usage.cached_input_tokens, cache_write_tokens=usage.cache_write_tokens,
                   cache_write_1h_tokens=usage.cache_write_1h_tokens, reasoning_tokens=0, usage_estimated=True)
