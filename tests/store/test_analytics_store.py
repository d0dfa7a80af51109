"""The dashboard's store queries: tags and sources as rollup dimensions, rollups equal to the raw rows,
keyset pages of activity with sort and filters, and schema 3 -> 4."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest

from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.core.types import Usage
from promptlab_tui.store.activity import ActivityQuery, activity_rows
from promptlab_tui.store.analytics import Filters, grouped_sums
from promptlab_tui.store.migrations import SCHEMA_3_SQL, SCHEMA_4_SQL, SCHEMA_VERSION
from promptlab_tui.store.repository import HistoryRepository
from promptlab_tui.store.rollup import rebuild_rollup
from tests.store.conftest import run_once

UTC = timezone.utc
DAY = datetime(2026, 11, 10, 9, tzinfo=UTC)  # a Tuesday, 10:00 in Berlin
TZ = "Europe/Berlin"
FIRST, END = date(2026, 11, 9), date(2026, 11, 13)
RUNS = [  # hours after DAY, model, prompt, tags, source, cost, status
    (0, "gpt-4o", "sum", ("prod", "acme"), "lab", 3_000, "completed"),
    (1, "gpt-4o-mini", "sum", ("prod",), "run", 1_000, "completed"),
    (2, "gpt-4o-mini", "greet", (), "run", None, "completed"),
    (26, "gpt-4o", "greet", ("acme",), "batch", 500, "error"),
    (27, "gpt-4o", "sum", ("prod", "prod"), None, 2_000, "completed"),
]


@pytest.fixture
def history(repo: HistoryRepository) -> HistoryRepository:
    repo.save_budget(BudgetSettings(timezone=TZ))
    for hours, model, prompt, tags, source, cost, status in RUNS:
        run_once(repo, cost, created_at=DAY + timedelta(hours=hours), model=model, prompt_name=prompt, tags=tags,
                 source=source, status=status, usage=Usage(input_tokens=100, output_tokens=10, cached_input_tokens=5))
    return repo


def sums(repo: HistoryRepository, grouping: str, filters: Filters | None = None, tz: str = TZ) -> dict:
    with repo.db.raw_read() as conn:
        return {key: (t.runs, t.cost_nanos, t.unpriced_runs) for key, t in
                grouped_sums(conn, FIRST, END, grouping, tz, filters).items()}


def test_a_run_with_several_tags_counts_in_each_and_untagged_runs_count_once(history):
    assert sums(history, "tag") == {("prod",): (3, 6_000, 0), ("acme",): (2, 3_500, 0), ("",): (1, 0, 1)}
    assert sums(history, "total") == {(): (5, 6_500, 1)}


def test_sources_are_stored_and_grouped(history):
    assert sums(history, "source") == {("lab",): (1, 3_000, 0), ("run",): (2, 1_000, 1), ("batch",): (1, 500, 0),
                                       ("",): (1, 2_000, 0)}
    assert {run.source for run in history.recent_runs()} == {"lab", "run", "batch", None}


def test_hours_are_local_hours_and_days_local_days(history):
    hours = sums(history, "hour")
    assert hours[(date(2026, 11, 10), 10)] == (1, 3_000, 0)  # 09:00 UTC = 10:00 in Berlin
    assert hours[(date(2026, 11, 11), 12)] == (1, 500, 0)  # 11:00 UTC
    assert hours[(date(2026, 11, 11), 13)] == (1, 2_000, 0)
    assert sums(history, "day") == {(date(2026, 11, 10),): (3, 4_000, 1), (date(2026, 11, 11),): (2, 2_500, 0)}


@pytest.mark.parametrize("grouping", ["total", "day", "model", "provider", "prompt", "tag", "source", "model_prompt",
                                      "hour", "input"])
def test_the_rollups_equal_the_raw_rows_and_a_recount(history, grouping):
    from_rollup = sums(history, grouping)
    # another zone than the rollup's (whole-hour offsets agree) forces the raw rows; here UTC+1 = Berlin in November
    assert sums(history, grouping, tz="Etc/GMT-1") == from_rollup
    with history.db.raw_write() as conn:
        rebuild_rollup(conn, None)
    assert sums(history, grouping) == from_rollup


@pytest.mark.parametrize("filters, expected", [
    (Filters(model="gpt-4o"), {("sum",): (2, 5_000, 0), ("greet",): (1, 500, 0)}),
    (Filters(tag="acme"), {("sum",): (1, 3_000, 0), ("greet",): (1, 500, 0)}),
    (Filters(tag=""), {("greet",): (1, 0, 1)}),
    (Filters(status="error"), {("greet",): (1, 500, 0)}),
    (Filters(source="run", model="gpt-4o-mini"), {("sum",): (1, 1_000, 0), ("greet",): (1, 0, 1)}),
])
def test_filters_narrow_every_grouping(history, filters, expected):
    assert sums(history, "prompt", filters) == expected
    total = sums(history, "total", filters)[()]
    assert total == tuple(map(sum, zip(*expected.values())))  # totals equal the sum of their rows


def test_activity_pages_by_any_column_without_gaps_or_repeats(history):
    for sort in ("time", "cost", "model", "prompt", "input", "duration"):
        seen, cursor = [], None
        with history.db.raw_read() as conn:
            while True:
                runs, cursor = activity_rows(conn, ActivityQuery(sort=sort, limit=2), cursor)
                seen += runs
                if cursor is None:
                    break
        assert len(seen) == len({run.id for run in seen}) == 5, sort
    with history.db.raw_read() as conn:
        by_cost, _ = activity_rows(conn, ActivityQuery(sort="cost", limit=10))
        cheap_first, _ = activity_rows(conn, ActivityQuery(sort="cost", descending=False, limit=10))
        tagged, _ = activity_rows(conn, ActivityQuery(tag="acme"))
        named, _ = activity_rows(conn, ActivityQuery(text="GRE", status="completed"))
    assert [run.cost_nanos for run in by_cost] == [3_000, 2_000, 1_000, 500, None]
    assert [run.cost_nanos for run in cheap_first] == [None, 500, 1_000, 2_000, 3_000]
    assert {run.model for run in tagged} == {"gpt-4o"} and len(tagged) == 2
    assert [(run.prompt_name, run.status) for run in named] == [("greet", "completed")]


def test_a_schema_3_database_opens_at_the_current_schema_with_sources_and_tag_rollups(tmp_path):
    path = tmp_path / "v3.db"
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA_3_SQL)
    for number, (session, tags) in enumerate([("cli-1", '["prod", "eval"]'), ("app-2", '["prod"]'), (None, None)]):
        connection.execute(
            "INSERT INTO run (id, created_at, session_id, provider, model, prompt_name, tags, input_tokens, "
            "output_tokens, cached_input_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, "
            "usage_estimated, reserved_nanos, cost_nanos, status) VALUES (?, ?, ?, 'openai', 'gpt-4o', 'p', ?, 10, 5, "
            "0, 0, 0, 0, 0, 0, 100, 'completed')", (f"r{number}", f"2026-11-10 0{number}:00:00.000000", session, tags))
    connection.execute("INSERT INTO meta VALUES ('rollup_timezone', 'UTC')")
    connection.commit()
    connection.close()
    repo = HistoryRepository(path)
    assert repo.count_runs() == 3 and repo.db.migrated_from == 3
    assert [repo.get_run(f"r{n}").source for n in range(3)] == ["run", "lab", None]
    with repo.db.raw_read() as conn:
        tags = {k: t.runs for k, t in grouped_sums(conn, FIRST, END, "tag", "UTC").items()}
        sources = {k: t.runs for k, t in grouped_sums(conn, FIRST, END, "source", "UTC").items()}
    assert tags == {("prod",): 2, ("eval",): 1, ("",): 1}
    assert sources == {("run",): 1, ("lab",): 1, ("",): 1}
    repo.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 5


def test_week_plan_reads_whole_weeks_and_the_fewest_edge_days():
    from promptlab_tui.store.analytics import week_plan

    # Tue 2026-11-03 .. Sun 2026-11-29 (data through Dec 1): the first week has 6 days inside and 1 outside, so it
    # is read as the week minus its Monday; then 3 whole weeks.
    weeks, add, sub = week_plan(date(2026, 11, 3), date(2026, 11, 30), date(2026, 12, 2))
    assert weeks == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]
    assert (add, sub) == ([], [(date(2026, 11, 2), date(2026, 11, 3))])
    # a period ending mid-week with no data after it: the week, nothing to subtract
    weeks, add, sub = week_plan(date(2026, 11, 30), date(2026, 12, 2), date(2026, 12, 2))
    assert (weeks, add, sub) == ([date(2026, 11, 30)], [], [])
    # two days of a past week: read as days
    weeks, add, sub = week_plan(date(2026, 11, 4), date(2026, 11, 6), date(2026, 12, 2))
    assert (weeks, add, sub) == ([], [(date(2026, 11, 4), date(2026, 11, 6))], [])


@pytest.mark.parametrize("first, end", [(date(2026, 10, 1), date(2026, 11, 13)), (date(2026, 10, 13), date(2026, 11, 11)),
                                        (date(2026, 10, 20), date(2026, 10, 31))])
def test_weeks_with_edges_give_the_same_sums_as_the_days(repo, first, end):
    from promptlab_tui.store.analytics import _from_rollup, _TABLES

    repo.save_budget(BudgetSettings(timezone=TZ))
    start = datetime(2026, 10, 1, 6, tzinfo=UTC)
    for index in range(45):  # a run every day (two on Mondays), three prompts, two models
        when = start + timedelta(days=index, hours=index % 9)
        model = "gpt-4o" if index % 2 else "gpt-4o-mini"
        for extra in range(1 + (when.weekday() == 0)):
            run_once(repo, 100 + index * 10 + extra, created_at=when + timedelta(minutes=extra), model=model,
                     prompt_name=f"p{index % 3}", prompt_id=f"fp{index % 3}")
    with repo.db.raw_read() as conn:
        for grouping in ("model_prompt", "input"):
            by_days = _from_rollup(conn, first, end, grouping, *_TABLES[grouping], [])
            assert grouped_sums(conn, first, end, grouping, TZ) == by_days, grouping
            assert sum(t.cost_nanos for t in by_days.values()) > 0


def test_a_schema_4_database_gets_weekly_rollups_summed_from_its_daily_ones(tmp_path):
    path = tmp_path / "v4.db"
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA_4_SQL)
    sums = "runs, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_nanos, " \
        "unpriced_runs, error_runs"
    for day, prompt, cost in (("2026-11-09", "a", 10), ("2026-11-15", "a", 20), ("2026-11-16", "a", 40),
                              ("2026-11-10", "b", 5)):
        connection.execute(f"INSERT INTO daily_rollup (day, provider, model, prompt_name, {sums}) VALUES "
                           "(?, 'openai', 'gpt-4o', ?, 1, 100, 10, 0, 0, 0, ?, 0, 0)", (day, prompt, cost))
        connection.execute(f"INSERT INTO daily_input (day, provider, model, prompt_id, prompt_name, {sums}) VALUES "
                           "(?, 'openai', 'gpt-4o', ?, ?, 1, 100, 10, 0, 0, 0, ?, 0, 0)", (day, f"fp-{prompt}", prompt,
                                                                                          cost))
    connection.execute("INSERT INTO meta VALUES ('rollup_timezone', 'UTC')")
    connection.commit()
    connection.close()
    repo = HistoryRepository(path)
    repo.open()
    assert repo.db.migrated_from == 4
    with repo.db.raw_read() as conn:
        weeks = conn.execute("SELECT week, prompt_name, runs, cost_nanos FROM weekly_rollup ORDER BY 1, 2").fetchall()
        inputs = conn.execute("SELECT week, prompt_id, prompt_name, cost_nanos FROM weekly_input ORDER BY 1, 2").fetchall()
    assert weeks == [("2026-11-09", "a", 2, 30), ("2026-11-09", "b", 1, 5), ("2026-11-16", "a", 1, 40)]
    assert inputs == [("2026-11-09", "fp-a", "a", 30), ("2026-11-09", "fp-b", "b", 5), ("2026-11-16", "fp-a", "a", 40)]
    repo.close()


def test_the_repeated_hour_of_a_dst_change_counts_once_as_that_local_hour(repo):
    repo.save_budget(BudgetSettings(timezone=TZ))
    # 2026-10-25 in Berlin: 02:00-03:00 happens twice (00:30 UTC is 02:30 CEST, 01:30 UTC is 02:30 CET)
    for hour in (0, 1):
        run_once(repo, 100, created_at=datetime(2026, 10, 25, hour, 30, tzinfo=UTC))
    def hours() -> dict:
        with repo.db.raw_read() as conn:
            return {k: t.runs for k, t in grouped_sums(conn, date(2026, 10, 25), date(2026, 10, 26), "hour",
                                                       TZ).items()}

    assert hours() == {(date(2026, 10, 25), 2): 2}  # as counted when each run settled
    with repo.db.raw_write() as conn:
        rebuild_rollup(conn, None)
    assert hours() == {(date(2026, 10, 25), 2): 2}  # and as recounted from the raw rows
