"""History at 10K / 100K / 1M recorded runs: `promptlab history`, a page of runs, and report-style queries.

Baselines, measured in the same run on the same database:
- the CLI: `promptlab --version` (the process's fixed cost: interpreter, imports, no query);
- a page of runs and the reports: the same questions answered by plain SQL (sqlite3, no store code)
  on the same `run` table with its own indexes, as a store without a rollup would ask them; the page
  is `SELECT * … ORDER BY created_at DESC, id DESC LIMIT 50`, which the table's index serves.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from bench.harness import describe, median_ms, row
from bench.synthetic import TIME_ZONE

UTC = timezone.utc
SIZES_FULL = (10_000, 100_000, 1_000_000)
SIZES_QUICK = (10_000,)
GROUP = "history"
PLAIN_SQL = "plain SQL, indexed table"


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}K"


def promptlab_cmd() -> list[str]:
    script = Path(sys.executable).with_name("promptlab")
    return [str(script)] if script.exists() else [sys.executable, "-m", "promptlab_tui"]


def _cli_ms(args: list[str], env: dict[str, str], repeat: int) -> tuple[float, str]:
    samples, out = [], ""
    for i in range(repeat + 1):  # the first start is a warm-up (bytecode, page cache)
        start = time.perf_counter()
        proc = subprocess.run(promptlab_cmd() + args, env=env, capture_output=True, text=True, timeout=120)
        elapsed = (time.perf_counter() - start) * 1000
        if proc.returncode != 0:
            raise RuntimeError(f"promptlab {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
        out = proc.stdout
        if i:
            samples.append(elapsed)
    return statistics.median(samples), out


# --- the report questions, through the repository (SQL GROUP BY over the per-day rollups) -------------

def report_queries(repo: Any, now: datetime) -> dict[str, Callable[[], Any]]:
    from promptlab_tui.core.budget import BudgetSettings, day_bounds, period_bounds, zone

    settings = BudgetSettings(monthly_limit_nanos=100 * 10**9, timezone=TIME_ZONE)
    month_start, _ = period_bounds("monthly", now, TIME_ZONE)
    today = now.astimezone(zone(TIME_ZONE)).date()
    _, tomorrow = day_bounds(today, TIME_ZONE)
    days30, _ = day_bounds(today - timedelta(days=29), TIME_ZONE)  # 30 whole local days, today included

    def spend_this_month() -> int:
        return next(s for s in repo.budget_status(settings, now) if s.kind == "monthly").spent_nanos

    return {"spend this month": spend_this_month,
            "by model": lambda: repo.spend_by_model(month_start, tomorrow),
            "by day": lambda: repo.spend_by_day(days30, tomorrow),
            "top prompts": lambda: repo.top_prompts(days30, tomorrow, 10)}


def _check_by_model(ours: list, raw: list) -> None:
    """The report equals the full scan's answer (exact nanos), so the speed is not bought with a wrong figure."""
    expected = {(provider, model): cost or 0 for provider, model, cost in raw}
    got = {(group.provider, group.key): group.cost_nanos for group in ours}
    if got != expected:
        raise RuntimeError(f"spend by model differs from the raw rows: {got} != {expected}")


def _check_page(ours: list, raw: list) -> None:
    """The page holds the same runs in the same order as the plain SQL's."""
    if [r.id for r in ours] != [r[0] for r in raw]:
        raise RuntimeError("the history page differs from the plain SQL's page")


