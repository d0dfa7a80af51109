"""`promptlab team provider-key set|list|remove`: proxy mode's keys stored from the CLI, never shown or kept in clear."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from promptlab_tui.cli.main import main
from tests.fakeprovider.behaviours import Behaviour
from tests.sync.test_sync_client import login, prompt_file

KEY = "sk-fake-team-secret-0123456789abcdefWXYZ"


@pytest.fixture
def keyed_server(live_team, monkeypatch):  # type: ignore[no-untyped-def]
    from cryptography.fernet import Fernet

    monkeypatch.setenv("PROMPTLAB_SERVER_KEY", Fernet.generate_key().decode())
    live_team.restart()  # the server process reads the key from its environment
    return live_team


def _server_output(live) -> str:  # type: ignore[no-untyped-def]
    live.server.process.terminate()
    live.server.process.wait(10)
    return live.server.process.stdout.read().decode(errors="replace")


def _database_bytes(db_url: str) -> bytes:
    path = Path(db_url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))  # the file and its -wal


def test_an_admin_stores_lists_and_removes_a_key_that_never_shows_in_clear(keyed_server, monkeypatch, capsys,
                                                                          fake_provider, tmp_path):
    live = keyed_server
    login(live, "admin", monkeypatch, capsys)
    monkeypatch.setattr("sys.stdin", io.StringIO(KEY + "\n"))  # piped, as from a file or a secrets manager
    assert main(["team", "provider-key", "set", "openai", "--base-url", fake_provider.openai_base_url]) == 0
    said = capsys.readouterr()
    assert "Stored the openai key …WXYZ" in said.out
    assert main(["team", "provider-key", "list"]) == 0
    listed = capsys.readouterr().out
    assert "openai" in listed and "…WXYZ" in listed
    assert main(["team", "--json", "provider-key", "list"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["provider"] == "openai" and entry["last4"] == "WXYZ" and "api_key" not in entry
    # The stored key is what the server sends the provider: a member runs with no key of their own.
    live.team.call("admin", "PATCH", "/v1/policy", json={"run_mode": "proxy"})
    login(live, "member", monkeypatch, capsys)
    fake_provider.require_key, fake_provider.valid_key_prefix = True, KEY
    fake_provider.script(Behaviour.reply("Two, three and five."))
    assert main(["run", prompt_file(tmp_path)]) == 0
    assert fake_provider.last_request.key_accepted
    capsys.readouterr()
    # A member may not read or change the keys; the refusal does not echo anything of the key.
    monkeypatch.setattr("sys.stdin", io.StringIO(KEY + "\n"))
    assert main(["team", "provider-key", "set", "openai"]) == 2
    refused = capsys.readouterr()
    assert "admin or owner" in refused.err
    login(live, "admin", monkeypatch, capsys)
    assert main(["team", "provider-key", "remove", "openai"]) == 0 and "Removed the openai key." in capsys.readouterr().out
    assert main(["team", "provider-key", "list"]) == 0 and "holds no provider keys" in capsys.readouterr().out
    assert main(["team", "provider-key", "remove", "openai"]) == 2 and "no key for openai" in capsys.readouterr().err
    everything_said = said.out + said.err + listed + refused.out + refused.err + _server_output(live)
    assert KEY not in everything_said and KEY[:-4] not in everything_said
    assert KEY.encode() not in _database_bytes(live.db_url)


def test_the_key_is_never_an_argument_and_an_empty_one_is_refused(keyed_server, monkeypatch, capsys):
    login(keyed_server, "admin", monkeypatch, capsys)
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert main(["team", "provider-key", "set", "openai"]) == 2
    assert "no openai API key given" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("sk-with a space\n"))
    assert main(["team", "provider-key", "set", "openai"]) == 2
    err = capsys.readouterr().err
    assert "spaces or control characters" in err and "sk-with" not in err
    with pytest.raises(SystemExit) as exited:  # argparse: no positional for the key
        main(["team", "provider-key", "set", "openai", "sk-on-the-command-line"])
    assert exited.value.code == 2
    assert keyed_server.team.call("admin", "GET", "/v1/provider-keys").json() == []


def test_without_a_server_key_the_server_refuses_to_store_keys_and_says_why(live_team, monkeypatch, capsys):
    monkeypatch.delenv("PROMPTLAB_SERVER_KEY", raising=False)
    live_team.restart()
    login(live_team, "admin", monkeypatch, capsys)
    monkeypatch.setattr("sys.stdin", io.StringIO(KEY + "\n"))
    assert main(["team", "provider-key", "set", "openai"]) == 2
    err = capsys.readouterr().err
    assert "PROMPTLAB_SERVER_KEY" in err and KEY not in err
