"""Issue 11's tables (schema 7): how a run came to be (`run_link`) and the opt-in response cache's index.

Both sit beside the ledger's `run` table, never in it, so the ledger's hot path keeps its shape. Before
schema 7 they were made on first use; the migration to 7 keeps such a table and its rows as they are.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel


class RunLinkRow(SQLModel, table=True):
    __tablename__ = "run_link"
    __table_args__ = (Index("ix_run_link_group", "group_id", sqlite_where=text("group_id IS NOT NULL")),)

    run_id: str = Field(primary_key=True)
    group_id: str | None = None  # one fallback chain, comparison or batch
    source: str  # auto, fallback, compare, batch, cache, optimise, conversation
    position: int | None = None
    detail: str | None = None  # JSON: the auto selection's reason, the chain, the compared models
    saved_nanos: int | None = None
    cache_of: str | None = None
    preferred: bool = Field(default=False, sa_column_kwargs={"server_default": text("0")})


class ResponseCacheRow(SQLModel, table=True):
    __tablename__ = "response_cache"

    key: str = Field(primary_key=True)  # hash of (model, messages, parameters)
    run_id: str
    created_at: datetime = Field(sa_column_kwargs={"server_default": text("CURRENT_TIMESTAMP")})
