"""Proxy mode: the server holds the team's provider key (encrypted) and runs prompts for members, through the
real OpenAI SDK against the fake provider, reserving and settling on the team's budgets."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from tests.fakeprovider.behaviours import Behaviour
from tests.server.conftest import Team, app_for

TEAM_KEY = "sk-test-team-key-held-by-the-server"


@pytest.fixture
def proxy_team(team: Team, fake_provider, monkeypatch: pytest.MonkeyPatch) -> Team:
    from cryptography.fernet import Fernet

    monkeypatch.setenv("PROMPTLAB_SERVER_KEY", Fernet.generate_key().decode())
    stored = team.call("admin", "PUT", "/v1/provider-keys/openai",
                       json={"api_key": TEAM_KEY, "base_url": fake_provider.openai_base_url})
    assert stored.status_code == 200, stored.text
    assert team.call("admin", "PATCH", "/v1/policy", json={"run_mode": "proxy"}).status_code == 200
    return team


def proxy_run(team: Team, who: str = "member", max_tokens: int = 64, run_id: str | None = None):  # type: ignore[no-untyped-def]
    body = {"id": run_id or uuid.uuid4().hex, "provider": "openai", "model": "gpt-4o-mini", "max_tokens": max_tokens,
            "messages": [{"role": "user", "content": "Name three primes."}], "prompt_name": "primes"}
    return team.call(who, "POST", "/v1/proxy/runs", json=body), body["id"]


def lines(response) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(line) for line in response.text.splitlines() if line.strip()]


def test_a_member_runs_a_prompt_with_the_teams_key_streamed_back_and_settled(proxy_team: Team, fake_provider,
                                                                            db_url: str) -> None:
    proxy_team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "monthly",
                                                         "limit_nanos": 10**9, "mode": "hard"})
    fake_provider.script(Behaviour.reply("Two, three and five."))
    response, run_id = proxy_run(proxy_team)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-ndjson")
    events = lines(response)
    assert "".join(e["text"] for e in events if e["type"] == "delta") == "Two, three and five."
    done = events[-1]
    assert done["type"] == "done" and done["status"] == "completed" and done["cost_nanos"] > 0
    assert fake_provider.last_request.body["max_tokens"] == 64  # the reserved-for maximum is always sent
    (run,) = proxy_team.call("owner", "GET", "/v1/runs").json()
    assert run["id"] == run_id and run["cost_nanos"] == done["cost_nanos"] and run["member_id"]
    (budget,) = proxy_team.call("owner", "GET", "/v1/budgets").json()
    assert budget["spent_nanos"] == done["cost_nanos"] and budget["reserved_nanos"] == 0
    with app_for(db_url).state.engine.connect() as connection:
        from promptlab_tui.server import schema as t

        sealed = connection.execute(select(t.provider_key.c.key_encrypted)).scalars().all()
    assert sealed and all(TEAM_KEY.encode() not in bytes(s) for s in sealed)
    listed = proxy_team.call("admin", "GET", "/v1/provider-keys").json()
    assert TEAM_KEY not in json.dumps(listed) and [k["provider"] for k in listed] == ["openai"]


def test_a_hard_team_budget_refuses_a_proxied_run_before_the_provider_is_called(proxy_team: Team,
                                                                               fake_provider) -> None:
    proxy_team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "daily", "limit_nanos": 10})
    response, _ = proxy_run(proxy_team)
    assert response.status_code == 409 and response.json()["error"]["code"] == "budget_exceeded"
    assert fake_provider.requests == []


def test_a_provider_error_mid_run_is_settled_with_what_it_cost(proxy_team: Team, fake_provider) -> None:
    fake_provider.script(Behaviour.broken(after_chunks=2))  # the stream breaks after some text
    response, run_id = proxy_run(proxy_team)
    events = lines(response)
    assert events[-1]["type"] == "error" and events[-1]["status"] == "error"
    assert any(e["type"] == "delta" for e in events)
    (run,) = proxy_team.call("owner", "GET", "/v1/runs").json()
    assert run["id"] == run_id and run["status"] == "error"
    assert run["input_tokens"] > 0 and run["cost_nanos"] > 0  # the input was billed: it is counted


def test_direct_mode_and_missing_keys_are_refused_with_reasons(team: Team, fake_provider, monkeypatch) -> None:
    response, _ = proxy_run(team)
    assert response.status_code == 409 and response.json()["error"]["code"] == "direct_mode"
    team.call("admin", "PATCH", "/v1/policy", json={"run_mode": "proxy"})
    response, _ = proxy_run(team)
    assert response.status_code == 409 and response.json()["error"]["code"] == "no_provider_key"
    monkeypatch.delenv("PROMPTLAB_SERVER_KEY", raising=False)
    stored = team.call("admin", "PUT", "/v1/provider-keys/openai", json={"api_key": "sk-test-x"})
    assert stored.status_code == 409 and "PROMPTLAB_SERVER_KEY" in stored.json()["error"]["message"]


def test_only_admins_and_owners_handle_provider_keys(proxy_team: Team) -> None:
    assert proxy_team.call("member", "GET", "/v1/provider-keys").status_code == 403
    assert proxy_team.call("member", "PUT", "/v1/provider-keys/openai", json={"api_key": "sk-test-x"}).status_code == 403
    assert proxy_team.call("member", "DELETE", "/v1/provider-keys/openai").status_code == 403
    assert proxy_team.call("owner", "DELETE", "/v1/provider-keys/openai").status_code == 204


def test_a_proxied_run_longer_than_the_hold_expiry_keeps_its_hold(proxy_team: Team, fake_provider,
                                                                  db_url: str) -> None:
    import threading
    import time

    from sqlalchemy import update

    from promptlab_tui.server import schema as t

    with app_for(db_url).state.engine.begin() as connection:  # the expiry shortened by the team's setting
        connection.execute(update(t.team).where(t.team.c.id == proxy_team.team_id).values(reservation_ttl_s=1))
    proxy_team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "monthly",
                                                         "limit_nanos": 10**9, "mode": "hard"})
    fake_provider.script(Behaviour.slow(chunk_delay=0.3, text=" ".join(f"w{i}" for i in range(10))))  # ~3 expiries
    body = {"id": uuid.uuid4().hex, "provider": "openai", "model": "gpt-4o-mini", "max_tokens": 64,
            "messages": [{"role": "user", "content": "Count."}], "prompt_name": "count"}
    with proxy_team.client.stream("POST", "/v1/proxy/runs", json=body,  # type: ignore[attr-defined]
                                  headers=proxy_team.headers("member")) as response:
        stream = response.iter_lines()
        assert json.loads(next(stream))["type"] == "delta"  # reserved, and streaming
        started = time.monotonic()
        threading.Event().wait(1.6)  # the subject is time itself: the expiry passes mid-stream
        (budget,) = proxy_team.call("owner", "GET", "/v1/budgets").json()  # sweeps expired holds
        assert time.monotonic() - started > 1 and budget["reserved_nanos"] > 0 and budget["spent_nanos"] == 0
        events = [json.loads(line) for line in stream if line.strip()]
    assert events[-1]["type"] == "done" and events[-1]["status"] == "completed"
    (run,) = proxy_team.call("owner", "GET", "/v1/runs").json()
    assert run["status"] == "completed" and run["cost_nanos"] == events[-1]["cost_nanos"]
