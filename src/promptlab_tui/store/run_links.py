"""How a run came to be (issue 11): its source (auto, fallback, compare, batch, cache, optimise, conversation),
the runs it belongs with (a fallback chain, a comparison, a batch), why its model was picked, what a cache hit
saved, and which answer of a comparison the user marked as the better one.

One row per linked run in `run_link`, beside the ledger's `run` row (never in it: the ledger's hot path and
its schema stay as they are). The table is created on first use, so older files need no migration.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from promptlab_tui.store.database import Database

SOURCES = ("auto", "fallback", "compare", "batch", "cache", "optimise", "conversation")

_CREATE = """
CREATE TABLE IF NOT EXISTS run_link (
    run_id VARCHAR NOT NULL PRIMARY KEY,
    group_id VARCHAR,
    source VARCHAR NOT NULL,
    position INTEGER,
    detail VARCHAR,
    saved_nanos INTEGER,
    cache_of VARCHAR,
    preferred BOOLEAN NOT NULL DEFAULT 0
)"""
_INDEX = "CREATE INDEX IF NOT EXISTS ix_run_link_group ON run_link (group_id) WHERE group_id IS NOT NULL"
_COLUMNS = "run_id, group_id, source, position, detail, saved_nanos, cache_of, preferred"


@dataclass(frozen=True)
class RunLink:
    run_id: str
    source: str
    group_id: str | None = None
    position: int | None = None  # the attempt (fallback), the column (compare), the file (batch)
    detail: dict[str, Any] = field(default_factory=dict)  # e.g. {"selection": "auto: gpt-4o-mini ..."}
    saved_nanos: int | None = None  # a cache hit: what the provider would have cost
    cache_of: str | None = None  # a cache hit: the run whose answer was served
    preferred: bool = False  # a comparison: the answer the user marked as the better one


def _ensure(conn: sqlite3.Connection) -> None:
    conn.execute(_CREATE)
    conn.execute(_INDEX)


def _row(link: RunLink) -> tuple:
    detail = json.dumps(link.detail, ensure_ascii=False) if link.detail else None
    return (link.run_id, link.group_id, link.source, link.position, detail, link.saved_nanos, link.cache_of,
            int(link.preferred))


def _link(row: tuple) -> RunLink:
    return RunLink(run_id=row[0], group_id=row[1], source=row[2], position=row[3],
                   detail=json.loads(row[4]) if row[4] else {}, saved_nanos=row[5], cache_of=row[6],
                   preferred=bool(row[7]))


def record(db: Database, link: RunLink) -> None:
    if link.source not in SOURCES:
        raise ValueError(f"unknown run source {link.source!r}")
    with db.raw_write() as conn:
        _ensure(conn)
        conn.execute(f"INSERT OR REPLACE INTO run_link ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _row(link))


def _read(db: Database, where: str, params: tuple) -> list[RunLink]:
    with db.raw_read() as conn:
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'run_link'").fetchone()
        if not exists:
            return []
        rows = conn.execute(f"SELECT {_COLUMNS} FROM run_link WHERE {where} ORDER BY position, run_id",
                            params).fetchall()
    return [_link(row) for row in rows]


def get(db: Database, run_id: str) -> RunLink | None:
    found = _read(db, "run_id = ?", (run_id,))
    return found[0] if found else None


def group(db: Database, group_id: str) -> list[RunLink]:
    """The runs of one fallback chain, comparison or batch, in their order."""
    return _read(db, "group_id = ?", (group_id,))


def mark_preferred(db: Database, group_id: str, run_id: str) -> bool:
    """Mark `run_id` as the better answer of its comparison (and no other); False when it is not in it."""
    with db.raw_write() as conn:
        _ensure(conn)
        found = conn.execute("SELECT 1 FROM run_link WHERE group_id = ? AND run_id = ?", (group_id, run_id)).fetchone()
        if not found:
            return False
        conn.execute("UPDATE run_link SET preferred = (run_id = ?) WHERE group_id = ?", (run_id, group_id))
    return True


def comparison_wins(db: Database) -> list[tuple[str | None, str, int, int, float | None]]:
    """(prompt, model, comparisons won, comparisons it was in, its mean cost in % of the others' mean cost
    in those comparisons) over every comparison with a mark; most wins first."""
    with db.raw_read() as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'run_link'").fetchone():
            return []
        rows = conn.execute(
            "SELECT l.group_id, r.prompt_name, r.model, r.cost_nanos, l.preferred FROM run_link l "
            "JOIN run r ON r.id = l.run_id WHERE l.source = 'compare' AND l.group_id IN "
            "(SELECT group_id FROM run_link WHERE source = 'compare' AND preferred)").fetchall()
    groups: dict[str, list[tuple]] = {}
    for row in rows:
        groups.setdefault(row[0], []).append(row)
    stats: dict[tuple[str | None, str], list[int]] = {}  # -> [won, total, own cost, own runs, others' cost, others]
    for members in groups.values():
        for _group, prompt, model, cost, preferred in members:
            entry = stats.setdefault((prompt, model), [0, 0, 0, 0, 0, 0])
            entry[0] += bool(preferred)
            entry[1] += 1
            others = [m[3] for m in members if m[2] != model and m[3] is not None]
            if cost is not None and others:
                entry[2] += cost
                entry[3] += 1
                entry[4] += sum(others)
                entry[5] += len(others)
    found = []
    for (prompt, model), (won, total, own, own_n, other, other_n) in stats.items():
        share = (own / own_n) * 100 / (other / other_n) if own_n and other_n and other else None
        found.append((prompt, model, won, total, share))
    return sorted(found, key=lambda item: (item[0] or "", -item[2], item[1]))


def for_runs(db: Database, run_ids: list[str]) -> dict[str, RunLink]:
    """The links of these runs (a history page), by run id; runs without one are left out."""
    found: dict[str, RunLink] = {}
    for start in range(0, len(run_ids), 500):  # SQLite's bound parameters per statement stay well under its limit
        chunk = tuple(run_ids[start:start + 500])
        found.update((link.run_id, link) for link in _read(db, f"run_id IN ({', '.join('?' * len(chunk))})", chunk))
    return found
