"""The two triggers that queue settled runs in the sync outbox (schema 7), and the switch they obey.

The triggers exist in every file but queue only while the outbox is on (a `sync_state` row written at
login, deleted at logout): the ledger needs no knowledge of sync and a user who never logs in keeps an
empty outbox. No ORM here: sync/outbox.py imports the switch's key on the app's start-up path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

OUTBOX_ON_KEY = "outbox"  # the sync_state row whose presence switches the triggers on

_QUEUE = ("INSERT INTO sync_outbox (run_id, queued_at) VALUES (NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now')) "
          "ON CONFLICT (run_id) DO UPDATE SET queued_at = excluded.queued_at, attempts = 0, last_error = NULL; END")
_WHEN = (f"WHEN NEW.status != 'pending' AND EXISTS (SELECT 1 FROM sync_state WHERE key = '{OUTBOX_ON_KEY}') "
         "BEGIN ")
TRIGGERS_DDL = [
    "CREATE TRIGGER sync_queue_insert AFTER INSERT ON run " + _WHEN + _QUEUE,
    "CREATE TRIGGER sync_queue_update AFTER UPDATE OF status, cost_nanos, input_tokens, output_tokens, "
    "prompt_text, response_text ON run " + _WHEN + _QUEUE,
]


def create_sync_triggers(conn: Connection) -> None:
    """(Re)create the two queueing triggers: a schema 6 file's ungated ones, made at login, are replaced."""
    for name in ("sync_queue_insert", "sync_queue_update"):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    for statement in TRIGGERS_DDL:
        conn.exec_driver_sql(statement)