def raw_sql(now: datetime) -> dict[str, tuple[str, tuple]]:
    """The same four questions and the page as plain SQL on the raw table, which keeps its indexes
    (local days by the zone's current offset): name -> (sql, params)."""
    from zoneinfo import ZoneInfo

    from promptlab_tui.core.budget import period_bounds
    from promptlab_tui.store.codec import to_db

    month_start = to_db(period_bounds("monthly", now, TIME_ZONE)[0])
    since = to_db(now - timedelta(days=30))
    offset_h = int(now.astimezone(ZoneInfo(TIME_ZONE)).utcoffset().total_seconds() // 3600)
    scan = "FROM run WHERE status != 'pending' AND created_at >= ?"
    return {
        "spend this month": (f"SELECT SUM(cost_nanos), SUM(cost_nanos IS NULL) {scan}", (month_start,)),
        "by model": (f"SELECT provider, model, SUM(cost_nanos) {scan} GROUP BY provider, model", (month_start,)),
        "by day": (f"SELECT date(created_at, '{offset_h:+d} hours') AS d, SUM(cost_nanos) {scan} GROUP BY d",
                   (since,)),
        "top prompts": (f"SELECT prompt_name, SUM(cost_nanos) AS c {scan} GROUP BY prompt_name "
                        "ORDER BY c DESC LIMIT 10", (since,)),
        "_page": ("SELECT * FROM run ORDER BY created_at DESC, id DESC LIMIT 50", ()),
    }


def raw_queries(db_path: Path, now: datetime) -> dict[str, Callable[[], Any]]:
    """`raw_sql` as callables on a plain sqlite3 connection."""
    import sqlite3

    conn = sqlite3.connect(db_path)

    def q(sql: str, params: tuple) -> Callable[[], Any]:
        return lambda: conn.execute(sql, params).fetchall()

    return {name: q(sql, params) for name, (sql, params) in raw_sql(now).items()}


def _measure_size(n: int, quick: bool) -> list[dict]:
    from promptlab_tui.store.repository import HistoryRepository

    from bench.synthetic import fill_home

    repeat = 3 if quick else 7
    rows: list[dict] = []
    size = _label(n)
    with tempfile.TemporaryDirectory(prefix=f"promptlab-history-{size}-") as home:
        now = datetime.now(UTC)
        report = fill_home(n, home, end=now)
        rows.append(row(GROUP, f"{size}: generate + bulk insert + rollup", report.seconds * 1000, "ms",
                        note=f"{n / report.seconds:,.0f} runs/s (SQLAlchemy Core executemany); "
                             f"{report.rollup_rows:,} rollup rows; "
                             f"{os.path.getsize(Path(home) / 'promptlab.db') / 1e6:,.0f} MB"))
        env = dict(os.environ, PROMPTLAB_HOME=home)

        try:
            base_ms, _ = _cli_ms(["--version"], env, repeat)
            cli_ms, out = _cli_ms(["history", "--limit", "50", "--json"], env, repeat)
            shown = len(json.loads(out).get("runs", []))
            rows.append(row(GROUP, f"{size}: `promptlab history --limit 50 --json`", cli_ms, "ms",
                            baseline_name="`promptlab --version`", baseline=base_ms,
                            note=f"whole process, median of {repeat}; {shown} runs printed"))
        except Exception as error:  # noqa: BLE001 - the other figures still count
            rows.append(row(GROUP, f"{size}: `promptlab history --limit 50 --json`", None, "ms",
                            note=describe(error)))

        repo = HistoryRepository(Path(home) / "promptlab.db").open()
        raw = raw_queries(repo.path, now)
        try:
            _check_page(repo.history_page(50), raw["_page"]())
            page_ms = median_ms(lambda: repo.history_page(50), repeat * 5)
            raw_page_ms = median_ms(raw["_page"], repeat * 5)
            rows.append(row(GROUP, f"{size}: a page of 50 runs (HistoryRepository.history_page)", page_ms, "ms",
                            baseline_name=PLAIN_SQL, baseline=raw_page_ms,
                            target="≤ plain indexed SQL", met=page_ms <= raw_page_ms,
                            note="keyset on (created_at, id), the history table's columns as records; "
                                 "baseline: `SELECT *` on the same index, tuples"))
            ours = report_queries(repo, now)
            _check_by_model(ours["by model"](), raw["by model"]())
            each = {name: median_ms(fn, repeat * 3) for name, fn in ours.items()}
            each_raw = {name: median_ms(raw[name], repeat) for name in ours}
            detail = ", ".join(f"{name} {each[name]:.2f} vs {each_raw[name]:.2f}" for name in ours)
            rows.append(row(GROUP, f"{size}: 4 report queries (budget status, by model, by day, top prompts)",
                            sum(each.values()), "ms", baseline_name=PLAIN_SQL,
                            baseline=sum(each_raw.values()), note=f"ms each: {detail}"))
        finally:
            repo.close()
    return rows


def run(quick: bool) -> list[dict]:
    rows: list[dict] = []
    for n in SIZES_QUICK if quick else SIZES_FULL:
        try:
            rows.extend(_measure_size(n, quick))
        except Exception as error:  # noqa: BLE001 - a size that fails still shows in the table
            rows.append(row(GROUP, f"{_label(n)}", None, "ms", note=describe(error)))
    return rows
