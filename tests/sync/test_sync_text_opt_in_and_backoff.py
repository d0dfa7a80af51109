"""Issue 12's client items the other sync tests leave out: prompt and answer text go to the team server only
after the member opts in (the default, numbers only, is tested in test_sync_client.py), and the background
sync backs off after failures and returns to its interval once synced."""

from __future__ import annotations

from promptlab_tui.cli.main import main
from promptlab_tui.sync.engine import BackgroundSync, SyncState
from tests.fakeprovider.behaviours import Behaviour
from tests.sync.test_sync_client import login, prompt_file, server_runs


def test_a_member_who_shares_text_sends_prompt_and_answer(live_team, monkeypatch, capsys, fake_provider_env,
                                                           tmp_path):
    assert live_team.team.call("member", "PATCH", "/v1/me/settings", json={"share_text": True}).status_code == 200
    out = login(live_team, "member", monkeypatch, capsys)
    assert "prompt and answer text is shared." in out
    fake_provider_env.script(Behaviour.reply("2, 3, 5"))
    assert main(["run", prompt_file(tmp_path)]) == 0
    assert main(["sync"]) == 0
    (remote,) = server_runs(live_team)
    assert "Name three primes." in remote["prompt_text"] and remote["response_text"] == "2, 3, 5"


def test_background_sync_backs_off_when_offline_and_resets_once_synced():
    worker = BackgroundSync(db=None, login=None, on_state=lambda state: None,  # type: ignore[arg-type]
                            interval=30.0, base_delay=2.0, max_delay=10.0)
    offline = SyncState("offline", message="connection refused")
    assert [worker.next_delay(offline) for _ in range(5)] == [2.0, 4.0, 8.0, 10.0, 10.0]
    assert worker.next_delay(SyncState("error", message="500")) == 10.0
    assert worker.next_delay(SyncState("synced")) == 30.0
    assert worker.next_delay(offline) == 2.0  # a new failure streak starts from the base delay
