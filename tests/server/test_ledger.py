"""Idempotent ingest and budgets that hold across clients and server processes (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import update

from tests.server.conftest import Team, make_team, run_body
from tests.server.processes import ServerProcess, start_servers

W = 1_000_000  # a run's worst case: $0.001


def _totals(team: Team) -> dict:
    return team.call("owner", "GET", "/v1/stats").json()["totals"]


def test_the_same_batch_pushed_three_times_counts_once(team: Team) -> None:
    runs = [run_body(uuid.uuid4().hex, cost=100 + i) for i in range(50)]
    for _ in range(3):
        response = team.call("member", "POST", "/v1/runs/batch", json={"runs": runs})
        assert response.status_code == 200 and response.json()["received"] == 50
    totals = _totals(team)
    assert totals["runs"] == 50 and totals["cost_nanos"] == sum(100 + i for i in range(50))
    # A run pushed again after it settled differently (re-priced) is updated, not added.
    runs[0] = dict(runs[0], cost_nanos=10_000, output_tokens=99)
    team.call("member", "POST", "/v1/runs/batch", json={"runs": runs[:1]})
    totals = _totals(team)
    assert totals["runs"] == 50 and totals["cost_nanos"] == sum(100 + i for i in range(1, 50)) + 10_000
    team.call("owner", "PUT", "/v1/budgets", json={"scope": "member", "subject_id": team.ids["member"],
                                                   "period": "daily", "limit_nanos": 10**12})
    (budget,) = team.call("owner", "GET", "/v1/budgets").json()
    assert budget["spent_nanos"] == totals["cost_nanos"]
    # A new time zone moves every day boundary: the rollup is re-made and still adds up.
    team.call("owner", "PATCH", "/v1/policy", json={"timezone": "Pacific/Kiritimati"})
    (budget,) = team.call("owner", "GET", "/v1/budgets").json()
    assert budget["spent_nanos"] in (totals["cost_nanos"], 0)  # 0 only if the new local day began after them


def test_a_member_cannot_overwrite_another_members_run(team: Team) -> None:
    run_id = uuid.uuid4().hex
    team.call("target", "POST", "/v1/runs/batch", json={"runs": [run_body(run_id, cost=5)]})
    team.call("member", "POST", "/v1/runs/batch", json={"runs": [run_body(run_id, cost=5_000)]})
    assert _totals(team)["cost_nanos"] == 5


@pytest.fixture
def two_servers(db_url: str) -> Iterator[list[ServerProcess]]:
    servers = start_servers(db_url, 2)
    yield servers
    for server in servers:
        server.stop()


def _post(base: str, token: str, path: str, body: dict) -> httpx.Response:
    return httpx.post(f"{base}{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def test_the_same_batch_pushed_concurrently_through_two_processes_counts_once(
        db_url: str, two_servers: list[ServerProcess]) -> None:
    team = make_team(db_url)
    team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "monthly", "limit_nanos": 10**12})
    runs = [run_body(uuid.uuid4().hex, cost=1_000 + i) for i in range(200)]
    start = threading.Barrier(6)

    def push(i: int) -> int:
        start.wait()
        return _post(two_servers[i % 2].base, team.tokens["member"], "/v1/runs/batch", {"runs": runs}).status_code

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(push, range(6))) == [200] * 6
    totals = _totals(team)
    assert totals["runs"] == 200 and totals["cost_nanos"] == sum(1_000 + i for i in range(200))
    (budget,) = team.call("owner", "GET", "/v1/budgets").json()  # what reservations check: the daily rollup
    assert budget["spent_nanos"] == totals["cost_nanos"]


def _reserve_all(team: Team, servers: list[ServerProcess], clients: int) -> list[int]:
    """`clients` threads reserve W each at once, alternating between the server processes."""
    start = threading.Barrier(clients)
    tokens = [team.tokens["member"], team.tokens["target"]]

    def reserve(i: int) -> tuple[int, str]:
        run_id = uuid.uuid4().hex
        start.wait()
        response = _post(servers[i % 2].base, tokens[i % 2], "/v1/reservations",
                         {"id": run_id, "amount_nanos": W, "provider": "openai", "model": "gpt-4o-mini"})
        assert response.status_code in (201, 409), response.text
        return response.status_code, run_id

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(reserve, range(clients)))
    return [(code, run_id, tokens[i % 2]) for i, (code, run_id) in enumerate(results)]  # type: ignore[misc]


def test_fifty_clients_two_processes_nothing_overspent_nothing_wrongly_refused(
        db_url: str, two_servers: list[ServerProcess]) -> None:
    team = make_team(db_url)
    assert team.call("owner", "PUT", "/v1/budgets", json={
        "scope": "team", "period": "monthly", "limit_nanos": 10 * W, "mode": "hard"}).status_code == 200
    results = _reserve_all(team, two_servers, 50)
    accepted = [(run_id, token) for code, run_id, token in results if code == 201]
    assert len(accepted) == 10  # exactly what fits: never more (overspend), never fewer (wrongly refused)
    budget = team.call("owner", "GET", "/v1/budgets").json()[0]
    assert budget["reserved_nanos"] == 10 * W and budget["spent_nanos"] == 0
    # Each run cost half its worst case: settling frees exactly 5 W, and the next wave takes exactly 5.
    for i, (run_id, token) in enumerate(accepted):
        response = _post(two_servers[i % 2].base, token, f"/v1/reservations/{run_id}/settle",
                         run_body(run_id, cost=W // 2))
        assert response.status_code == 200, response.text
    second = _reserve_all(team, two_servers, 50)
    assert sum(code == 201 for code, _, _ in second) == 5
    budget = team.call("owner", "GET", "/v1/budgets").json()[0]
    assert budget["spent_nanos"] == 5 * W and budget["reserved_nanos"] == 5 * W
    assert budget["spent_nanos"] + budget["reserved_nanos"] <= budget["limit_nanos"]


_KILLED_CLIENT = """
import sys, httpx
base, token, run_id = sys.argv[1:4]
r = httpx.post(base + "/v1/reservations", headers={"Authorization": "Bearer " + token},
               json={"id": run_id, "amount_nanos": %d, "provider": "openai", "model": "gpt-4o-mini"})
