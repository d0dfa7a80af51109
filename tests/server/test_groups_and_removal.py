"""Groups (budgets, chargeback breakdown) and member removal (tokens revoked, text erased on request)."""

from __future__ import annotations

import uuid

from tests.server.conftest import Team, run_body


def test_a_group_budget_holds_for_its_members_only(team: Team) -> None:
    group = team.call("admin", "POST", "/v1/groups", json={"name": "research"}).json()
    team.call("admin", "PUT", f"/v1/groups/{group['id']}/members", json={"member_ids": [team.ids["member"]]})
    team.call("admin", "PUT", "/v1/budgets", json={"scope": "group", "subject_id": group["id"], "period": "daily",
                                                   "limit_nanos": 100, "mode": "hard"})
    hold = {"amount_nanos": 80, "provider": "openai", "model": "m"}
    assert team.call("member", "POST", "/v1/reservations", json={"id": uuid.uuid4().hex, **hold}).status_code == 201
    refused = team.call("member", "POST", "/v1/reservations", json={"id": uuid.uuid4().hex, **hold})
    assert refused.status_code == 409 and "group daily budget" in refused.json()["error"]["message"]
    assert team.call("target", "POST", "/v1/reservations", json={"id": uuid.uuid4().hex, **hold}).status_code == 201
    assert team.call("member", "GET", "/v1/me").json()["groups"] == ["research"]


def test_stats_break_down_by_group_member_model_day_and_prompt_and_sum_to_the_totals(team: Team) -> None:
    group = team.call("admin", "POST", "/v1/groups", json={"name": "sales"}).json()
    team.call("admin", "PUT", f"/v1/groups/{group['id']}/members", json={"member_ids": [team.ids["target"]]})
    team.call("member", "POST", "/v1/runs/batch", json={"runs": [
        run_body(uuid.uuid4().hex, cost=100, model="gpt-4o"), run_body(uuid.uuid4().hex, cost=None)]})
    team.call("target", "POST", "/v1/runs/batch", json={"runs": [
        run_body(uuid.uuid4().hex, cost=40, prompt_name="summary")]})
    team.call("admin", "PUT", "/v1/budgets", json={"scope": "member", "subject_id": team.ids["target"],
                                                   "period": "monthly", "limit_nanos": 50, "mode": "warn"})
    stats = team.call("owner", "GET", "/v1/stats").json()
    assert stats["totals"] == {"key": "total", "runs": 3, "input_tokens": 30, "output_tokens": 60,
                               "cost_nanos": 140, "unpriced_runs": 1}
    for dimension in ("members", "models", "days", "prompts"):
        assert sum(row["cost_nanos"] for row in stats[dimension]) == 140
        assert sum(row["runs"] for row in stats[dimension]) == 3
    assert [(g["key"], g["cost_nanos"]) for g in stats["groups"]] == [("sales", 40)]
    target = next(m for m in stats["members"] if m["key"] == "target")
    assert target["budget_limit_nanos"] == 50 and target["budget_status"] == "warning"  # 80 % of its budget
    assert [p["key"] for p in stats["prompts"]] == ["greeting", "summary"]


def test_removing_a_member_revokes_tokens_and_erases_text_on_request(team: Team) -> None:
    run_id = uuid.uuid4().hex
    team.call("target", "PATCH", "/v1/me/settings", json={"share_text": True})
    team.call("target", "POST", "/v1/runs/batch", json={"runs": [run_body(run_id, cost=9)]})
    assert team.call("owner", "GET", "/v1/runs").json()[0]["prompt_text"] == "Say hello"
    removed = team.call("admin", "DELETE", f"/v1/members/{team.ids['target']}?erase_text=true")
    assert removed.status_code == 200 and removed.json()["removed_at"]
    assert team.call("target", "GET", "/v1/me").status_code == 401
    (run,) = team.call("owner", "GET", "/v1/runs").json()
    assert run["member_id"] is None and run["prompt_text"] is None and run["response_text"] is None
    stats = team.call("owner", "GET", "/v1/stats").json()
    assert stats["totals"]["cost_nanos"] == 9 and stats["members"][0]["key"] == "(unattributed)"


def test_the_last_owner_cannot_be_demoted_or_removed_and_admins_cannot_make_owners(team: Team) -> None:
    assert team.call("owner", "PATCH", f"/v1/members/{team.ids['owner']}", json={"role": "admin"}).status_code == 409
    assert team.call("admin", "PATCH", f"/v1/members/{team.ids['member']}", json={"role": "owner"}).status_code == 403
    assert team.call("admin", "POST", "/v1/members", json={"name": "boss", "role": "owner"}).status_code == 403


def test_tokens_record_their_last_use_and_are_listed_without_the_secret(team: Team) -> None:
    team.call("member", "GET", "/v1/me")
    tokens = team.call("member", "GET", "/v1/tokens").json()
    assert tokens[0]["last_used_at"] is not None and "token" not in tokens[0] and "token_hash" not in tokens[0]


def test_thresholds_crossed_raise_one_alert_each_seen_by_those_concerned_and_acknowledged_per_member(
        team: Team) -> None:
    team.call("admin", "PUT", "/v1/budgets", json={"scope": "team", "period": "monthly", "limit_nanos": 1000,
                                                   "mode": "warn", "thresholds": [50, 90]})
    team.call("admin", "PUT", "/v1/budgets", json={"scope": "member", "subject_id": team.ids["target"],
                                                   "period": "daily", "limit_nanos": 100})
    for _ in range(2):  # the same push twice: still one alert per threshold
        team.call("member", "POST", "/v1/runs/batch", json={"runs": [run_body("run-team-60", cost=600)]})
    alerts = team.call("member", "GET", "/v1/alerts").json()
    assert [(a["scope"], a["threshold"]) for a in alerts] == [("team", 50)]
    assert "Team monthly budget: 50% reached" in alerts[0]["message"]
    team.call("target", "POST", "/v1/runs/batch", json={"runs": [run_body("run-target-1", cost=350)]})
    assert sorted((a["scope"], a["threshold"]) for a in team.call("target", "GET", "/v1/alerts").json()) == [
        ("member", 75), ("member", 90), ("member", 100), ("team", 50), ("team", 90)]
    assert sorted(a["threshold"] for a in team.call("member", "GET", "/v1/alerts").json()) == [50, 90]
    first = alerts[0]["id"]
    assert team.call("member", "POST", f"/v1/alerts/{first}/ack").json()["acknowledged"] is True
    assert [a["threshold"] for a in team.call("member", "GET", "/v1/alerts").json()] == [90]
    assert first in [a["id"] for a in team.call("target", "GET", "/v1/alerts").json()]  # theirs to acknowledge
    assert len(team.call("admin", "GET", "/v1/alerts").json()) == 5
