"""The settlement journal: a run's usage written beside the database when the database itself cannot be.

One JSON line per run (its id, status, tokens and cost in integer nano-dollars; no prompt or answer
text), appended under an exclusive lock to a 0600 file in the data folder. The next start records
each line with the ledger's ordinary settlement (a run settled already is left as it is), then
empties the file. It is read before the orphan sweep, so such a run is billed its real usage rather
than from its last checkpoint.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from promptlab_tui.core.types import CostBreakdown, Usage

if TYPE_CHECKING:
    from promptlab_tui.core.history import RunRecord
    from promptlab_tui.store.database import Database

JOURNAL_NAME = "unsettled-runs.jsonl"


@dataclass(frozen=True)
class JournalEntry:
    run_id: str
    status: str
    usage: Usage
    cost: CostBreakdown | None
    finished_at: datetime
    error: str | None = None
    duration_ms: int | None = None
    provider_cost_nanos: int | None = None

    def to_json(self) -> str:
        return json.dumps({"run_id": self.run_id, "status": self.status, "usage": asdict(self.usage),
                           "cost": None if self.cost is None else asdict(self.cost),
                           "finished_at": self.finished_at.isoformat(), "error": self.error,
                           "duration_ms": self.duration_ms, "provider_cost_nanos": self.provider_cost_nanos},
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> "JournalEntry":
        data = json.loads(line)
        cost = data.get("cost")
        return cls(run_id=str(data["run_id"]), status=str(data["status"]), usage=Usage(**data["usage"]),
                   cost=None if cost is None else CostBreakdown(**cost),
                   finished_at=datetime.fromisoformat(data["finished_at"]), error=data.get("error"),
                   duration_ms=data.get("duration_ms"), provider_cost_nanos=data.get("provider_cost_nanos"))


def journal_path(database: Path) -> Path:
    return Path(database).parent / JOURNAL_NAME


def append(path: Path, entry: JournalEntry) -> Path:
    """Append one line durably (fsync) under an exclusive lock; the file is created 0600."""
    line = (entry.to_json() + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        written = os.write(fd, line)
        if written != len(line):  # a short write on a full disk: the line would be torn
            raise OSError(28, "No space left on device")
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def settle_journal(db: Database, path: Path) -> list[RunRecord]:
    """Settle every run in the journal, then empty it (kept as an empty 0600 file: appenders may hold it)."""
    from promptlab_tui.store.ledger import LedgerError, settle_run

    if not path.exists():
        return []
    settled: list[RunRecord] = []
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with os.fdopen(os.dup(fd), "r", encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
        if not lines:
            return []
        for line in lines:
            try:
                entry = JournalEntry.from_json(line)
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by a crash while it was written: that run is an orphan, settled from its checkpoint
            try:
                record, _ = settle_run(db, entry.run_id, entry.usage, entry.cost, entry.status, error=entry.error,
                                       duration_ms=entry.duration_ms, provider_cost_nanos=entry.provider_cost_nanos,
                                       finished_at=entry.finished_at)
            except LedgerError:
                continue  # the run is not in this history (the database was replaced)
            if record.status == entry.status and record.finished_at == entry.finished_at:
                settled.append(record)
        os.ftruncate(fd, 0)
        os.fsync(fd)
    finally:
        os.close(fd)
    return settled

