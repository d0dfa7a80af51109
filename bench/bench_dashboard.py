"""The usage dashboard at 1K / 100K / 1M runs (quick: 1K / 20K), headless Textual, in one app (sizes alternate).

- open to painted: from pushing the screen to the first frame that holds its data (the overview's cards, charts,
  forecast and tables, and the first page of activity), beside the same at 1K runs (its cost must not grow
  with history). A frame is taken when Textual hands it to the driver (App._display: the frame is composed by
  then), so the figure is what a user waits for, not a partial paint and not the idle wait after it;
- open to settled: until the recommendations and the panes below the fold are filled in and the process is
  idle (Pilot's pause: it waits for the CPU to go quiet);
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


def open_context(home: str) -> Any:
    """The services of a history as the app has them once started: the database open, the prices loaded."""
    from promptlab_tui.services.context import ServiceContext
    from promptlab_tui.store.repository import HistoryRepository

    context = ServiceContext(repository=HistoryRepository(Path(home) / "promptlab.db"))
    context.budget_settings()
    context.pricing  # noqa: B018 - loaded now, as the app loads it after its first frame
    return context


def _bench_app(home: str, now: datetime | None = None) -> Any:
    from textual.app import App

    class DashboardOnly(App):
        CSS_PATH = str(Path(__import__("promptlab_tui").__file__).with_name("app.tcss"))

        def __init__(self) -> None:
            super().__init__()
            self.use_history(open_context(home), now)

        def use_history(self, context: Any, now: datetime | None) -> None:
            """Point the app at another history's open services (between rounds: the sizes alternate)."""
            self.services = context
            self.now = (lambda: now) if now is not None else None  # the history's end: the same periods always

    return DashboardOnly()


async def _frame_with_data(frames: list[tuple[float, bool]], limit_s: float = 60.0) -> float:
    """When the first frame with the data was composed (waits without forcing paints, as Pilot's pause would)."""
    start = time.perf_counter()
    while not any(with_data for _, with_data in frames):
        if time.perf_counter() - start > limit_s:
            raise TimeoutError("the dashboard did not paint its data")
        await asyncio.sleep(0.001)
    return next(when for when, with_data in frames if with_data)


async def _until(pilot: Any, done: Any, limit_s: float = 60.0) -> None:
    start = time.perf_counter()
    while not done():
        if time.perf_counter() - start > limit_s:
            raise TimeoutError("the dashboard did not finish loading")
        await pilot.pause(0.001)


async def _quiet(pilot: Any) -> None:
    """Each open starts from a quiet app, as a user's f6 does: the last round's workers done, its garbage
    collected (a collection landing inside one open would add tens of ms to that open only)."""
    import gc

    while any(worker.is_running for worker in pilot.app.workers):
        await asyncio.sleep(0.01)
    gc.collect()
    await pilot.pause()


def _has_data(screen: Any) -> bool:
    """The overview and the first page of activity are in the screen's widgets (handled, so drawn in this frame).

    After `g`, `busy` holds until the new grouping's overview is handled."""
    return screen.view is not None and not screen.busy and bool(screen.activity_ids)


