"""Team server on a throwaway PostgreSQL (started here, like the tests): ingest throughput and reservation latency.

Ingest: the same synthetic runs pushed through the API (`POST /v1/runs/batch`, batches of 500, one
uvicorn process, keep-alive) against a plain psycopg `executemany` of the same rows into the same
table, in the same run (target: ≥ 1/3 of it and ≥ 5,000 runs/s on a quiet machine).
Reservations: 50 concurrent clients (asyncio, one connection each) over two server processes, each
reserving the worst case of a run on a hard team budget (the lock path), running it (RUN_S, a short
provider call) and releasing, over and over; the baseline is `GET /healthz` in the same loop, i.e. the
HTTP floor (target: p99 < 50 ms). A second pair of rows has no run between the calls: 50 clients
hammering the server back to back, where latency is queueing (Little's law: clients / throughput), so
its figure is the throughput, reported with its p99 and no target.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from bench.harness import row

GROUP = "team server (PostgreSQL)"


def _runs(count: int) -> list[dict[str, Any]]:
    start = datetime.now(timezone.utc) - timedelta(days=1)
    return [{"id": uuid.uuid4().hex, "created_at": (start + timedelta(seconds=i)).isoformat(), "provider": "openai",
             "model": ("gpt-4o-mini", "gpt-4o", "claude-sonnet-4")[i % 3], "prompt_name": f"prompt-{i % 40}",
             "tags": ["bench"], "status": "completed", "input_tokens": 1200 + i % 300, "output_tokens": 300 + i % 90,
             "cost_nanos": 180_000 + i, "duration_ms": 900 + i % 500} for i in range(count)]


def _executemany(dsn: str, team_id: int, member_id: int, runs: list[dict[str, Any]]) -> float:
    import json

    import psycopg

    rows = [(team_id, "x" + r["id"], member_id, r["created_at"], r["provider"], r["model"], r["prompt_name"],
             json.dumps(r["tags"]), r["status"], r["input_tokens"], r["output_tokens"], r["cost_nanos"],
             r["duration_ms"]) for r in runs]
    with psycopg.connect(dsn) as connection:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for i in range(0, len(rows), 500):  # the same batch size, one commit per batch
                cursor.executemany(
                    "INSERT INTO run (team_id, id, member_id, created_at, provider, model, prompt_name, tags, status, "
                    "input_tokens, output_tokens, cost_nanos, duration_ms, updated_at) VALUES "
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now())", rows[i:i + 500])
                connection.commit()
        return time.perf_counter() - started


def _push(base: str, token: str, runs: list[dict[str, Any]]) -> float:
    import httpx

    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        client.get("/v1/me")
        started = time.perf_counter()
        for i in range(0, len(runs), 500):
            response = client.post("/v1/runs/batch", json={"runs": runs[i:i + 500]})
            response.raise_for_status()
        return time.perf_counter() - started


RUN_S = 1.0  # the provider call between reserve and release (real calls take 1-30 s: as dense as it gets)


async def _latencies(bases: list[str], token: str, clients: int, rounds: int, reserve: bool,
                     run_s: float = RUN_S) -> tuple[list[float], float]:
    """Round-trip times of the reservations (or /healthz) in ms, and the rate they were served at per second."""
    import httpx

    samples: list[float] = []
    barrier = asyncio.Barrier(clients)
    began: list[float] = []

    async def client(i: int) -> None:
        async with httpx.AsyncClient(base_url=bases[i % len(bases)], timeout=60,
                                     headers={"Authorization": f"Bearer {token}"}) as http:
            await http.get("/healthz")
            await barrier.wait()
            began.append(time.perf_counter())
            await asyncio.sleep(run_s * i / clients)  # clients start spread over one run, as real ones do
            for _ in range(rounds):
                run_id = uuid.uuid4().hex
                started = time.perf_counter()
                if reserve:
                    response = await http.post("/v1/reservations", json={
                        "id": run_id, "amount_nanos": 1000, "provider": "openai", "model": "gpt-4o-mini"})
                else:
                    response = await http.get("/healthz")
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code in (200, 201), response.text
                if run_s:
                    await asyncio.sleep(run_s)
                if reserve:
                    await http.delete(f"/v1/reservations/{run_id}")

    await asyncio.gather(*(client(i) for i in range(clients)))
    return samples, len(samples) / (time.perf_counter() - min(began))


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# What this bench imports beyond the app: the `[server]` extra (pyproject.toml), installed by `pip install -e '.[test]'`.
SERVER_EXTRA = ("httpx", "fastapi", "uvicorn", "alembic", "psycopg")


def check_server_extra() -> None:
    """A venv made before the `[server]` extra existed lacks httpx: say so and how to fix it, not a bare ImportError."""
    import importlib.util
    import sys

    missing = [name for name in SERVER_EXTRA if importlib.util.find_spec(name) is None]
    if missing:
        raise RuntimeError(f"{sys.executable} lacks the team server's extra ({', '.join(missing)} missing): "
                           "re-install with `.venv/bin/pip install -e '.[test]'` and run the bench with that venv")


def run(quick: bool) -> list[dict]:
    check_server_extra()
    from tests.server.conftest import make_team
    from tests.server.postgres import PostgresCluster
    from tests.server.processes import start_servers

    from promptlab_tui.server.database import make_engine, migrate

    count, rounds = (5_000, 3) if quick else (50_000, 10)
    cluster = PostgresCluster().start()
    servers = []
    try:
        url = cluster.new_database()
        migrate(make_engine(url))
        team = make_team(url, ("member",))
        servers = start_servers(url, 2)
        runs = _runs(count)
        dsn = f"host=127.0.0.1 port={cluster.port} user=postgres dbname={url.rsplit('/', 1)[1]}"
        baseline_s = _executemany(dsn, team.team_id, team.ids["member"], runs)
        api_s = _push(servers[0].base, team.tokens["member"], runs)
        api_rate, base_rate = count / api_s, count / baseline_s
        team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "monthly",
                                                       "limit_nanos": 10**15, "mode": "hard"})
        bases = [s.base for s in servers]
        token = team.tokens["member"]
        floor, _ = asyncio.run(_latencies(bases, token, 50, rounds, reserve=False))
        reserve, offered = asyncio.run(_latencies(bases, token, 50, rounds, reserve=True))
        busy_floor, busy_floor_rate = asyncio.run(_latencies(bases, token, 50, rounds, reserve=False, run_s=0))
        busy, busy_rate = asyncio.run(_latencies(bases, token, 50, rounds, reserve=True, run_s=0))
    finally:
        for server in servers:
            server.stop()
        cluster.stop()
    p50, p99 = _pct(reserve, 0.5), _pct(reserve, 0.99)
    return [
        row(GROUP, f"ingest through the API, batches of 500 ({count:,} runs)", api_rate, "runs/s",
            baseline_name="psycopg executemany of the same rows", baseline=base_rate,
            target="≥ 1/3 of executemany and ≥ 5,000 runs/s", met=api_rate >= base_rate / 3 and api_rate >= 5000,
            note=f"{api_s:.2f} s vs {baseline_s:.2f} s; one uvicorn process; upsert keyed by run UUID"),
        row(GROUP, "reservation round-trip p50 (50 clients, 2 processes)", p50, "ms",
            baseline_name="GET /healthz p50, same load", baseline=_pct(floor, 0.5),
            note=f"{len(reserve)} reservations at {offered:.0f}/s; each client reserves, runs {RUN_S * 1000:.0f} ms, "
                 "releases; hard team budget"),
        row(GROUP, "reservation round-trip p99 (50 clients, 2 processes)", p99, "ms",
            baseline_name="GET /healthz p99, same load", baseline=_pct(floor, 0.99), target="< 50 ms", met=p99 < 50,
            note="client, both servers and PostgreSQL share the machine's 2 cores"),
        row(GROUP, "reservations back to back, 50 clients with no run between (throughput)", busy_rate, "res/s",
            baseline_name="GET /healthz back to back, same clients", baseline=busy_floor_rate,
            note=f"saturation: p50 {_pct(busy, 0.5):.0f} ms, p99 {_pct(busy, 0.99):.0f} ms (healthz p99 "
                 f"{_pct(busy_floor, 0.99):.0f} ms), i.e. queueing of 50 requests always in flight"),
    ]
