"""The usage dashboard at 1K / 100K / 1M runs (quick: 1K / 20K), headless Textual, in one process.

- open to painted: from pushing the screen to its cards, charts and tables on screen (overview and first
  page of activity loaded, one refresh), beside the same at 1K runs (its cost must not grow with history);
  then to the recommendations shown (they follow in the same worker);
- a group switch (`g`) to painted, beside the same at 1K;
- a page of recent activity (DashboardService.activity, 50 runs, keyset), beside the store's own page of
  the history list (HistoryRepository.recent_runs(50)) on the same file.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.harness import describe, median_ms, row

GROUP = "dashboard"
SIZES_FULL = (1_000, 100_000, 1_000_000)
SIZES_QUICK = (1_000, 20_000)


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}K"


def _bench_app(home: str, now: datetime | None = None) -> Any:
    from textual.app import App

    from promptlab_tui.services.context import ServiceContext
    from promptlab_tui.store.repository import HistoryRepository

    class DashboardOnly(App):
        CSS_PATH = str(Path(__import__("promptlab_tui").__file__).with_name("app.tcss"))

        def __init__(self) -> None:
            super().__init__()
            self.services = ServiceContext(repository=HistoryRepository(Path(home) / "promptlab.db"))
            self.now = (lambda: now) if now is not None else None  # the history's end: the same periods always

    return DashboardOnly()


async def _until(pilot: Any, done: Any, limit_s: float = 60.0) -> None:
    start = time.perf_counter()
    while not done():
        if time.perf_counter() - start > limit_s:
            raise TimeoutError("the dashboard did not finish loading")
        await pilot.pause(0.001)
    await pilot.pause()  # one refresh: painted


async def _measure_screen(home: str, repeat: int,
                          now: datetime | None = None) -> tuple[list[float], list[float], list[float]]:
    from promptlab_tui.screens.dashboard.dashboard_screen import DashboardScreen

    app = _bench_app(home, now)
    opens, switches, advice = [], [], []
    async with app.run_test(size=(160, 48)) as pilot:
        for _ in range(repeat + 1):
            screen = DashboardScreen("month")
            start = time.perf_counter()
            app.push_screen(screen)
            # painted: the figures and charts (the overview) and the first page of activity; the recommendations
            # follow in the same worker and are timed on their own
            await _until(pilot, lambda: screen.view is not None and bool(screen.activity_ids))
            opens.append((time.perf_counter() - start) * 1000)
            await _until(pilot, lambda: screen.recommendations is not None or not any(
                w.is_running for w in app.workers if w.group == "dashboard"))
            advice.append((time.perf_counter() - start) * 1000)
            before = screen.view
            start = time.perf_counter()
            await pilot.press("g")
            await _until(pilot, lambda: screen.view is not before and not screen.busy)
            switches.append((time.perf_counter() - start) * 1000)
            app.pop_screen()
            await pilot.pause()
    app.services.close()
    return opens[1:], switches[1:], advice[1:]  # the first round loads plotext and warms the caches


def _measure_size(n: int, quick: bool) -> dict[str, float]:
    from bench.synthetic import cached_fill
    from promptlab_tui.services.context import ServiceContext
    from promptlab_tui.services.dashboard import DashboardService
    from promptlab_tui.services.dashboard_activity import ActivityQuery
    from promptlab_tui.store.repository import HistoryRepository

    repeat = 3 if quick else 5
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix=f"promptlab-dashboard-{_label(n)}-") as home:
        end = cached_fill(n, home)  # a private copy of the cached history; its end is the clock
        opens, switches, advice = asyncio.run(_measure_screen(home, repeat, end))
        figures["open"] = statistics.median(opens)
        figures["advice"] = statistics.median(advice)
        figures["switch"] = statistics.median(switches)
        repo = HistoryRepository(Path(home) / "promptlab.db").open()
        try:
            service = DashboardService(ServiceContext(repository=repo), clock=lambda: end)
            figures["page"] = median_ms(lambda: service.activity(ActivityQuery(limit=50)), repeat * 4)
            figures["page_baseline"] = median_ms(lambda: repo.recent_runs(50), repeat * 4)
        finally:
            repo.close()
    return figures


def run(quick: bool) -> list[dict]:
    rows: list[dict] = []
    sizes = SIZES_QUICK if quick else SIZES_FULL
    results: dict[int, dict[str, float]] = {}
    for n in sizes:
        try:
            results[n] = _measure_size(n, quick)
        except Exception as error:  # noqa: BLE001 - shown in the table
            rows.append(row(GROUP, _label(n), None, "ms", note=describe(error)))
    base = results.get(sizes[0])
    for n, figures in results.items():
        size = _label(n)
        last = n == sizes[-1]
        rows.append(row(GROUP, f"{size}: open to painted (cards, 4 charts, tables)", figures["open"], "ms",
                        baseline_name=f"same at {_label(sizes[0])} runs", baseline=base["open"] if base else None,
                        target="<= 1.2x and < 200 ms" if last else None,
                        met=(figures["open"] <= 1.2 * base["open"] and figures["open"] < 200) if last and base else None,
                        note="headless Textual 160x48, median"))
        rows.append(row(GROUP, f"{size}: group switch (g) to painted", figures["switch"], "ms",
                        baseline_name=f"same at {_label(sizes[0])} runs", baseline=base["switch"] if base else None,
                        target="< 100 ms", met=figures["switch"] < 100))
        rows.append(row(GROUP, f"{size}: open to recommendations shown", figures["advice"], "ms",
                        baseline_name=f"same at {_label(sizes[0])} runs", baseline=base["advice"] if base else None,
                        note="overview first, then the recommendations (raw runs of the period)"))
        rows.append(row(GROUP, f"{size}: a page of recent activity (50 runs)", figures["page"], "ms",
                        baseline_name="HistoryRepository.recent_runs(50)", baseline=figures["page_baseline"],
                        target="< 20 ms", met=figures["page"] < 20))
    return rows
