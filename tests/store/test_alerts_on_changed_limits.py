"""A threshold of a changed limit is a new threshold (issue 8, item 10)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from promptlab_tui.core.budget import BudgetSettings
from tests.store.conftest import run_once

NOW = datetime(2024, 5, 14, 15, 0, tzinfo=timezone.utc)


def daily(limit_nanos: int) -> BudgetSettings:
    return BudgetSettings(daily_limit_nanos=limit_nanos, timezone="UTC")


def test_raising_the_limit_rearms_its_thresholds(repo):
    run_once(repo, 9_600_000, created_at=NOW - timedelta(hours=2))  # 101 % of $0.0095
    first = repo.record_threshold_alerts(daily(9_500_000), now=NOW)
    assert [a.threshold for a in first] == [75, 90, 100]
    assert repo.acknowledge_alert() == 3
    raised = daily(25_700_000)  # the user raises the limit to $0.0257 (37 % used)
    assert repo.record_threshold_alerts(raised, now=NOW) == []
    run_once(repo, 16_500_000, created_at=NOW - timedelta(hours=1))  # $0.0261 spent: past 100 % of the new limit
    again = repo.record_threshold_alerts(raised, now=NOW)
    assert [(a.threshold, a.limit_nanos) for a in again] == [(75, 25_700_000), (90, 25_700_000), (100, 25_700_000)]
    assert "of $0.0257 spent" in again[-1].message
    assert [a.threshold for a in repo.alerts()] == [100, 90, 75]  # unacknowledged: the badge shows them
    assert repo.record_threshold_alerts(raised, now=NOW) == []  # and still once per threshold


def test_lowering_the_limit_alerts_for_the_new_limit(repo):
    run_once(repo, 8_000_000_000, created_at=NOW - timedelta(hours=1))
    assert [a.threshold for a in repo.record_threshold_alerts(daily(10_000_000_000), now=NOW)] == [75]
    lowered = repo.record_threshold_alerts(daily(5_000_000_000), now=NOW)
    assert [(a.threshold, a.limit_nanos) for a in lowered] == [(75, 5_000_000_000), (90, 5_000_000_000),
                                                               (100, 5_000_000_000)]
