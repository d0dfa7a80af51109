"""Realistic synthetic run history, written straight into the project's database with bulk inserts.

Distributions: models by popularity (a Zipf tail over the priced models, plus a few unpriced ones),
prompt names and tags by popularity, token counts log-normal, costs computed exactly with the
project's own pricing (integer nanos), timestamps over ~6 months in working hours of one time zone,
and some errors, cancellations and interrupted runs. Seeded, so a size always gives the same history.

`python -m bench.synthetic N [--home DIR]` fills a PROMPTLAB_HOME for trying the app on big history.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator
from zoneinfo import ZoneInfo

from promptlab_tui.core.history import prompt_fingerprint

UTC = timezone.utc
TIME_ZONE = "Europe/Berlin"
DAYS = 182
# Most used first; models missing from the price table are skipped, the rest of the table follows.
POPULAR_MODELS = (
    "gpt-4o-mini", "gpt-4.1-mini", "claude-sonnet-4.5", "gpt-4o", "claude-3.5-haiku", "gpt-5-mini",
    "gpt-4.1", "claude-sonnet-4", "gemini-2.5-flash", "gpt-4.1-nano", "o4-mini", "gpt-5",
    "claude-haiku-4.5", "gemini-2.5-pro", "llama-3.1-8b", "claude-opus-4.1", "gpt-5.1", "gpt-3.5-turbo",
)
# (provider, model) that no price covers: local fine-tunes and new releases (about 1.5 % of runs).
UNPRICED = (("openai", "ft:gpt-4o-mini:acme:support:9x1"), ("openrouter", "mystery/model-preview"))
UNPRICED_SHARE = 0.015
PROMPT_WORDS = ("summarize", "classify", "extract", "translate", "rewrite", "review", "answer", "draft",
                "triage", "tag", "explain", "grade")
PROMPT_OBJECTS = ("ticket", "email", "invoice", "pr-diff", "changelog", "contract", "meeting-notes",
                  "support-chat", "sql-query", "release-notes", "bug-report", "resume")
TAGS = ("prod", "eval", "experiment", "customer-acme", "customer-globex", "batch", "nightly", "demo",
        "regression", "v2")
USERS = ("ana", "ben", "chen", "ci-bot")
MAX_TOKENS_CHOICES = (256, 512, 1024, 1024, 2048, 2048, 4096, 8192)
STATUS_WEIGHTS = (("completed", 0.955), ("error", 0.025), ("cancelled", 0.012), ("interrupted", 0.008))
REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")
# Where runs came from, by share (drawn from the run's id, so the seeded stream of everything else is unchanged).
SOURCES = (("lab", 55), ("run", 30), ("batch", 8), ("compare", 5), ("fallback", 2))


def _source_of(run_id: uuid.UUID) -> str:
    slot = run_id.int % 100
    for name, share in SOURCES:
        if slot < share:
            return name
        slot -= share
    return SOURCES[0][0]


@dataclass(frozen=True)
class ModelChoice:
    provider: str
    model: str
    price: Any  # ModelPrice or None (unpriced)
    context_window: int


CostFn = Callable[[Any, Any], Any]  # (ModelPrice, Usage) -> CostBreakdown


def model_choices(pricing: Any) -> list[ModelChoice]:
    """Priced models, most popular first (POPULAR_MODELS, then the rest of the table)."""
    prices = list(pricing.models())
    by_name = {p.model: p for p in prices}
    ordered = [by_name[m] for m in POPULAR_MODELS if m in by_name]
    # Legacy and local (free) models are rarely the bulk of a team's history: keep them, at the tail.
    ordered += sorted((p for p in prices if p not in ordered),
                      key=lambda p: (p.provider == "ollama", bool(getattr(p, "legacy", False))))
    return [ModelChoice(p.provider, p.model, p, int(getattr(p, "context_window", None) or 128_000))
            for p in ordered]


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1 / (rank ** s) for rank in range(1, n + 1)]


def _prompt_names(rng: random.Random) -> list[str]:
    names = [f"{w}-{o}" for w in PROMPT_WORDS for o in PROMPT_OBJECTS]
    rng.shuffle(names)
    return names[:60]


class HistoryGenerator:
    """Yields run rows (dicts named like `RunRecord`'s fields) in time order."""

    def __init__(self, pricing: Any, cost_fn: CostFn, usage_cls: Any, seed: int = 7,
                 end: datetime | None = None, tz: str = TIME_ZONE, days: int = DAYS) -> None:
        self.rng = random.Random(seed)
        self.pricing = pricing
        self._prices: dict[tuple, Any] = {}
        self._rates: dict[tuple, Any] = {}
        self.models = model_choices(pricing)
        if not self.models:
            raise ValueError("the price table has no models to generate runs for")
        self.model_weights = zipf_weights(len(self.models))
        self.prompt_names = _prompt_names(self.rng)
        self.prompt_weights = zipf_weights(len(self.prompt_names), 0.9)
        self.prompt_ids = {name: prompt_fingerprint(name) for name in self.prompt_names}
        self.cost_fn = cost_fn
        self.usage_cls = usage_cls
        self.tz = ZoneInfo(tz)
        self.end = (end or datetime.now(UTC)).astimezone(UTC)
        self.days = days

    def timestamps(self, n: int) -> list[datetime]:
        """n instants over the last `days`, weekdays and local working hours heavier, sorted."""
        rng, start_local = self.rng, (self.end - timedelta(days=self.days)).astimezone(self.tz)
        hour_weights = [0.2] * 7 + [1, 3, 5, 5, 4, 3, 5, 5, 4, 3, 2, 1.2] + [0.8] * 5
        out = []
        for _ in range(n):
            while True:
                day = rng.randrange(self.days + 1)
                local_day = start_local + timedelta(days=day)
                if local_day.weekday() < 5 or rng.random() < 0.25:
                    break
            hour = rng.choices(range(24), hour_weights)[0]
            local = local_day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60),
                                      microsecond=rng.randrange(1_000_000))
            instant = local.astimezone(UTC)
            out.append(min(instant, self.end))
        out.sort()
        return out

    def rows(self, n: int) -> Iterator[dict[str, Any]]:
        rng = self.rng
        for created in self.timestamps(n):
            if rng.random() < UNPRICED_SHARE:
                provider, model = rng.choice(UNPRICED)
                choice = ModelChoice(provider, model, None, 128_000)
            else:
                choice = rng.choices(self.models, self.model_weights)[0]
            yield self._one(created, choice)

    def _one(self, created: datetime, choice: ModelChoice) -> dict[str, Any]:
        rng = self.rng
        max_tokens = rng.choice(MAX_TOKENS_CHOICES)
        total_input = int(min(max(rng.lognormvariate(math.log(1400), 1.15), 8), choice.context_window * 0.9))
        output = int(min(max(rng.lognormvariate(math.log(320), 0.95), 1), max_tokens))
        status = rng.choices([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])[0]
        cached = 0
        if choice.provider in ("openai", "anthropic") and total_input > 1024 and rng.random() < 0.3:
            cached = int(total_input * rng.uniform(0.3, 0.9))
        cache_write = 0
        if choice.provider == "anthropic" and total_input - cached > 1024 and rng.random() < 0.1:
            cache_write = int((total_input - cached) * 0.8)
        input_tokens = total_input - cached - cache_write
        reasoning = int(output * rng.uniform(0.2, 0.7)) if choice.model.startswith(REASONING_PREFIXES) else 0
        estimated = False
        if status == "error":
            input_tokens = cached = cache_write = output = reasoning = 0
        elif status == "cancelled":
            output = int(output * rng.random())
        elif status == "interrupted":
            output, estimated = int(output * rng.random()), True
        usage = self.usage_cls(input_tokens=input_tokens, output_tokens=output, cached_input_tokens=cached,
                               cache_write_tokens=cache_write, reasoning_tokens=reasoning, estimated=estimated)
        price = self._price_at(choice, created)
        cost = self.cost_fn(price, usage) if price is not None else None
        duration = 0 if status == "error" else int(250 + output * rng.uniform(8, 25) + rng.expovariate(1 / 150))
        expected = self._estimate_cost(price, total_input, 320)
        worst = self._estimate_cost(price, total_input, max_tokens)
        prompt_name = rng.choices(self.prompt_names, self.prompt_weights)[0] if rng.random() < 0.9 else None
        tags = tuple(sorted(set(rng.sample(TAGS, rng.choice((0, 1, 1, 1, 2, 2, 3))))))
        finished = created + timedelta(milliseconds=duration)
        run_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        return {
            "id": str(run_id), "source": _source_of(run_id),
            "created_at": created, "started_at": created, "finished_at": finished, "status": status,
            "provider": choice.provider, "model": choice.model, "user": rng.choice(USERS),
            "session_id": None, "price_version": getattr(cost, "price_version", None) or _version(price),
            "prompt_name": prompt_name, "prompt_id": self.prompt_ids.get(prompt_name),
            "tags": tags, "max_tokens": max_tokens,
            "input_tokens": input_tokens, "output_tokens": output, "cached_input_tokens": cached,
            "cache_write_tokens": cache_write, "cache_write_1h_tokens": 0, "reasoning_tokens": reasoning,
            "usage_estimated": estimated,
            "estimate_input_tokens": total_input, "estimate_output_tokens": 320,
            "expected_cost_nanos": expected, "worst_cost_nanos": worst, "reserved_nanos": 0,
            "input_cost_nanos": getattr(cost, "input_nanos", None),
            "output_cost_nanos": getattr(cost, "output_nanos", None),
            "cached_input_cost_nanos": getattr(cost, "cached_input_nanos", None),
            "cache_write_cost_nanos": getattr(cost, "cache_write_nanos", None),
            "cost_nanos": cost.total_nanos if cost is not None else None,
            "provider_cost_nanos": None, "duration_ms": duration,
            "error": "429 rate limited: retried 3 times" if status == "error" else None,
            "pid": None, "hostname": "bench", "checkpoint_output_tokens": None, "checkpoint_at": None,
            "prompt_text": None, "response_text": None, "synced_at": None,
        }

    def _price_at(self, choice: ModelChoice, created: datetime) -> Any:
        """The price in effect on the run's day, so that old runs carry the price they were run at."""
        if choice.price is None:
            return None
        key = (choice.provider, choice.model, created.date())
        if key not in self._prices:
            self._prices[key] = self.pricing.resolve(choice.model, choice.provider, at=created) or choice.price
        return self._prices[key]

    def _estimate_cost(self, price: Any, input_tokens: int, output_tokens: int) -> int | None:
        """Cost of the estimate (input + output at the request's rates), exact, without building a Usage."""
        if price is None:
            return None
        long_context = getattr(price, "long_context", None)
        key = (price.version, long_context is not None and input_tokens > long_context.above)
        rates = self._rates.get(key)
        if rates is None:
            rates = self._rates[key] = _request_rates(price, input_tokens)
        return _token_cost(input_tokens, rates.input) + _token_cost(output_tokens, rates.output)


