"""Run tracking overhead: the same run through `services.runner.RunService` with tracking on and off.

On: plan against the budget, reserve the worst case in the ledger, checkpoint, settle, update the
rollup and check the alert thresholds, in a history that already holds synthetic runs and a monthly
budget. Off: `RunService(tracking=False)`, nothing read or written. Both stream the same reply from
the fake provider server on 127.0.0.1 through the real OpenAI SDK; on and off runs alternate, so
drift on the machine falls on both alike. The reply streams a word every 50 ms for longer than the
runner's checkpoint interval (1 s), so every tracked run writes checkpoints, as a real run does; the
note counts them, and gives the time spent inside the store's calls, measured directly.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from typing import Any

from bench.harness import row

GROUP = "run tracking"
TARGET_MS = 2.0
CHUNK_DELAY_S = 0.05
STORE_CALLS = ("reserve_run", "checkpoint_run", "settle_run", "settle_run_with_alerts")


class StoreCallTimer:
    """Wraps the repository's ledger calls on one instance: how often each ran, and their total time."""

    def __init__(self, repository: Any) -> None:
        self.calls: dict[str, int] = {name: 0 for name in STORE_CALLS}
        self.ms = 0.0
        for name in STORE_CALLS:
            setattr(repository, name, self._timed(name, getattr(repository, name)))

    def _timed(self, name: str, method: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.ms += (time.perf_counter() - start) * 1000
                self.calls[name] += 1
        return wrapper


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _timed(service: Any, prompt: Any) -> float:
    start = time.perf_counter()
    outcome = service.run(prompt)
    elapsed = (time.perf_counter() - start) * 1000
    if not outcome.ok:
        raise RuntimeError(f"the benchmark run failed: {getattr(outcome, 'error', outcome)}")
    return elapsed


def run(quick: bool) -> list[dict]:
    # words streamed per run: 1.1 s (one checkpoint) in quick mode, 2.1 s (two) in full mode
    return measure(*((3, 10_000, 22) if quick else (12, 100_000, 42)))


def measure(runs: int, history: int, words: int) -> list[dict]:
    """`runs` tracked and untracked runs each, alternating, in a home holding `history` synthetic runs."""
    from tests.fakeprovider.server import FakeProviderServer

    from promptlab_tui import paths
    from promptlab_tui.core.budget import BudgetSettings
    from promptlab_tui.core.types import ChatMessage, PromptSpec
    from promptlab_tui.services.runner import RunService
    from promptlab_tui.store.repository import HistoryRepository
    from tests.fakeprovider.behaviours import Behaviour

    from bench.synthetic import TIME_ZONE, fill_home

    with tempfile.TemporaryDirectory(prefix="promptlab-tracking-") as home, FakeProviderServer() as server:
        os.environ.update(server.env("sk-test-bench"))
        os.environ["PROMPTLAB_HOME"] = home
        paths.set_home(None)
        fill_home(history, home)
        repo = HistoryRepository(paths.app_paths().database)
        repo.save_budget(BudgetSettings(monthly_limit_nanos=10**15, daily_limit_nanos=10**14, timezone=TIME_ZONE))
        repo.close()

        prompt = PromptSpec([ChatMessage("system", "You are terse."), ChatMessage("user", "Say hello.")],
                            model="gpt-4o-mini", max_tokens=256, name="bench-hello")
        tracked, untracked = RunService(tracking=True), RunService(tracking=False)
        tracked.settle_orphans()
        for _ in range(5):  # warm-up: SDK import, pricing, vocabulary, connections
            _timed(tracked, prompt)
            _timed(untracked, prompt)
        server.default = Behaviour.slow(CHUNK_DELAY_S, " ".join(["word"] * words))
        timer = StoreCallTimer(tracked.context.repository)
        on: list[float] = []
        off: list[float] = []
        for i in range(runs):
            pair = [(tracked, on), (untracked, off)]
            for service, samples in pair if i % 2 else reversed(pair):
                samples.append(_timed(service, prompt))

        recorded = HistoryRepository(paths.app_paths().database).count_runs() - history
        median_on, median_off = statistics.median(on), statistics.median(off)
        difference = median_on - median_off
        checkpoints = timer.calls["checkpoint_run"] / runs
        if checkpoints < 1:
            raise RuntimeError(f"the tracked runs wrote {checkpoints:.1f} checkpoints each: the stream is too short")
        spread = (f"p90 {_percentile(on, 0.9):,.1f} vs {_percentile(off, 0.9):,.1f} ms; {runs} runs each, "
                  f"alternating, {words} words streamed at one per {CHUNK_DELAY_S * 1000:.0f} ms; "
                  f"{checkpoints:.1f} checkpoints per tracked run; history of {history:,} runs + budget; "
                  f"{recorded} runs recorded")
        return [
            row(GROUP, "a run with tracking (fake server, gpt-4o-mini, streamed)", median_on, "ms",
                baseline_name="same run, tracking off", baseline=median_off, note=spread),
            row(GROUP, "tracking overhead per run (on − off, medians)", difference, "ms",
                target=f"< {TARGET_MS:g} ms", met=difference < TARGET_MS,
                note=f"{median_on:,.1f} − {median_off:,.1f} ms; plan vs budget, reserve, checkpoint, settle, "
                     f"rollup, alerts (SQLite WAL); inside the store's calls: {timer.ms / runs:.2f} ms per run "
                     f"({checkpoints:.1f} checkpoints)"),
        ]
