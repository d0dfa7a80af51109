"""Per-day totals by tag, by source, by local hour and by identical input (schema 4): what the dashboard reads.

Each is updated in the transaction that settles a run (`store.rollup.add_to_rollup`) and recounted with
the rest of the rollup. A run with several tags counts once in each of its tags ('' = untagged).
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class _Sums(SQLModel):
    runs: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    cost_nanos: int = 0
    unpriced_runs: int = 0
    error_runs: int = 0


class DailyTagRow(_Sums, table=True):
    __tablename__ = "daily_tag"
    __table_args__ = {"sqlite_with_rowid": False}

    day: str = Field(primary_key=True)
    tag: str = Field(primary_key=True)  # '' for runs without a tag


class DailySourceRow(_Sums, table=True):
    __tablename__ = "daily_source"
    __table_args__ = {"sqlite_with_rowid": False}

    day: str = Field(primary_key=True)
    source: str = Field(primary_key=True)  # lab, run, compare, batch, fallback; '' when not recorded


class DailyHourRow(_Sums, table=True):
    """Totals per local day and local hour (0-23): the weekday x hour heat map and today's burn rate."""

    __tablename__ = "daily_hour"
    __table_args__ = {"sqlite_with_rowid": False}

    day: str = Field(primary_key=True)
    hour: int = Field(primary_key=True)


class DailyInputRow(_Sums, table=True):
    """Totals per local day, model and input fingerprint (`run.prompt_id`): repeated identical inputs."""

    __tablename__ = "daily_input"
    __table_args__ = {"sqlite_with_rowid": False}

    day: str = Field(primary_key=True)
    provider: str = Field(primary_key=True)
    model: str = Field(primary_key=True)
    prompt_id: str = Field(primary_key=True)
    prompt_name: str = ""  # the name the input was first run under (for showing it)


class WeeklyRollupRow(_Sums, table=True):
    """Totals per ISO week (its local Monday) by model and prompt: long periods read weeks plus a few days."""

    __tablename__ = "weekly_rollup"
    __table_args__ = {"sqlite_with_rowid": False}

    week: str = Field(primary_key=True)  # YYYY-MM-DD of the local Monday
    provider: str = Field(primary_key=True)
    model: str = Field(primary_key=True)
    prompt_name: str = Field(primary_key=True)


class WeeklyInputRow(_Sums, table=True):
    """Totals per ISO week by model and input fingerprint (repeated identical inputs over long periods)."""

    __tablename__ = "weekly_input"
    __table_args__ = {"sqlite_with_rowid": False}

    week: str = Field(primary_key=True)
    provider: str = Field(primary_key=True)
    model: str = Field(primary_key=True)
    prompt_id: str = Field(primary_key=True)
    prompt_name: str = ""


class DailyTagModelRow(_Sums, table=True):
    """Totals per local day, tag and model (schema 9): the what-if re-prices each tag's runs at their own tokens."""

    __tablename__ = "daily_tag_model"
    __table_args__ = {"sqlite_with_rowid": False}

    day: str = Field(primary_key=True)
    tag: str = Field(primary_key=True)  # '' for runs without a tag; a run with several tags counts in each
    provider: str = Field(primary_key=True)
    model: str = Field(primary_key=True)


class DailySourceModelRow(_Sums, table=True):
    """Totals per local day, source and model (schema 9): the what-if by source."""

    __tablename__ = "daily_source_model"
    __table_args__ = {"sqlite_with_rowid": False}

    day: str = Field(primary_key=True)
    source: str = Field(primary_key=True)
    provider: str = Field(primary_key=True)
    model: str = Field(primary_key=True)
