"""`promptlab team …` against a live server: what an owner types to run the team."""

from __future__ import annotations

import json

from promptlab_tui.cli.main import main
from tests.sync.test_sync_client import login


def out(capsys) -> str:  # type: ignore[no-untyped-def]
    return capsys.readouterr().out


def test_an_owner_runs_the_team_from_the_cli(live_team, monkeypatch, capsys):
    login(live_team, "owner", monkeypatch, capsys)
    assert main(["team", "add", "dana", "--role", "admin"]) == 0
    text = out(capsys)
    assert "Added dana (admin)" in text and "plt_" in text
    assert main(["team", "members"]) == 0 and "dana" in out(capsys)
    assert main(["team", "role", "dana", "member"]) == 0 and "dana is now member." in out(capsys)
    assert main(["team", "token", "dana", "--label", "laptop"]) == 0 and "plt_" in out(capsys)
    assert main(["team", "--json", "tokens", "dana"]) == 0
    tokens = json.loads(out(capsys))
    assert [t["label"] for t in tokens] == ["first token", "laptop"] and all("token" not in t for t in tokens)
    assert main(["team", "revoke", str(tokens[1]["id"])]) == 0 and "revoked" in out(capsys)
    assert main(["team", "group", "research", "--members", "dana,member"]) == 0
    assert "Group research" in out(capsys)
    assert main(["team", "budget", "group", "research", "--period", "monthly", "--limit", "25"]) == 0
    assert main(["team", "budget", "team", "--period", "daily", "--limit", "5", "--mode", "warn"]) == 0
    capsys.readouterr()
    assert main(["team", "budgets"]) == 0
    text = out(capsys)
    assert "group" in text and "$25.00" in text and "daily" in text and "$5.00" in text
    assert main(["team", "policy", "--offline", "local_cap", "--offline-cap", "1.50"]) == 0
    assert "local_cap (cap $1.50 per member)" in out(capsys)
    assert main(["team", "stats"]) == 0 and "total: 0 runs" in out(capsys)
    assert main(["team", "remove", "dana", "--erase-text"]) == 0 and "their prompt and answer text was erased" in out(
        capsys)


def test_bad_team_commands_say_what_is_wrong(live_team, monkeypatch, capsys):
    login(live_team, "member", monkeypatch, capsys)
    assert main(["team", "members"]) == 2
    assert "needs the admin or owner role" in capsys.readouterr().err
    assert main(["team", "budget", "team", "--period", "daily", "--limit", "lots"]) == 2
    assert "--limit: 'lots' is not an amount in USD" in capsys.readouterr().err
    assert main(["logout"]) == 0
    assert main(["team", "members"]) == 2 and "not logged in" in capsys.readouterr().err