def _request_rates(price: Any, input_tokens: int) -> Any:
    from promptlab_tui.core.pricing_cost import request_rates

    return request_rates(price, "standard", input_tokens)


_NANOS_PER_TOKEN: dict[Any, int | None] = {}


def _token_cost(tokens: int, usd_per_million: Any) -> int:
    """token_cost_nanos, with integer arithmetic when the price is a whole number of nanos per token."""
    per_token = _NANOS_PER_TOKEN.get(usd_per_million, 0)
    if per_token == 0:
        exact = usd_per_million * 1000
        per_token = _NANOS_PER_TOKEN[usd_per_million] = int(exact) if exact == int(exact) else None
    if per_token is not None:
        return tokens * per_token
    from promptlab_tui.core.money import token_cost_nanos

    return token_cost_nanos(tokens, usd_per_million)


def _version(price: Any) -> str | None:
    return getattr(price, "version", None) if price is not None else None


# --- writing into the project's database ------------------------------------------------------------

@dataclass
class FillReport:
    runs: int
    rollup_rows: int
    cost_nanos: int  # sum over priced runs
    unpriced_runs: int
    seconds: float


def write_history(engine: Any, generator: HistoryGenerator, n: int, batch: int = 20_000,
                  rollup_tz: str | None = None) -> FillReport:
    """Bulk-insert n runs (SQLAlchemy Core executemany, one transaction), then rebuild the store's daily
    rollup from them with the store's own function, so its figures are exactly what the app would keep."""
    import json
    import time

    from sqlalchemy import insert

    from promptlab_tui.store import tables

    started = time.perf_counter()
    run_table = tables.RunRow.__table__
    columns = set(run_table.c.keys())
    cost = unpriced = 0
    with engine.begin() as conn:
        pending: list[dict[str, Any]] = []
        for run in generator.rows(n):
            cost += run["cost_nanos"] or 0
            unpriced += run["cost_nanos"] is None
            run = {k: v for k, v in run.items() if k in columns}
            run["tags"] = json.dumps(list(run["tags"])) if run.get("tags") else None
            pending.append(run)
            if len(pending) >= batch:
                conn.execute(insert(run_table), pending)
                pending = []
        if pending:
            conn.execute(insert(run_table), pending)
        rollup_rows = _rebuild_rollup(conn, rollup_tz or generator.tz.key)
    return FillReport(n, rollup_rows, cost, unpriced, time.perf_counter() - started)


