"""The team server's tables (SQLAlchemy Core). Changes here need an Alembic revision in migrations/versions.

Money is integer nano-dollars (BigInteger); instants are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (BigInteger, Boolean, Column, DateTime, ForeignKey, Index, Integer, LargeBinary, MetaData,
                        String, Table, Text, TypeDecorator, UniqueConstraint)

metadata = MetaData()


class UtcDateTime(TypeDecorator):
    """TIMESTAMPTZ on PostgreSQL; UTC wall time on SQLite (which keeps no offset), read back as aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        if isinstance(value, datetime):
            return value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return value

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


TS = UtcDateTime()

team = Table(
    "team", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("timezone", String(64), nullable=False, server_default="UTC"),
    Column("run_mode", String(16), nullable=False, server_default="direct"),  # direct | proxy
    Column("offline_policy", String(16), nullable=False, server_default="refuse"),  # refuse | local_cap
    Column("offline_cap_nanos", BigInteger, nullable=False, server_default="0"),
    Column("reservation_ttl_s", Integer, nullable=False, server_default="900"),
    Column("created_at", TS, nullable=False),
)

member = Table(
    "member", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", Integer, ForeignKey("team.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),  # owner | admin | member
    Column("share_text", Boolean, nullable=False, server_default="0"),
    Column("created_at", TS, nullable=False),
    Column("removed_at", TS),
    UniqueConstraint("team_id", "name", name="ux_member_team_name"),
)

token = Table(
    "token", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", Integer, ForeignKey("team.id"), nullable=False),
    Column("member_id", Integer, ForeignKey("member.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 hex of a 256-bit random token
    Column("label", String(200), nullable=False, server_default=""),
    Column("created_at", TS, nullable=False),
    Column("last_used_at", TS),
    Column("revoked_at", TS),
)

group = Table(
    "member_group", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", Integer, ForeignKey("team.id"), nullable=False),
    Column("name", String(200), nullable=False),
    UniqueConstraint("team_id", "name", name="ux_group_team_name"),
)

group_membership = Table(
    "group_membership", metadata,
    Column("group_id", Integer, ForeignKey("member_group.id"), primary_key=True),
    Column("member_id", Integer, ForeignKey("member.id"), primary_key=True),
)

budget = Table(
    "budget", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", Integer, ForeignKey("team.id"), nullable=False),
    Column("scope", String(16), nullable=False),  # team | member | group
    Column("subject_id", Integer, nullable=False, server_default="0"),  # member or group id; 0 for the team
    Column("period", String(16), nullable=False),  # daily | weekly | monthly
    Column("limit_nanos", BigInteger, nullable=False),
    Column("mode", String(8), nullable=False, server_default="hard"),  # hard | warn
    Column("thresholds", String(64), nullable=False, server_default="75,90,100"),
    UniqueConstraint("team_id", "scope", "subject_id", "period", name="ux_budget_key"),
)

run = Table(
    "run", metadata,
    Column("team_id", Integer, ForeignKey("team.id"), primary_key=True),
    Column("id", String(64), primary_key=True),  # the client's run UUID: pushes are idempotent on it
    Column("member_id", Integer, ForeignKey("member.id")),  # NULL once the member was removed (unattributed)
    Column("created_at", TS, nullable=False),
    Column("finished_at", TS),
    Column("provider", String(100), nullable=False),
    Column("model", String(200), nullable=False),
    Column("prompt_name", String(300)),
    Column("tags", Text),  # JSON list
    Column("status", String(32), nullable=False),
    Column("input_tokens", BigInteger, nullable=False, server_default="0"),
    Column("output_tokens", BigInteger, nullable=False, server_default="0"),
    Column("cached_input_tokens", BigInteger, nullable=False, server_default="0"),
    Column("cache_write_tokens", BigInteger, nullable=False, server_default="0"),
    Column("reasoning_tokens", BigInteger, nullable=False, server_default="0"),
    Column("cost_nanos", BigInteger),  # NULL: no price
    Column("duration_ms", BigInteger),
    Column("prompt_text", Text),
    Column("response_text", Text),
    Column("source", String(16), nullable=False, server_default="sync"),  # sync | settle | expired | proxy
    Column("updated_at", TS, nullable=False),
    Index("ix_run_team_created", "team_id", "created_at"),
    Index("ix_run_member_created", "team_id", "member_id", "created_at"),
)

spend_day = Table(
    "spend_day", metadata,  # settled cost per member and local day (team's zone): what budget checks sum
    Column("team_id", Integer, ForeignKey("team.id"), primary_key=True),
    Column("member_id", Integer, primary_key=True),  # 0: no member
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD in the team's time zone
    Column("cost_nanos", BigInteger, nullable=False, server_default="0"),
    Column("runs", BigInteger, nullable=False, server_default="0"),
)

reservation = Table(
    "reservation", metadata,
    Column("id", String(64), primary_key=True),  # the client's run UUID
    Column("team_id", Integer, ForeignKey("team.id"), nullable=False),
    Column("member_id", Integer, ForeignKey("member.id")),
    Column("amount_nanos", BigInteger, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("status", String(16), nullable=False),  # open | settled | expired
    Column("provider", String(100), nullable=False),
    Column("model", String(200), nullable=False),
    Index("ix_reservation_open", "team_id", "status", "expires_at"),
)

provider_key = Table(
    "provider_key", metadata,
    Column("team_id", Integer, ForeignKey("team.id"), primary_key=True),
    Column("provider", String(100), primary_key=True),
    Column("base_url", String(500)),
    Column("key_encrypted", LargeBinary, nullable=False),  # Fernet, key from PROMPTLAB_SERVER_KEY
    Column("updated_at", TS, nullable=False),
)

alert = Table(
    "team_alert", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", Integer, ForeignKey("team.id"), nullable=False),
    Column("budget_id", Integer, nullable=False),  # no FK: an alert outlives a deleted budget
    Column("scope", String(16), nullable=False),
    Column("subject_id", Integer, nullable=False),
    Column("period", String(16), nullable=False),
    Column("period_start", TS, nullable=False),
    Column("threshold", Integer, nullable=False),
    Column("spent_nanos", BigInteger, nullable=False),
    Column("limit_nanos", BigInteger, nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", TS, nullable=False),
    UniqueConstraint("budget_id", "period_start", "threshold", name="ux_team_alert_once"),
)

alert_ack = Table(
    "team_alert_ack", metadata,  # each member acknowledges for themself
    Column("alert_id", Integer, ForeignKey("team_alert.id"), primary_key=True),
    Column("member_id", Integer, ForeignKey("member.id"), primary_key=True),
    Column("acknowledged_at", TS, nullable=False),
)
