"""Fallback chains on the two provider failures the other fallback tests leave out: a timeout and a
refused connection (issue 11: "429 after retries, 5xx, timeout, connection"). Each failed attempt is
still a recorded run of its own, linked to the one that answered."""

from __future__ import annotations

import socket

import pytest

from promptlab_tui.store import run_links
from promptlab_tui.store.repository import HistoryRepository
from tests.choice.helpers import run_json, write_prompt
from tests.fakeprovider.behaviours import Behaviour


@pytest.fixture(autouse=True)
def one_quick_try_each(isolated_home):
    (isolated_home / "config.toml").write_text("request_timeout_seconds = 1.0\n\n[retry]\nmax_attempts = 1\n"
                                               "base_delay_seconds = 0.01\n", encoding="utf-8")


def closed_port() -> int:
    with socket.socket() as sock:  # bound then closed: nothing listens there
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def attempts_in_history(result: dict) -> list[tuple[str, str]]:
    history = HistoryRepository()
    chain = result["fallback"]
    links = run_links.group(history.db, chain["group_id"])
    assert [link.run_id for link in links] == [a["run_id"] for a in chain["attempts"]]
    return [(history.get_run(a["run_id"]).model, history.get_run(a["run_id"]).status) for a in chain["attempts"]]


def test_a_timeout_falls_back_to_the_next_model(fake_provider_env, tmp_path, capsys):
    fake_provider_env.script(Behaviour.reply("late", first_byte_delay=3.0), Behaviour.reply("2, 3, 5"))
    path = write_prompt(tmp_path, "chain.md", model="gpt-4o", fallback=["gpt-4o-mini"])
    code, (result,) = run_json(capsys, path)
    assert code == 0 and result["text"] == "2, 3, 5" and result["model"] == "gpt-4o-mini"
    assert result["fallback"]["answered_by"] == "gpt-4o-mini"
    assert attempts_in_history(result) == [("gpt-4o", "error"), ("gpt-4o-mini", "completed")]


def test_a_refused_connection_falls_back_to_the_next_provider(fake_provider_env, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")  # OpenAI unreachable
    fake_provider_env.script(Behaviour.reply("2, 3, 5"))
    path = write_prompt(tmp_path, "chain.md", model="gpt-4o", fallback=["claude-haiku-4.5"])
    code, (result,) = run_json(capsys, path)
    assert code == 0 and result["text"] == "2, 3, 5" and result["provider"] == "anthropic"
    assert [r.path for r in fake_provider_env.requests] == ["/v1/messages"]  # the fake never saw the OpenAI try
    assert attempts_in_history(result) == [("gpt-4o", "error"), ("claude-haiku-4.5", "completed")]
