"""A run longer than the server's hold expiry keeps its reservation by heartbeats; a vanished client's expires.

The expiry is shortened by the team's setting (2 s here, 900 s by default) and the fake provider streams
for about three expiries, so the sweep that settles expired holds runs while the real run is mid-stream.
"""

from __future__ import annotations

import threading
import time
import uuid

from sqlalchemy import update

from promptlab_tui.cli.main import main
from promptlab_tui.store.repository import HistoryRepository
from tests.fakeprovider.behaviours import Behaviour
from tests.sync.conftest import LiveTeam
from tests.sync.test_sync_client import login, prompt_file, server_runs

TTL_S = 2


def _shorten_expiry(live: LiveTeam) -> None:
    from promptlab_tui.server import schema as t
    from promptlab_tui.server.database import make_engine

    engine = make_engine(live.db_url)
    with engine.begin() as connection:
        connection.execute(update(t.team).where(t.team.c.id == live.team.team_id).values(reservation_ttl_s=TTL_S))
    engine.dispose()


def test_a_streaming_run_keeps_its_hold_past_the_expiry_while_a_vanished_one_is_settled_at_its_reservation(
        live_team, monkeypatch, capsys, fake_provider_env, tmp_path):
    _shorten_expiry(live_team)
    live_team.team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "monthly",
                                                             "limit_nanos": 10**9, "mode": "hard"})
    vanished = uuid.uuid4().hex  # reserves, then never heartbeats, settles or releases
    assert live_team.team.call("target", "POST", "/v1/reservations", json={
        "id": vanished, "amount_nanos": 70_000, "provider": "openai", "model": "gpt-4o-mini"}).status_code == 201
    login(live_team, "member", monkeypatch, capsys)
    words = " ".join(f"w{i}" for i in range(14))  # one chunk a word, 0.45 s apart: about 3 expiries long
    fake_provider_env.script(Behaviour.slow(chunk_delay=0.45, text=words))
    codes: list[int] = []
    runner = threading.Thread(target=lambda: codes.append(main(["run", prompt_file(tmp_path)])))
    runner.start()
    fake_provider_env.wait_for_requests(1)  # reserved on the server, now streaming
    held_since = time.monotonic()
    threading.Event().wait(1.75 * TTL_S)  # the subject is time itself: let the expiry pass mid-stream
    (budget,) = live_team.team.call("owner", "GET", "/v1/budgets").json()  # sweeps expired holds
    assert runner.is_alive() and time.monotonic() - held_since > TTL_S  # still streaming, past the expiry
    (held,) = [r for r in live_team.team.call("member", "GET", "/v1/runs").json() if r["id"] != vanished] or [None]
    assert held is None  # nothing settled for the streaming run: its hold is still open
    assert budget["spent_nanos"] == 70_000  # the vanished hold: settled at its reserved amount
    assert budget["reserved_nanos"] > 0  # the streaming run's worst case, still held
    runner.join(30)
    assert codes == [0]
    (record,) = HistoryRepository().recent_runs()
    runs = {r["id"]: r for r in server_runs(live_team)}
    assert runs[vanished]["status"] == "expired" and runs[vanished]["cost_nanos"] == 70_000
    assert runs[record.id]["status"] == "completed" and runs[record.id]["cost_nanos"] == record.cost_nanos > 0
    (budget,) = live_team.team.call("owner", "GET", "/v1/budgets").json()
    assert budget["reserved_nanos"] == 0 and budget["spent_nanos"] == 70_000 + record.cost_nanos


def test_the_heartbeat_endpoint_extends_an_open_hold_and_refuses_an_expired_one(live_team):
    _shorten_expiry(live_team)
    team, run_id = live_team.team, uuid.uuid4().hex
    held = team.call("member", "POST", "/v1/reservations", json={
        "id": run_id, "amount_nanos": 5, "provider": "openai", "model": "gpt-4o-mini"}).json()
    assert held["ttl_s"] == TTL_S
    beat = team.call("member", "POST", f"/v1/reservations/{run_id}/heartbeat")
    assert beat.status_code == 200 and beat.json()["expires_at"] >= held["expires_at"]
    assert team.call("target", "POST", f"/v1/reservations/{run_id}/heartbeat").status_code == 404  # not theirs
    from promptlab_tui.server import schema as t
    from promptlab_tui.server.database import make_engine
    from promptlab_tui.server.teams import now_utc

    engine = make_engine(live_team.db_url)
    with engine.begin() as connection:  # its expiry passes without a heartbeat
        connection.execute(update(t.reservation).where(t.reservation.c.id == run_id).values(expires_at=now_utc()))
    engine.dispose()
    team.call("owner", "GET", "/v1/budgets")  # the sweep settles it at its reserved amount
    late = team.call("member", "POST", f"/v1/reservations/{run_id}/heartbeat")
    assert late.status_code == 409 and late.json()["error"]["code"] == "expired"
