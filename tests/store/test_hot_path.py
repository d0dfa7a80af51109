"""The run's hot path: the periods a reservation checks, settling with its alerts at once, the store's connections."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import datetime, timedelta, timezone

from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.core.types import Usage
from tests.store.conftest import DOLLAR, cost, pending, run_once

UTC = timezone.utc
NOW = datetime(2024, 5, 14, 15, 0, tzinfo=UTC)


def _figures(statuses):
    return [(s.kind, s.start, s.end, s.spent_nanos, s.reserved_nanos, s.unpriced_runs) for s in statuses]


def test_current_periods_are_what_a_reservation_checks_in_the_rollups_zone_or_another(repo):
    repo.save_budget(BudgetSettings(timezone="Europe/London"))
    for hours, actual in ((1, 300), (20, 5_000), (24 * 3, None), (24 * 20, 70_000)):
        run_once(repo, actual, created_at=NOW - timedelta(hours=hours))
    repo.reserve_run(pending(2_000), None, now=NOW)  # running: held
    for zone_name in ("Europe/London", "Asia/Kathmandu"):  # the rollup's zone, and one read from the raw rows
        settings = BudgetSettings(daily_limit_nanos=DOLLAR, weekly_limit_nanos=DOLLAR, monthly_limit_nanos=DOLLAR,
                                  timezone=zone_name)
        current = repo.current_periods(settings, now=NOW)
        full = [s for s in repo.budget_status(settings, now=NOW)]
        assert _figures(current) == _figures(full)
        reservation = repo.reserve_run(pending(1), settings, now=NOW)
        assert [s.reserved_nanos for s in reservation.periods] == [s.reserved_nanos + 1 for s in current]
        repo.settle_run(reservation.run_id, Usage(), cost(0), "completed", finished_at=NOW)
    assert repo.current_periods(None) == [] and repo.current_periods(BudgetSettings(timezone="UTC")) == []


def test_settling_with_alerts_records_the_crossed_thresholds_in_the_same_call_once(repo):
    settings = BudgetSettings(daily_limit_nanos=1_000, thresholds=(50, 90), timezone="UTC")
    reservation = repo.reserve_run(pending(600), settings, now=NOW)
    record, alerts = repo.settle_run_with_alerts(reservation.run_id, Usage(input_tokens=5), cost(600), "completed",
                                                 settings, finished_at=NOW)
    assert record.status == "completed" and record.cost_nanos == 600
    assert [(a.period_kind, a.threshold, a.spent_nanos) for a in alerts] == [("daily", 50, 600)]
    reservation = repo.reserve_run(pending(300), settings, now=NOW)
    _, alerts = repo.settle_run_with_alerts(reservation.run_id, Usage(), cost(300), "completed", settings,
                                            finished_at=NOW)
    assert [a.threshold for a in alerts] == [90]  # 50 % was raised already
    assert sorted(a.threshold for a in repo.alerts()) == [50, 90]
    again = repo.settle_run_with_alerts(reservation.run_id, Usage(), cost(999), "completed", settings,
                                        finished_at=NOW)
    assert again[0].cost_nanos == 300 and again[1] == []  # settled once: never counted twice


def test_a_read_inside_an_open_write_on_the_same_thread_gets_its_own_connection(repo):
    run_once(repo, 42, created_at=NOW)
    with repo.db.raw_write() as conn:
        conn.execute("UPDATE budget SET mode = 'warn'")  # nothing there: just holds the write lock
        assert repo.get_run(repo.recent_runs(1)[0].id).cost_nanos == 42
    assert repo.total_spend().cost_nanos == 42


def _child_records_a_run(path: str, done) -> None:  # runs in a forked child
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(path)
    run_once(repo, 7, created_at=NOW)
    done.put(repo.total_spend().cost_nanos)


def test_a_forked_child_opens_its_own_connections_and_the_parent_keeps_working(repo):
    run_once(repo, 5, created_at=NOW)  # the parent's thread connection is open
    context = multiprocessing.get_context("fork")
    done = context.Queue()
    child = context.Process(target=_child_records_a_run, args=(str(repo.path), done))
    child.start()
    assert done.get(timeout=60) == 12
    child.join(timeout=60)
    assert child.exitcode == 0
    run_once(repo, 1, created_at=NOW)
    assert repo.total_spend().cost_nanos == 13 and repo.count_runs() == 3


def _open_files(path) -> int:
    import os

    fds = os.listdir("/proc/self/fd")
    return sum(1 for fd in fds if os.path.realpath(f"/proc/self/fd/{fd}").startswith(str(path)))


def test_threads_that_end_leave_no_open_files_behind(repo):
    def work():
        run_once(repo, 1, created_at=NOW)

    work()
    before = _open_files(repo.path)
    for _ in range(20):  # app workers: a thread per job, each with its own connection while it runs
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    work()
    assert _open_files(repo.path) <= before + 3 and repo.total_spend().runs == 22
