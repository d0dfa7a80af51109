"""Issue 12's local tables (schema 7): the sync outbox, the sync state and the team alert map.

Their triggers are in store/sync_schema.py. Before schema 7 all of this was made at login, on first use.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class SyncOutboxRow(SQLModel, table=True):
    __tablename__ = "sync_outbox"

    run_id: str = Field(primary_key=True)
    queued_at: str  # strftime text written by the triggers: the order of the queue
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_error: str | None = None


class SyncStateRow(SQLModel, table=True):
    __tablename__ = "sync_state"

    key: str = Field(primary_key=True)
    value: str


class SyncTeamAlertRow(SQLModel, table=True):
    __tablename__ = "sync_team_alert"

    server_id: int = Field(primary_key=True)
    local_id: int
    ack_sent: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
