"""The opt-in response cache's index: request key -> the run that answered it (the answer stays in `run`).

Its table is part of the schema since version 7 (store.tables_links). A hit needs the run to be completed and its answer still kept
(retention drops answers: those requests are asked again).
"""

from __future__ import annotations

from dataclasses import dataclass

from promptlab_tui.store.database import Database

@dataclass(frozen=True)
class CachedAnswer:
    run_id: str
    text: str
    cost_nanos: int | None  # what the answer cost when the provider gave it: what a hit saves
    output_tokens: int


def remember(db: Database, key: str, run_id: str) -> None:
    with db.raw_write() as conn:
        conn.execute("INSERT OR REPLACE INTO response_cache (key, run_id) VALUES (?, ?)", (key, run_id))


def lookup(db: Database, key: str) -> CachedAnswer | None:
    with db.raw_read() as conn:
        row = conn.execute(
            "SELECT r.id, r.response_text, r.cost_nanos, r.output_tokens FROM response_cache c JOIN run r "
            "ON r.id = c.run_id WHERE c.key = ? AND r.status = 'completed' AND r.response_text IS NOT NULL",
            (key,)).fetchone()
    return None if row is None else CachedAnswer(row[0], row[1], row[2], int(row[3] or 0))
