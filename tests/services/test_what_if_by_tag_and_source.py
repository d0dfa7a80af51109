"""The what-if by tag and by source (issue 9): each run's own tokens re-priced at the target and summed per tag /
per source, from the per-day rollups by tag x model and source x model (schema 9). Numbers checked by hand."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest

from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.types import CostBreakdown, Usage
from promptlab_tui.services.context import ServiceContext
from promptlab_tui.services.dashboard import DashboardService
from promptlab_tui.services.dashboard_panes import TAGS_OVERLAP, what_if_grouped
from promptlab_tui.store.analytics import Filters
from promptlab_tui.store.repository import HistoryRepository

UTC = timezone.utc
NOW = datetime(2026, 11, 12, 12, tzinfo=UTC)
RUNS = [  # when, model, tags, source, input, output, cost (None: no price); gpt-4o at $2.50 / $10 per 1M
    (datetime(2026, 11, 2, 9, tzinfo=UTC), "gpt-4o", ("prod", "eval"), "lab", 100_000, 10_000, 350_000_000),
    (datetime(2026, 11, 3, 14, tzinfo=UTC), "gpt-4o", ("prod",), "run", 200_000, 20_000, 700_000_000),
    (datetime(2026, 11, 10, 14, tzinfo=UTC), "gpt-4o-mini", (), "run", 1_000_000, 100_000, 210_000_000),
    (datetime(2026, 11, 12, 8, tzinfo=UTC), "mystery-model", ("eval",), "batch", 500, 50, None),
]
# On gpt-4o-mini ($0.15 / $0.60 per 1M = 150 / 600 nanos a token): run 1 15,000,000 + 6,000,000 = 21,000,000;
# run 2 42,000,000; run 3 210,000,000; run 4 75,000 + 30,000 = 105,000.


def record(repo: HistoryRepository, when, model, tags, source, tokens_in, tokens_out, cost) -> None:
    pending = PendingRun("openai", model, 200_000, tokens_in, tokens_out, cost, cost, prompt_name="p",
                         tags=tags, source=source, created_at=when)
    reservation = repo.reserve_run(pending, None, now=when)
    breakdown = None if cost is None else CostBreakdown(input_nanos=cost, output_nanos=0, price_version="v1")
    repo.settle_run(reservation.run_id, Usage(input_tokens=tokens_in, output_tokens=tokens_out), breakdown,
                    "completed", duration_ms=100, finished_at=when)


@pytest.fixture
def service() -> DashboardService:
    repo = HistoryRepository()
    repo.save_budget(BudgetSettings(timezone="UTC", monthly_limit_nanos=10**10))
    for run in RUNS:
        record(repo, *run)
    return DashboardService(ServiceContext(repository=repo), clock=lambda: NOW)


def rows_of(what) -> list[tuple]:
    return [(r.model, r.runs, r.unpriced_runs, r.actual_nanos, r.on_target_nanos) for r in what.rows]


def test_by_tag_a_run_counts_in_each_of_its_tags_and_the_total_is_the_period_s_own(service):
    what, by = what_if_grouped(service, service.period("month"), "gpt-4o-mini", None, "tag")
    assert by == "tag" and what.by == "tag" and what.note == TAGS_OVERLAP
    assert rows_of(what) == [("prod", 2, 0, 1_050_000_000, 63_000_000),  # runs 1 and 2
                             ("eval", 2, 1, 350_000_000, 21_105_000),  # run 1 and the unpriced run 4
                             ("(untagged)", 1, 0, 210_000_000, 210_000_000)]
    # The total counts each run once (5 tag rows, 4 runs): the period per model.
    assert (what.runs, what.actual_nanos, what.on_target_nanos) == (4, 1_260_000_000, 273_105_000)
    assert what.unpriced_runs == 1 and what.difference_nanos == 63_000_000 - 1_050_000_000  # mini: 0; unpriced: none


def test_by_source_the_rows_add_up_to_the_total(service):
    what, by = what_if_grouped(service, service.period("month"), "gpt-4o-mini", None, "source")
    assert by == "source" and what.note is None and not what.overall
    assert rows_of(what) == [("run", 2, 0, 910_000_000, 252_000_000), ("lab", 1, 0, 350_000_000, 21_000_000),
                             ("batch", 1, 1, 0, 105_000)]
    assert (what.runs, what.actual_nanos, what.on_target_nanos) == (4, 1_260_000_000, 273_105_000)
    assert what.difference_nanos == sum(r.difference_nanos for r in what.rows) == -987_000_000


@pytest.mark.parametrize("group_by", ["tag", "source"])
def test_the_rollups_answer_as_the_raw_rows_do(service, group_by):
    period = service.period("month")
    fast = what_if_grouped(service, period, "gpt-4o-mini", None, group_by)[0]
    raw = what_if_grouped(service, period, "gpt-4o-mini", None, group_by, Filters(status="completed"))[0]
    assert fast == raw


def test_filters_on_the_dimension_and_the_model_read_the_rollup(service):
    period = service.period("month")
    what = what_if_grouped(service, period, "gpt-4o-mini", None, "tag", Filters(tag="eval"))[0]
    assert [(r.model, r.runs) for r in what.rows] == [("eval", 2)] and what.runs == 2  # runs 1 and 4
    what = what_if_grouped(service, period, "gpt-4o-mini", None, "source", Filters(model="gpt-4o"))[0]
    assert rows_of(what) == [("run", 1, 0, 700_000_000, 42_000_000), ("lab", 1, 0, 350_000_000, 21_000_000)]


def test_a_deleted_run_leaves_the_tag_and_source_rollups(service):
    repo = service.context.repository
    repo.delete_run(repo.recent_runs(limit=1)[0].id)  # the unpriced batch run of eval
    what = what_if_grouped(service, service.period("month"), "gpt-4o-mini", None, "source")[0]
    assert [r.model for r in what.rows] == ["run", "lab"] and what.runs == 3


def test_a_schema_8_file_gains_the_tables_counted_from_its_runs(tmp_path):
    path = tmp_path / "v8.db"
    repo = HistoryRepository(path)
    repo.save_budget(BudgetSettings(timezone="UTC"))
    for run in RUNS:
        record(repo, *run)
    repo.close()
    connection = sqlite3.connect(path)
    expected = {table: connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4").fetchall()
                for table in ("daily_tag_model", "daily_source_model")}
    connection.executescript("DROP TABLE daily_tag_model; DROP TABLE daily_source_model; PRAGMA user_version = 8;")
    connection.commit()
    connection.close()
    assert len(expected["daily_tag_model"]) == 5 and len(expected["daily_source_model"]) == 4

    repo = HistoryRepository(path)
    service = DashboardService(ServiceContext(repository=repo), clock=lambda: NOW)
    what = what_if_grouped(service, service.period("month"), "gpt-4o-mini", None, "tag")[0]
    assert repo.db.migrated_from == 8 and what.on_target_nanos == 273_105_000 and len(what.rows) == 3
    repo.close()
    connection = sqlite3.connect(path)
    for table, rows in expected.items():
        assert connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4").fetchall() == rows
    from tests.store.test_database import columns

    HistoryRepository(tmp_path / "fresh.db").open().close()
    assert columns(path) == columns(tmp_path / "fresh.db")  # the same tables, columns and indexes as a new file


def test_a_recount_in_another_zone_keeps_the_rollups_equal_to_the_raw_rows(service):
    service.context.repository.save_budget(BudgetSettings(timezone="Asia/Tokyo"))  # recounts the rollups
    period = service.period("month")
    for group_by in ("tag", "source"):
        fast = what_if_grouped(service, period, "gpt-4o-mini", None, group_by)[0]
        raw = what_if_grouped(service, period, "gpt-4o-mini", None, group_by, Filters(status="completed"))[0]
        assert fast == raw and fast.on_target_nanos == 273_105_000
