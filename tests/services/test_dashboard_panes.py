"""The dashboard's pane data (services.dashboard_panes) and the activity filter syntax, on the hand-built history of
tests/services/test_dashboard.py: every figure checked by hand."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from rich.console import Console

from promptlab_tui.core.analytics.recommend import Change
from promptlab_tui.services.activity_filter import ActivityFilter, FilterError, parse_activity_filter
from promptlab_tui.services.dashboard_apply import Achieved, AppliedChange
from promptlab_tui.services.dashboard_panes import CacheHits, cache_hits, excessive_context, load_panes
from promptlab_tui.store import run_links

from tests.services.test_dashboard import dashboard, record  # noqa: F401  (fixture)

UTC = timezone.utc


def test_cache_hits_count_the_period_s_linked_runs_and_what_they_saved(dashboard):  # noqa: F811
    month = dashboard.period("month")
    assert cache_hits(dashboard, month) == CacheHits(0, 0)  # no run_link table yet: none, no error
    repo = dashboard.context.repository
    hit = record(repo, datetime(2026, 11, 11, 9, tzinfo=UTC), "gpt-4o", "summarise", 0, 0, 0)
    old = record(repo, datetime(2026, 10, 11, 9, tzinfo=UTC), "gpt-4o", "summarise", 0, 0, 0)
    run_links.record(repo.db, run_links.RunLink(hit, "cache", saved_nanos=700_000_000))
    run_links.record(repo.db, run_links.RunLink(old, "cache", saved_nanos=350_000_000))  # October: not counted
    assert cache_hits(dashboard, month) == CacheHits(1, 700_000_000)


def test_excessive_context_flags_long_inputs_with_short_answers_whatever_the_saving(dashboard):  # noqa: F811
    repo = dashboard.context.repository
    for day in (4, 5):
        record(repo, datetime(2026, 11, day, 9, tzinfo=UTC), "gpt-4o-mini", "dossier", 6_001, 20, 1_000_000)
    flagged = excessive_context(dashboard, dashboard.period("month"))
    # classify sends 1,000,000 tokens a run but gets 100,000-token answers: not short, not flagged
    assert [(e.prompt, e.model, e.runs, e.input_per_run, e.output_per_run) for e in flagged] == [
        ("dossier", "gpt-4o-mini", 2, 6_001, 20)]


def test_load_panes_reads_accuracy_efficiency_and_savings_in_one_call(dashboard):  # noqa: F811
    panes = load_panes(dashboard, dashboard.period("month"))
    assert [a.model for a in panes.accuracy][:2] == ["gpt-4o", "gpt-4o-mini"]
    assert {e.prompt for e in panes.efficiency} == {"summarise", "classify"}
    assert panes.achieved == () and panes.cache == CacheHits(0, 0)


def test_savings_achieved_show_the_cost_per_run_before_and_after():
    from promptlab_tui.services.dashboard_panes import DashboardPanes
    from promptlab_tui.widgets.dashboard.insight_figures import savings_renderable

    change = Change("summarise", "model", "gpt-4o", "gpt-4o-mini")
    applied = AppliedChange(change, "/p/summarise.md", "", datetime(2026, 11, 5, 9, tzinfo=UTC))
    done = Achieved(applied, before_nanos=700_000_000, after_nanos=42_000_000, runs_after=3)
    panes = DashboardPanes(None, (), (), (done,), (), CacheHits(2, 1_400_000_000))
    console = Console(width=200, record=True)
    console.print(savings_renderable(panes, None))
    text = console.export_text()
    assert "• summarise: model gpt-4o → gpt-4o-mini on 2026-11-05: $0.70 → $0.0420 per run (-$0.6580 a run " \
           "over 3 runs since)" in text
    assert "Response cache: 2 hits this period saved $1.40" in text


@pytest.mark.parametrize(("typed", "expected"), [
    ("summar", ActivityFilter(text="summar")),
    ("model:gpt-4o  tag:prod status:Failed sum mar", ActivityFilter("gpt-4o", "prod", "error", "sum mar")),
    ("status:cancelled", ActivityFilter(status="cancelled")),
    ("", ActivityFilter()),
])
def test_the_activity_filter_syntax(typed, expected):
    assert parse_activity_filter(typed) == expected


@pytest.mark.parametrize(("typed", "message"), [
    ("colour:red", "unknown field 'colour'; expected model:, tag: or status:"),
    ("model:", "model: needs a value, e.g. model:gpt-4o"),
    ("status:done", "status:done: expected one of pending, completed, error, cancelled, interrupted"),
])
def test_a_bad_filter_says_what_was_expected(typed, message):
    with pytest.raises(FilterError) as caught:
        parse_activity_filter(typed)
    assert message in str(caught.value)


def test_the_one_run_detail_keeps_source_and_tokens_by_kind(dashboard):  # noqa: F811
    from promptlab_tui.core.types import CostBreakdown, Usage
    from promptlab_tui.core.history import PendingRun
    from promptlab_tui.services.run_detail import load_detail

    repo = dashboard.context.repository
    when = datetime(2026, 11, 11, 9, tzinfo=UTC)
    reservation = repo.reserve_run(PendingRun("anthropic", "claude-sonnet-4.5", 1000, 900, 100, 10, 10,
                                              created_at=when, source="batch"), None, now=when)
    repo.settle_run(reservation.run_id, Usage(input_tokens=100, output_tokens=50, cached_input_tokens=700,
                                              cache_write_tokens=200),
                    CostBreakdown(input_nanos=300_000, output_nanos=750_000, price_version="v2"), "completed",
                    duration_ms=900, finished_at=when)
    facts = dict(load_detail(dashboard.context, reservation.run_id).facts)
    assert facts["Source"] == "batch"
    assert facts["Tokens by kind"].startswith("100 input, 700 cached input, 200 cache writes (5 min), 50 output")
    plain = dict(load_detail(dashboard.context, record(repo, when, "gpt-4o", "x", 10, 5, 1_000)).facts)
    assert "Tokens by kind" not in plain and plain["Source"] == "lab"