async def _measure_screens(histories: dict[int, tuple[str, datetime]], repeat: int) -> dict[int, dict[str, list]]:
    """Open, settle and switch the group on each history in turn, round after round, in one app: the sizes
    alternate, so each one's median is of rounds under the same conditions."""
    from promptlab_tui.screens.dashboard.dashboard_screen import DashboardScreen

    first_home, first_end = next(iter(histories.values()))
    app = _bench_app(first_home, first_end)
    contexts = {n: app.services if home == first_home else open_context(home) for n, (home, _) in histories.items()}
    out: dict[int, dict[str, list]] = {n: {"open": [], "settled": [], "advice": [], "switch": []} for n in histories}
    frames: list[tuple[float, bool]] = []  # (when, the screen's data was in it)
    stale: list[Any] = [None]  # the view before a group switch: a frame showing it is not the new data
    display = app._display

    def timed_display(screen: Any, renderable: Any) -> None:
        if renderable is not None and isinstance(screen, DashboardScreen):
            frames.append((time.perf_counter(), _has_data(screen) and screen.view is not stale[0]))
        display(screen, renderable)

    app._display = timed_display  # the moment each frame is composed and handed to the terminal
    async with app.run_test(size=(160, 48)) as pilot:
        for round_ in range(repeat + 1):  # the first round loads plotext and warms the caches: not counted
            for n, (home, end) in histories.items():
                app.use_history(contexts[n], end)
                figures = out[n]
                await _quiet(pilot)
                screen = DashboardScreen("month")
                stale[0] = None
                frames.clear()
                start = time.perf_counter()
                app.push_screen(screen)
                opened = await _frame_with_data(frames) - start
                await _until(pilot, lambda: screen.recommendations is not None)  # every history here has some
                advice = time.perf_counter() - start
                await pilot.pause()
                settled = time.perf_counter() - start
                await _quiet(pilot)  # a switch from the settled screen: the panes' workers done
                stale[0] = screen.view
                frames.clear()
                start = time.perf_counter()
                await pilot.press("g")
                switched = await _frame_with_data(frames) - start
                app.pop_screen()
                await pilot.pause()
                if round_:
                    for name, value in (("open", opened), ("advice", advice), ("settled", settled),
                                        ("switch", switched)):
                        figures[name].append(value * 1000)
    for context in contexts.values():
        context.close()
    return out


def _measure(sizes: tuple[int, ...], quick: bool) -> dict[int, dict[str, float]]:
    import os

    from bench.synthetic import TIME_ZONE, cached_fill
    from promptlab_tui.services.context import ServiceContext
    from promptlab_tui.services.dashboard import DashboardService
    from promptlab_tui.services.dashboard_activity import ActivityQuery
    from promptlab_tui.store.repository import HistoryRepository

    # The synthetic users work in Europe/Berlin and keep their rollup in that zone, their machine's.
    os.environ["TZ"] = TIME_ZONE
    repeat = 3 if quick else 5
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="promptlab-dashboard-") as root:
        histories = {}
        for n in sizes:
            home = str(Path(root) / _label(n))
            histories[n] = (home, cached_fill(n, home))  # a private copy of the cached history; its end is the clock
        measured = asyncio.run(_measure_screens(histories, repeat))
        for n, (home, end) in histories.items():
            figures = {name: statistics.median(values) for name, values in measured[n].items()}
            repo = HistoryRepository(Path(home) / "promptlab.db").open()
            try:
                service = DashboardService(ServiceContext(repository=repo), clock=lambda: end)
                figures["page"] = median_ms(lambda: service.activity(ActivityQuery(limit=50)), repeat * 4)
                figures["page_baseline"] = median_ms(lambda: repo.recent_runs(50), repeat * 4)
            finally:
                repo.close()
            results[n] = figures
    return results


def run(quick: bool) -> list[dict]:
    rows: list[dict] = []
    sizes = SIZES_QUICK if quick else SIZES_FULL
    try:
        results = _measure(sizes, quick)
    except Exception as error:  # noqa: BLE001 - shown in the table
        return [row(GROUP, "dashboard", None, "ms", note=describe(error))]
    base = results.get(sizes[0])
    for n, figures in results.items():
        size = _label(n)
        last = n == sizes[-1]
        rows.append(row(GROUP, f"{size}: open to painted (cards, 4 charts, tables)", figures["open"], "ms",
                        baseline_name=f"same at {_label(sizes[0])} runs", baseline=base["open"] if base else None,
                        target="<= 1.2x and < 200 ms" if last else None,
                        met=(figures["open"] <= 1.2 * base["open"] and figures["open"] < 200) if last and base else None,
                        note="headless Textual 160x48, median"))
        rows.append(row(GROUP, f"{size}: open to settled (recommendations, panes below the fold, idle)",
                        figures["settled"], "ms", baseline_name=f"same at {_label(sizes[0])} runs",
                        baseline=base["settled"] if base else None, note="Pilot pause: until the CPU is quiet"))
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
