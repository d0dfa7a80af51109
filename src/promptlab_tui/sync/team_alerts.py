"""Team and member threshold alerts from the server, mirrored into the local alert table.

So they show in the Lab's banner and `promptlab alerts` beside the personal ones (labelled "Team
monthly", "Member daily", "Group research monthly"), and are acknowledged there: the next sync
sends the acknowledgement to the server (per member).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from promptlab_tui.core.budget import alert_level
from promptlab_tui.store.codec import to_db
from promptlab_tui.sync.client import TeamClient

if TYPE_CHECKING:
    from promptlab_tui.store.database import Database


def period_label(alert: dict) -> str:
    """'team monthly', 'member daily', 'group research monthly' (unique per budget in the local table)."""
    subject = "team" if alert["scope"] == "team" else "member" if alert["scope"] == "member" else alert["subject"]
    return f"{subject.lower()} {alert['period']}"


def mirror_alerts(db: Database, client: TeamClient) -> int:
    """Bring new team alerts in, send local acknowledgements out; returns how many alerts are new here."""
    remote = client.call("GET", "/v1/alerts", params={"all": "true"})
    added = 0
    with db.raw_write() as conn:
        for alert in remote:
            mapped = conn.execute("SELECT local_id FROM sync_team_alert WHERE server_id = ?", (alert["id"],)).fetchone()
            if mapped is not None:
                if alert["acknowledged"]:  # acknowledged on another machine
                    conn.execute("UPDATE alert SET acknowledged_at = coalesce(acknowledged_at, ?) WHERE id = ?",
                                 (to_db(datetime.fromisoformat(alert["created_at"])), mapped[0]))
                continue
            kind = period_label(alert)
            start = to_db(datetime.fromisoformat(alert["period_start"]))
            conn.execute(
                "INSERT INTO alert (period_kind, period_start, threshold, level, message, spent_nanos, limit_nanos, "
                "created_at, acknowledged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (period_kind, period_start, threshold) DO NOTHING",
                (kind, start, alert["threshold"], alert_level(alert["threshold"]), alert["message"],
                 alert["spent_nanos"], alert["limit_nanos"], to_db(datetime.fromisoformat(alert["created_at"])),
                 to_db(datetime.fromisoformat(alert["created_at"])) if alert["acknowledged"] else None))
            local = conn.execute("SELECT id FROM alert WHERE period_kind = ? AND period_start = ? AND threshold = ?",
                                 (kind, start, alert["threshold"])).fetchone()
            conn.execute("INSERT INTO sync_team_alert (server_id, local_id, ack_sent) VALUES (?, ?, ?)",
                         (alert["id"], local[0], int(alert["acknowledged"])))
            added += not alert["acknowledged"]
        to_send = [row[0] for row in conn.execute(
            "SELECT m.server_id FROM sync_team_alert m JOIN alert a ON a.id = m.local_id "
            "WHERE a.acknowledged_at IS NOT NULL AND m.ack_sent = 0")]
    for server_id in to_send:
        client.call("POST", f"/v1/alerts/{server_id}/ack")
        with db.raw_write() as conn:
            conn.execute("UPDATE sync_team_alert SET ack_sent = 1 WHERE server_id = ?", (server_id,))
    return added