def _rebuild_rollup(conn: Any, tz_name: str) -> int:
    try:
        from promptlab_tui.store.rollup import rebuild_rollup
    except ImportError:  # a store without a rollup: nothing to fill
        return 0
    rebuild_rollup(conn, tz_name)
    return int(conn.exec_driver_sql("SELECT COUNT(*) FROM daily_rollup").scalar() or 0)


def cost_function() -> CostFn:
    try:
        from promptlab_tui.core.pricing import cost_of_usage
    except ImportError:
        from promptlab_tui.core.pricing_cost import cost_of_usage
    return cost_of_usage


def fill_home(n: int, home: str | None = None, seed: int = 7, end: datetime | None = None,
              tz: str = TIME_ZONE) -> FillReport:
    """Write n synthetic runs into the history database of `home` (default: PROMPTLAB_HOME / the user's)."""
    from promptlab_tui import paths
    from promptlab_tui.core.pricing import load_pricing
    from promptlab_tui.core.types import Usage
    from promptlab_tui.store.database import Database

    app = (paths.AppPaths(Path(home), Path(home)) if home is not None else paths.app_paths()).ensure()
    database = Database(app.database)
    try:
        generator = HistoryGenerator(load_pricing(), cost_function(), Usage, seed=seed, end=end, tz=tz)
        return write_history(database.engine, generator, n, rollup_tz=tz)
    finally:
        database.dispose()


