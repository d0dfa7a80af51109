"""A key pasted into a base URL (as credentials, in the path or in the query) never shows in a message or a row."""

from __future__ import annotations

import json

import pytest

from promptlab_tui.cli.main import main

SECRET = "sk-urlsecret0123456789abcdef"


def _prompt(tmp_path, model: str) -> str:
    path = tmp_path / "hello.md"
    path.write_text(f'+++\nmodel = "{model}"\nmax_tokens = 16\n+++\nSay hello.\n',
                    encoding="utf-8")
    return str(path)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again: nothing listens there


CASES = {  # (server, where the key is) -> (the URL, the model, whether the message names the URL)
    "unreachable, credentials": ("http://user:{secret}@{closed}/v1", "gpt-4o-mini", True),
    "unreachable, path": ("http://{closed}/{secret}/v1", "gpt-4o-mini", True),
    "unreachable, query": ("http://{closed}/v1?api_key={secret}", "gpt-4o-mini", True),
    "server, credentials (refused as the key)": ("http://user:{secret}@{fake}/v1", "gpt-4o-mini", False),
    "server, key in the path, unknown model": ("http://{fake}/{secret}/v1", "no-such-model", True),
}


@pytest.mark.parametrize("case", CASES)
def test_a_key_in_the_base_url_is_redacted_in_errors_and_history(case, fake_provider_env, monkeypatch, capsys,
                                                                tmp_path):
    template, model, names_url = CASES[case]
    url = template.format(secret=SECRET, closed=f"127.0.0.1:{_free_port()}",
                             fake=f"127.0.0.1:{fake_provider_env.port}")
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    code = main(["run", "--provider", "openai", _prompt(tmp_path, model)])
    out, err = capsys.readouterr()
    assert code == 4, err
    assert SECRET not in out + err and "urlsecret" not in err
    if names_url:
        assert "***" in err and "127.0.0.1" in err  # the URL is still named, with the secret masked
    assert main(["history", "--json"]) == 0
    rows = capsys.readouterr().out
    assert SECRET not in rows and "urlsecret" not in rows
    [run] = json.loads(rows)["runs"]
    assert run["status"] == "error" and ("***" in run["error"] or not names_url)


def test_keys_stored_by_an_older_version_are_masked_by_the_next_run(fake_provider_env):
    import sqlite3

    from promptlab_tui.core.history import PendingRun
    from promptlab_tui.services.runner import RunService
    from promptlab_tui.store.repository import HistoryRepository
    from tests.services.conftest import prompt

    repository = HistoryRepository()
    reservation = repository.reserve_run(PendingRun("openai", "gpt-4o-mini", 64, 11, 20, 10_000, 40_000), None)
    repository.settle_run(reservation.run_id, None, None, "error", error="ok so far")
    connection = sqlite3.connect(repository.path)  # as an older promptlab wrote it
    connection.execute("UPDATE run SET error = ? WHERE id = ?",
                       (f"Could not connect to OpenAI at http://user:{SECRET}@127.0.0.1:9/v1", reservation.run_id))
    connection.commit()
    connection.close()
    assert RunService().run(prompt()).ok
    stored = repository.get_run(reservation.run_id).error
    assert SECRET not in stored and stored == "Could not connect to OpenAI at http://***@127.0.0.1:9/v1"
