"""The dashboard's FOCUS export (`x`, `3`) shows a real percentage: its bar counts the period's runs read (FOCUS
writes up to five lines a run, so its lines are not the total), and `x` still cancels it half way."""

from __future__ import annotations

import threading

from tests.app.conftest import settle
from tests.app.test_dashboard import dash_home, dashboard_of, open_dashboard, seed_history  # noqa: F401

PERIOD_RUNS = 25  # seed_history(runs=40): the runs that fall in the month the dashboard opens on


class HeldProgress:
    """Wraps the export's progress callback: the worker stops after each report until the test lets it go on."""

    def __init__(self) -> None:
        self.arrived = threading.Semaphore(0)
        self.permits = threading.Semaphore(0)
        self.seen: list[int] = []

    def wrap(self, progress):  # type: ignore[no-untyped-def]
        def held(rows: int) -> None:
            if progress is not None:
                progress(rows)
            self.seen.append(rows)
            self.arrived.release()
            assert self.permits.acquire(timeout=10)

        return held

    async def next_report(self, pilot) -> None:  # type: ignore[no-untyped-def]
        for _ in range(1000):
            if self.arrived.acquire(blocking=False):
                await pilot.pause()  # the worker's ExportProgress message reaches the bar
                return
            await pilot.pause(0.01)
        raise AssertionError("the export reported no progress")


async def test_focus_export_shows_the_share_of_the_period_s_runs_read_and_x_cancels_it(make_app, dash_home,
                                                                                       monkeypatch):
    import promptlab_tui.services.export as export_service

    seed_history(dash_home, runs=40)
    monkeypatch.setattr(export_service, "BATCH", 5)  # five chunks of runs: five reports
    held = HeldProgress()
    real_export = export_service.export_to_file

    def held_export(repository, fmt, filters, path, progress=None, cancel=None):  # type: ignore[no-untyped-def]
        assert fmt == "focus"
        return real_export(repository, fmt, filters, path, held.wrap(progress), cancel)

    monkeypatch.setattr(export_service, "export_to_file", held_export)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dashboard(pilot)
        screen = dashboard_of(app)
        bar = screen.query_one("#dash-export")
        await pilot.press("x", "3")  # x asks for the format: 3 is FOCUS
        await held.next_report(pilot)
        assert not bar.has_class("-hidden")
        assert bar.total == PERIOD_RUNS and bar.progress == 5 and bar.percentage == 0.2  # not a pulsing bar
        assert "20%" in str(bar.query_one("PercentageStatus").render())
        held.permits.release()
        await held.next_report(pilot)
        assert bar.total == PERIOD_RUNS and bar.progress == 10 and bar.percentage == 0.4  # it advances
        assert "40%" in str(bar.query_one("PercentageStatus").render())
        await pilot.press("x")  # cancel, while the worker is between two chunks
        for _ in range(10):
            held.permits.release()  # let the worker go on: it sees the cancel before the next chunk
        await settle(pilot)
        assert held.seen == [5, 10]
        assert list((dash_home / "exports").iterdir()) == []  # neither the file nor a partial one
        assert bar.has_class("-hidden") and screen.export_cancel is None
        assert any("Export cancelled" in str(note.message) for note in app._notifications)


async def test_focus_export_runs_to_its_total_and_writes_the_file(make_app, dash_home, monkeypatch):
    import promptlab_tui.services.export as export_service

    seed_history(dash_home, runs=40)
    monkeypatch.setattr(export_service, "BATCH", 5)
    totals: list[tuple[int, int | None]] = []
    real_export = export_service.export_to_file

    def watched_export(repository, fmt, filters, path, progress=None, cancel=None):  # type: ignore[no-untyped-def]
        def watched(rows: int) -> None:
            totals.append((rows, export_service.rows_to_export(repository, fmt, filters)))
            if progress is not None:
                progress(rows)

        return real_export(repository, fmt, filters, path, watched, cancel)

    monkeypatch.setattr(export_service, "export_to_file", watched_export)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dashboard(pilot)
        await pilot.press("x", "3")
        await settle(pilot)
        target = dash_home / "exports" / "promptlab-2026-03-01--2026-03-31-focus.csv"
        lines = target.read_text(encoding="utf-8").splitlines()
        assert len(lines) - 1 > PERIOD_RUNS  # more lines than runs: the bar could not count lines against runs
        assert totals == [(rows, PERIOD_RUNS) for rows in (5, 10, 15, 20, 25)]  # ends at 100 %
        assert any(f"Exported {len(lines) - 1:,} rows" in str(note.message) for note in app._notifications)
