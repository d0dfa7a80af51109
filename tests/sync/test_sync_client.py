"""The client: login/logout, the outbox filled offline then synced, team reservations around runs, offline policy."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from promptlab_tui.cli.main import main
from promptlab_tui.store.repository import HistoryRepository
from tests.fakeprovider.behaviours import Behaviour
from tests.sync.conftest import LiveTeam


def prompt_file(folder: Path, max_tokens: int = 64) -> str:
    path = folder / "primes.md"
    path.write_text(f'+++\nmodel = "gpt-4o-mini"\nmax_tokens = {max_tokens}\nname = "primes"\n+++\nName three primes.\n',
                    encoding="utf-8")
    return str(path)


def login(live: LiveTeam, who: str, monkeypatch: pytest.MonkeyPatch, capsys) -> str:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PROMPTLAB_TEAM_TOKEN", live.team.tokens[who])
    assert main(["login", live.url]) == 0
    return capsys.readouterr().out


def server_runs(live: LiveTeam) -> list[dict]:
    return live.team.call("owner", "GET", "/v1/runs").json()


def test_login_keeps_the_token_in_a_0600_file_outside_the_database(live_team, monkeypatch, capsys, isolated_home):
    out = login(live_team, "member", monkeypatch, capsys)
    assert "Logged in" in out and "as member (member)" in out and "numbers only" in out
    from promptlab_tui.sync.credentials import login_path

    path = login_path()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert live_team.team.tokens["member"] in path.read_text()
    database = Path(isolated_home) / "promptlab.db"
    assert live_team.team.tokens["member"].encode() not in database.read_bytes()
    assert main(["logout"]) == 0 and not path.exists()
    assert main(["sync"]) == 2 and "not logged in" in capsys.readouterr().err


def test_login_with_a_revoked_or_wrong_token_says_so(live_team, monkeypatch, capsys):
    monkeypatch.setenv("PROMPTLAB_TEAM_TOKEN", "plt_not-a-token")
    assert main(["login", live_team.url]) == 2
    assert "refused the token: unknown token" in capsys.readouterr().err
    assert main(["login", "ftp://nowhere"]) == 2


def test_runs_made_offline_wait_in_the_outbox_across_restarts_then_sync(live_team, monkeypatch, capsys,
                                                                       fake_provider_env, tmp_path):
    login(live_team, "member", monkeypatch, capsys)
    live_team.server.stop()  # offline from here
    fake_provider_env.script(Behaviour.reply("2, 3, 5", times=3))
    for _ in range(3):
        assert main(["run", prompt_file(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["sync"]) == 1 and "offline" in capsys.readouterr().out
    assert main(["sync", "--status"]) == 0 and "pending: 3 run(s)" in capsys.readouterr().out
    live_team.restart()
    assert main(["sync"]) == 0
    assert "synced: pushed 3 run(s)" in capsys.readouterr().out
    local = {r.id: r.cost_nanos for r in HistoryRepository().recent_runs()}
    remote = {r["id"]: r["cost_nanos"] for r in server_runs(live_team)}
    assert remote == local and len(remote) == 3
    assert all(r["prompt_text"] is None for r in server_runs(live_team))  # numbers only by default
    # The team's statistics give the same numbers as the local history for the same runs.
    local_totals = HistoryRepository().total_spend()
    totals = live_team.team.call("owner", "GET", "/v1/stats").json()["totals"]
    assert (totals["runs"], totals["cost_nanos"], totals["input_tokens"], totals["output_tokens"]) == (
        local_totals.runs, local_totals.cost_nanos, local_totals.input_tokens, local_totals.output_tokens)
    assert main(["sync"]) == 0 and "pushed 0" in capsys.readouterr().out
    assert main(["sync", "--status"]) == 0 and "pending: 0 run(s)" in capsys.readouterr().out


def test_a_run_reserves_on_the_team_server_and_settles_there(live_team, monkeypatch, capsys, fake_provider_env,
                                                            tmp_path):
    live_team.team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "monthly",
                                                             "limit_nanos": 10**9, "mode": "hard"})
    login(live_team, "member", monkeypatch, capsys)
    fake_provider_env.script(Behaviour.reply("2, 3, 5"))
    assert main(["run", prompt_file(tmp_path)]) == 0
    (record,) = HistoryRepository().recent_runs()
    (budget,) = live_team.team.call("owner", "GET", "/v1/budgets").json()
    assert budget["reserved_nanos"] == 0 and budget["spent_nanos"] == record.cost_nanos > 0
    assert [r["id"] for r in server_runs(live_team)] == [record.id]


def test_a_hard_team_budget_refuses_before_anything_is_sent(live_team, monkeypatch, capsys, fake_provider_env,
                                                           tmp_path):
    live_team.team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "daily",
                                                             "limit_nanos": 1_000, "mode": "hard"})
    login(live_team, "member", monkeypatch, capsys)
    assert main(["run", prompt_file(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert "refused by the team server" in err and "team daily budget" in err
    assert fake_provider_env.requests == [] and HistoryRepository().recent_runs() == []


@pytest.mark.parametrize("policy, exit_code, says", [
    ("refuse", 3, "the team's policy is to refuse runs while the server is unreachable"),
    ("local_cap", 0, None),
])
def test_offline_under_a_hard_team_budget_the_policy_decides(live_team, monkeypatch, capsys, fake_provider_env,
                                                            tmp_path, policy, exit_code, says):
    live_team.team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "monthly",
                                                             "limit_nanos": 10**9, "mode": "hard"})
    live_team.team.call("owner", "PATCH", "/v1/policy", json={"offline_policy": policy,
                                                              "offline_cap_nanos": 10**8})
    login(live_team, "member", monkeypatch, capsys)
    assert main(["sync"]) == 0  # learns the policy and that a hard team budget applies
    live_team.server.stop()
    fake_provider_env.script(Behaviour.reply("2, 3, 5"))
    capsys.readouterr()
    assert main(["run", prompt_file(tmp_path)]) == exit_code
    err = capsys.readouterr().err
    if says:
        assert says in err and fake_provider_env.requests == []
        # only what can help offline: no local budget, max tokens or model would make the server reachable
        assert "sync again" in err and "local_cap" in err and "raise" not in err and "cheaper model" not in err, err
    else:  # the run went ahead under the cap, and says so
        assert "the team server cannot be reached" in err and "running under the team's offline cap" in err


def test_offline_local_cap_refuses_what_would_pass_the_cap(live_team, monkeypatch, capsys, fake_provider_env,
                                                           tmp_path):
    live_team.team.call("owner", "PUT", "/v1/budgets", json={"scope": "member", "subject_id":
                                                             live_team.team.ids["member"], "period": "monthly",
                                                             "limit_nanos": 10**9, "mode": "hard"})
    live_team.team.call("owner", "PATCH", "/v1/policy", json={"offline_policy": "local_cap", "offline_cap_nanos": 1})
    login(live_team, "member", monkeypatch, capsys)
    assert main(["sync"]) == 0
    live_team.server.stop()
    capsys.readouterr()
    assert main(["run", prompt_file(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert "the team's policy allows" in err and "per member offline" in err
    assert fake_provider_env.requests == []


def test_in_proxy_mode_a_member_without_a_provider_key_runs_through_the_team_server(
        live_team, monkeypatch, capsys, fake_provider, tmp_path):
    from cryptography.fernet import Fernet

    monkeypatch.setenv("PROMPTLAB_SERVER_KEY", Fernet.generate_key().decode())
    live_team.restart()  # the server process gets the key from its environment
    team = live_team.team
    assert team.call("admin", "PUT", "/v1/provider-keys/openai", json={
        "api_key": "sk-test-team", "base_url": fake_provider.openai_base_url}).status_code == 200
    team.call("admin", "PATCH", "/v1/policy", json={"run_mode": "proxy"})
    team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "monthly", "limit_nanos": 10**9})
    login(live_team, "member", monkeypatch, capsys)  # no OPENAI_API_KEY anywhere on the client
    fake_provider.script(Behaviour.reply("Two, three and five."))
    assert main(["run", prompt_file(tmp_path)]) == 0
    assert capsys.readouterr().out == "Two, three and five.\n"
    (record,) = HistoryRepository().recent_runs()
    (remote,) = server_runs(live_team)
    assert remote["id"] == record.id and remote["cost_nanos"] == record.cost_nanos > 0
    (budget,) = team.call("owner", "GET", "/v1/budgets").json()
    assert budget["spent_nanos"] == record.cost_nanos and budget["reserved_nanos"] == 0


def test_team_alerts_reach_promptlab_alerts_and_acknowledgements_reach_the_server(
        live_team, monkeypatch, capsys, fake_provider_env, tmp_path):
    team = live_team.team
    team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "monthly", "limit_nanos": 10,
                                                   "mode": "warn", "thresholds": [100]})
    login(live_team, "member", monkeypatch, capsys)
    fake_provider_env.script(Behaviour.reply("2, 3, 5"))
    assert main(["run", prompt_file(tmp_path)]) == 0  # costs more than $0.00000001: the team's 100 %
    assert main(["sync"]) == 0
    capsys.readouterr()
    assert main(["alerts"]) == 0
    out = capsys.readouterr().out
    assert "Team monthly budget: 100% reached" in out
    local_id = next(line.split()[0].lstrip("#") for line in out.splitlines() if "Team monthly" in line)
    assert main(["alerts", "--ack", local_id]) == 0
    assert [a["acknowledged"] for a in team.call("member", "GET", "/v1/alerts?all=true").json()] == [False]
    assert main(["sync"]) == 0
    assert [a["acknowledged"] for a in team.call("member", "GET", "/v1/alerts?all=true").json()] == [True]
    assert team.call("target", "GET", "/v1/alerts").json()[0]["threshold"] == 100  # still theirs to see
