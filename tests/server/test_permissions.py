"""Every endpoint against every kind of caller: owner, admin, member, no token, a revoked token, another team's.

Members see and change only their own things; admins and owners the team's. Another team's token
never sees or touches this team (its ids are 404 to it); a missing or revoked token is a 401.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Callable

import pytest

from tests.server.conftest import Team, make_team, run_body, unique

CALLERS = ("owner", "admin", "member", "none", "revoked", "other_team")
RANK = {"member": 0, "admin": 1, "owner": 2}


@dataclass
class World:
    team: Team
    other: Team
    ids: dict[str, Any]


def build_world(db_url: str) -> World:
    team = make_team(db_url, ("admin", "member", "target", "victim"))
    other = make_team(db_url, ())
    ids: dict[str, Any] = {"target": team.ids["target"], "victim": team.ids["victim"]}
    revoked = team.call("owner", "POST", f"/v1/members/{team.ids['member']}/tokens", json={"label": "old"}).json()
    assert team.call("owner", "DELETE", f"/v1/tokens/{revoked['id']}").status_code == 200
    team.tokens["revoked"] = revoked["token"]
    team.tokens["other_team"] = other.tokens["owner"]
    ids["target_token"] = team.call("owner", "POST", f"/v1/members/{ids['target']}/tokens", json={}).json()["id"]
    ids["group"] = team.call("owner", "POST", "/v1/groups", json={"name": "research"}).json()["id"]
    ids["budget"] = team.call("owner", "PUT", "/v1/budgets", json={
        "scope": "member", "subject_id": ids["target"], "period": "daily", "limit_nanos": 10**9}).json()["id"]
    team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "monthly", "limit_nanos": 1000,
                                                   "mode": "warn", "thresholds": [100]})
    ids["target_run"] = uuid.uuid4().hex
    assert team.call("target", "POST", "/v1/runs/batch", json={"runs": [run_body(ids["target_run"])]}).status_code == 200
    (ids["alert"],) = [a["id"] for a in team.call("owner", "GET", "/v1/alerts").json()]  # the team's 100 %
    ids["target_res"] = uuid.uuid4().hex
    assert team.call("target", "POST", "/v1/reservations", json={
        "id": ids["target_res"], "amount_nanos": 5, "provider": "openai", "model": "gpt-4o-mini"}).status_code == 201
    return World(team, other, ids)


# name, method, path, body (callable for fresh values), who may: "member"/"admin"/"owner" (minimum role)
# or "target" (only the member who owns the thing; anyone else gets 404), and the success status.
Endpoint = tuple[str, str, str, Callable[[World], Any] | None, str, int]
ENDPOINTS: list[Endpoint] = [
    ("me", "GET", "/v1/me", None, "member", 200),
    ("own settings", "PATCH", "/v1/me/settings", lambda w: {"share_text": True}, "member", 200),
    ("list members", "GET", "/v1/members", None, "admin", 200),
    ("add member", "POST", "/v1/members", lambda w: {"name": unique("new")}, "admin", 201),
    ("change member", "PATCH", "/v1/members/{target}", lambda w: {"role": "admin"}, "admin", 200),
    ("remove member", "DELETE", "/v1/members/{victim}?erase_text=true", None, "admin", 200),
    ("member's tokens", "GET", "/v1/members/{target}/tokens", None, "admin", 200),
    ("issue token", "POST", "/v1/members/{target}/tokens", lambda w: {"label": "ci"}, "admin", 201),
    ("own tokens", "GET", "/v1/tokens", None, "member", 200),
    ("revoke another's token", "DELETE", "/v1/tokens/{target_token}", None, "admin", 200),
    ("list groups", "GET", "/v1/groups", None, "admin", 200),
    ("create group", "POST", "/v1/groups", lambda w: {"name": unique("g")}, "admin", 201),
    ("set group members", "PUT", "/v1/groups/{group}/members", lambda w: {"member_ids": [w.ids["target"]]},
     "admin", 200),
    ("delete group", "DELETE", "/v1/groups/{group}", None, "admin", 204),
    ("list budgets", "GET", "/v1/budgets", None, "member", 200),
    ("set budget", "PUT", "/v1/budgets", lambda w: {"scope": "team", "period": "monthly", "limit_nanos": 10**10},
     "admin", 200),
    ("delete budget", "DELETE", "/v1/budgets/{budget}", None, "admin", 204),
    ("get policy", "GET", "/v1/policy", None, "member", 200),
    ("set policy", "PATCH", "/v1/policy", lambda w: {"offline_policy": "local_cap"}, "admin", 200),
    ("push runs", "POST", "/v1/runs/batch", lambda w: {"runs": [run_body(uuid.uuid4().hex)]}, "member", 200),
    ("list runs", "GET", "/v1/runs", None, "member", 200),
    ("another member's runs", "GET", "/v1/runs?member_id={target}", None, "admin", 200),
    ("erase another's run text", "DELETE", "/v1/runs/{target_run}/text", None, "admin", 200),
    ("reserve", "POST", "/v1/reservations",
     lambda w: {"id": uuid.uuid4().hex, "amount_nanos": 1, "provider": "openai", "model": "m"}, "member", 201),
    ("settle another's reservation", "POST", "/v1/reservations/{target_res}/settle",
     lambda w: run_body(w.ids["target_res"]), "target", 200),
    ("release another's reservation", "DELETE", "/v1/reservations/{target_res}", None, "target", 200),
    ("stats", "GET", "/v1/stats", None, "member", 200),
    ("list alerts", "GET", "/v1/alerts?all=true", None, "member", 200),
    ("acknowledge a team alert", "POST", "/v1/alerts/{alert}/ack", None, "member", 200),
    ("list provider keys", "GET", "/v1/provider-keys", None, "admin", 200),
    ("proxy run (team in direct mode)", "POST", "/v1/proxy/runs", lambda w: {
        "id": uuid.uuid4().hex, "provider": "openai", "model": "gpt-4o-mini", "max_tokens": 8,
        "messages": [{"role": "user", "content": "hi"}]}, "member", 409),
]


def expected_status(caller: str, who_may: str, success: int, path: str) -> int:
    if caller in ("none", "revoked"):
        return 401
    if caller == "other_team":
        return 404 if "{" in path or who_may == "target" else (success if who_may == "member" else -1)
    if who_may == "target":
        return 404  # none of the callers owns the target's reservation
    return success if RANK[caller] >= RANK[who_may] else 403


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_every_caller_against_every_endpoint(db_url: str, endpoint: Endpoint) -> None:
    name, method, path, body, who_may, success = endpoint
    for caller in CALLERS:
        world = build_world(db_url)  # a fresh team for each caller: a success must not hide the next answer
        response = world.team.call(None if caller == "none" else caller, method, path.format(**world.ids),
                                   json=body(world) if body else None)
        want = expected_status(caller, who_may, success, path)
        if want == -1:  # another team's owner on a team-wide endpoint: allowed, but only sees its own team
            assert response.status_code < 300, (caller, response.text)
            for member_name in ("target", "victim", "admin"):
                assert f'"{member_name}"' not in response.text, f"{name}: {caller} saw this team's {member_name}"
            continue
        assert response.status_code == want, f"{name} as {caller}: {response.status_code} {response.text}"
        assert response.headers["content-type"].startswith("application/json") or response.status_code == 204
        if want >= 400:
            assert response.json()["error"]["message"]
    # The target's reservation is the target's to settle: checked once as the target.
    if who_may == "target":
        world = build_world(db_url)
        response = world.team.call("target", method, path.format(**world.ids), json=body(world) if body else None)
        assert response.status_code == success, response.text


def test_other_team_never_sees_this_teams_runs_or_stats(db_url: str) -> None:
    world = build_world(db_url)
    for path in ("/v1/runs", "/v1/stats", "/v1/budgets", "/v1/members", "/v1/groups"):
        response = world.team.call("other_team", "GET", path)
        assert response.status_code == 200
        assert world.ids["target_run"] not in response.text and '"target"' not in response.text
        assert '"research"' not in response.text


def test_member_sees_only_own_runs_and_numbers(db_url: str) -> None:
    world = build_world(db_url)
    mine = uuid.uuid4().hex
    world.team.call("member", "POST", "/v1/runs/batch", json={"runs": [run_body(mine, cost=7)]})
    runs = world.team.call("member", "GET", "/v1/runs").json()
    assert [r["id"] for r in runs] == [mine]
    stats = world.team.call("member", "GET", "/v1/stats").json()
    assert stats["totals"]["cost_nanos"] == 7 and [m["key"] for m in stats["members"]] == ["member"]
    team_stats = world.team.call("admin", "GET", "/v1/stats").json()
    assert team_stats["totals"]["cost_nanos"] == 7 + 1000