print(r.status_code, flush=True)
sys.stdin.read()  # holds here, as a client in the middle of its provider call, until killed
""" % (3 * W)


def test_a_client_killed_between_reserve_and_settle_is_settled_at_its_reservation_after_expiry(
        db_url: str, two_servers: list[ServerProcess]) -> None:
    team = make_team(db_url)
    team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "monthly", "limit_nanos": 4 * W})
    run_id = uuid.uuid4().hex
    client = subprocess.Popen([sys.executable, "-c", _KILLED_CLIENT, two_servers[0].base, team.tokens["member"],
                               run_id], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert client.stdout.readline().strip() == "201"  # type: ignore[union-attr]
    client.kill()
    client.wait()
    # Its hold stays until it expires: a 2 W run does not fit beside it.
    blocked = _post(two_servers[1].base, team.tokens["target"], "/v1/reservations",
                    {"id": uuid.uuid4().hex, "amount_nanos": 2 * W, "provider": "openai", "model": "m"})
    assert blocked.status_code == 409 and blocked.json()["error"]["code"] == "budget_exceeded"
    from tests.server.conftest import app_for
    from promptlab_tui.server import schema as t
    from promptlab_tui.server.teams import now_utc

    with app_for(db_url).state.engine.begin() as connection:  # the expiry time passes
        connection.execute(update(t.reservation).where(t.reservation.c.id == run_id).values(expires_at=now_utc()))
    fits = _post(two_servers[1].base, team.tokens["target"], "/v1/reservations",
                 {"id": uuid.uuid4().hex, "amount_nanos": W, "provider": "openai", "model": "m"})
    assert fits.status_code == 201, fits.text  # 3 W settled (its reservation) + W held = the 4 W limit
    full = _post(two_servers[0].base, team.tokens["target"], "/v1/reservations",
                 {"id": uuid.uuid4().hex, "amount_nanos": 1, "provider": "openai", "model": "m"})
    assert full.status_code == 409
    runs = team.call("owner", "GET", f"/v1/runs?member_id={team.ids['member']}").json()
    assert [(r["id"], r["status"], r["cost_nanos"]) for r in runs] == [(run_id, "expired", 3 * W)]
    # The client comes back and pushes the run as it really ended: updated, not added.
    team.call("member", "POST", "/v1/runs/batch", json={"runs": [run_body(run_id, cost=W, status="interrupted")]})
    assert _totals(team)["runs"] == 1 and _totals(team)["cost_nanos"] == W


def test_a_retried_reservation_gets_the_same_hold_and_a_heartbeat_or_release_only_for_its_owner(team: Team) -> None:
    team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "monthly", "limit_nanos": 3 * W})
    run_id = uuid.uuid4().hex
    body = {"id": run_id, "amount_nanos": 2 * W, "provider": "openai", "model": "gpt-4o-mini"}
    first, again = (team.call("member", "POST", "/v1/reservations", json=body) for _ in range(2))
    assert first.status_code == again.status_code == 201 and again.json()["amount_nanos"] == 2 * W
    (budget,) = team.call("owner", "GET", "/v1/budgets").json()
    assert budget["reserved_nanos"] == 2 * W  # held once
    assert team.call("target", "POST", "/v1/reservations", json=body).json()["error"]["code"] == "conflict"
    assert team.call("target", "DELETE", f"/v1/reservations/{run_id}").status_code == 404
    assert team.call("member", "POST", f"/v1/reservations/{run_id}/heartbeat").status_code == 200
    assert team.call("member", "DELETE", f"/v1/reservations/{run_id}").json()["status"] == "released"
    assert team.call("member", "DELETE", f"/v1/reservations/{run_id}").json()["error"]["code"] == "settled"
    (budget,) = team.call("owner", "GET", "/v1/budgets").json()
    assert budget["reserved_nanos"] == 0 and budget["spent_nanos"] == 0