# --- a cache of filled databases (a 1M history takes minutes to generate; copying it takes seconds) -------

CACHE_ENV = "PROMPTLAB_BENCH_CACHE"


def cache_dir() -> Path:
    import os

    return Path(os.environ.get(CACHE_ENV) or "~/.cache/promptlab-bench").expanduser()


def _cache_key(n: int, seed: int, tz: str) -> str:
    """Size, seed, time zone, schema version, and a hash of what shapes the rows (this file, the price table)."""
    import hashlib

    from promptlab_tui.store.migrations import SCHEMA_VERSION

    digest = hashlib.sha256(Path(__file__).read_bytes())
    pricing = Path(__file__).resolve().parents[1] / "pricing.toml"
    if pricing.is_file():
        digest.update(pricing.read_bytes())
    return f"runs{n}-seed{seed}-{tz.replace('/', '_')}-schema{SCHEMA_VERSION}-{digest.hexdigest()[:12]}"


def cached_fill(n: int, home: str, seed: int = 7, tz: str = TIME_ZONE) -> datetime:
    """Fill `home` with a private copy of the cached history of (n, seed, tz, schema); returns the history's end.

    The first call for a key generates it (fill_home, ending now) under the cache folder; later calls copy the
    file, so a bench may write to its copy. Callers use the returned end as their clock, so the periods they
    measure hold the same runs whenever the cache was built.
    """
    import json
    import os
    import shutil
    import sqlite3

    folder = cache_dir() / _cache_key(n, seed, tz)
    meta = folder / "history.json"
    if not meta.is_file():
        building = folder.with_name(folder.name + f".building-{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True, mode=0o700)
        end = datetime.now(UTC).replace(microsecond=0)
        fill_home(n, str(building), seed=seed, end=end, tz=tz)
        conn = sqlite3.connect(building / "promptlab.db")  # fold any WAL into the file: one file to copy
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        (building / "history.json").write_text(json.dumps({"runs": n, "seed": seed, "tz": tz, "end": end.isoformat()}))
        try:
            building.rename(folder)
        except OSError:  # another process built it meanwhile: use theirs
            shutil.rmtree(building, ignore_errors=True)
    target = Path(home)
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    for item in folder.iterdir():
        if item.name.startswith("promptlab.db"):
            shutil.copyfile(item, target / item.name)
            os.chmod(target / item.name, 0o600)
    return datetime.fromisoformat(json.loads(meta.read_text())["end"])


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.synthetic", description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", type=int, help="how many runs to add (e.g. 100000)")
    parser.add_argument("--home", help="PROMPTLAB_HOME to fill (default: the environment's)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tz", default=TIME_ZONE, help=f"time zone of the users' working hours ({TIME_ZONE})")
    args = parser.parse_args(argv)
    report = fill_home(args.runs, args.home, args.seed, tz=args.tz)
    print(f"added {report.runs:,} runs ({report.unpriced_runs:,} without a price, {report.rollup_rows:,} "
          f"rollup rows) in {report.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
