"""Rows <-> domain records, and timestamps in the exact text form SQLAlchemy's SQLite DateTime uses.

The hot paths use driver-level SQL (no ORM objects): a run is tracked in well under a millisecond.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Sequence

from promptlab_tui.core.history import AlertRecord, RunRecord

UTC = timezone.utc

RUN_COLUMNS: tuple[str, ...] = (
    "id", "created_at", "status", "provider", "model", "user", "started_at", "finished_at", "session_id",
    "price_version", "prompt_name", "prompt_id", "tags", "source", "max_tokens", "input_tokens", "output_tokens",
    "cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens", "reasoning_tokens", "usage_estimated",
    "estimate_input_tokens", "estimate_output_tokens", "expected_cost_nanos", "worst_cost_nanos",
    "reserved_nanos", "input_cost_nanos", "output_cost_nanos", "cached_input_cost_nanos",
    "cache_write_cost_nanos", "cost_nanos", "provider_cost_nanos", "duration_ms", "error", "pid", "hostname",
    "checkpoint_output_tokens", "checkpoint_at", "prompt_text", "response_text", "synced_at",
)
_TEXT_COLUMNS = ("prompt_text", "response_text")
_TIME_COLUMNS = {"created_at", "started_at", "finished_at", "checkpoint_at", "synced_at"}
RUN_SELECT = ", ".join(RUN_COLUMNS)
RUN_SELECT_NO_TEXT = ", ".join(c if c not in _TEXT_COLUMNS else f"NULL AS {c}" for c in RUN_COLUMNS)

ALERT_COLUMNS = ("id", "period_kind", "period_start", "threshold", "level", "message", "spent_nanos",
                 "limit_nanos", "created_at", "acknowledged_at")
ALERT_SELECT = ", ".join(ALERT_COLUMNS)


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_db(instant: datetime | None) -> str | None:
    """UTC text, sortable; refuses naive datetimes like sqlmodel does."""
    if instant is None:
        return None
    if instant.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware (use datetime.now(timezone.utc))")
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")  # as strftime, faster


def from_db(value: str | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        parsed = datetime.fromisoformat(value)
    if parsed.utcoffset() is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def tags_to_db(tags: Sequence[str]) -> str | None:
    """JSON list, each tag once (a run counts once in each of its tags)."""
    return json.dumps(list(dict.fromkeys(tags))) if tags else None


def tags_from_db(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    try:
        loaded = json.loads(value)
    except ValueError:  # schema-1 rows may hold "a,b"
        return tuple(t for t in value.split(",") if t)
    return tuple(str(t) for t in loaded) if isinstance(loaded, list) else (str(loaded),)


def run_from_row(row: Sequence[Any]) -> RunRecord:
    values = dict(zip(RUN_COLUMNS, row))
    for name in _TIME_COLUMNS:
        values[name] = from_db(values[name])
    values["tags"] = tags_from_db(values["tags"])
    values["usage_estimated"] = bool(values["usage_estimated"])
    for name in ("input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens",
                 "cache_write_1h_tokens", "reasoning_tokens", "reserved_nanos"):
        values[name] = values[name] or 0
    return RunRecord(**values)


def run_to_row(run: RunRecord) -> tuple[Any, ...]:
    values = []
    for name in RUN_COLUMNS:
        value = getattr(run, name)
        if name in _TIME_COLUMNS:
            value = to_db(value)
        elif name == "tags":
            value = tags_to_db(value)
        elif name == "usage_estimated":
            value = int(bool(value))
        values.append(value)
    return tuple(values)


def alert_from_row(row: Sequence[Any]) -> AlertRecord:
    values = dict(zip(ALERT_COLUMNS, row))
    for name in ("period_start", "created_at", "acknowledged_at"):
        values[name] = from_db(values[name])
    return AlertRecord(**values)


def placeholders(count: int) -> str:
    return ", ".join("?" * count)
