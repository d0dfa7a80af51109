"""`promptlab team stats` in text: totals, per member runs/tokens/cost/budget/status, per model, per day, top prompts."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from promptlab_tui.cli.main import main
from tests.server.conftest import run_body
from tests.sync.test_sync_client import login


def test_team_stats_text_shows_what_the_json_has_within_80_columns(live_team, monkeypatch, capsys):
    team = live_team.team
    runs = [run_body(uuid.uuid4().hex, cost=2_000_000, input_tokens=1_200, output_tokens=300,
                     prompt_name="a-rather-long-prompt-name-for-the-column") for _ in range(3)]
    assert team.call("member", "POST", "/v1/runs/batch", json={"runs": runs}).status_code == 200
    other = run_body(uuid.uuid4().hex, cost=500_000, model="gpt-4o", input_tokens=40, output_tokens=7)
    assert team.call("target", "POST", "/v1/runs/batch", json={"runs": [other]}).status_code == 200
    team.call("owner", "PUT", "/v1/budgets", json={"scope": "member", "subject_id": team.ids["member"],
                                                   "period": "daily", "limit_nanos": 5_000_000, "mode": "hard"})
    login(live_team, "owner", monkeypatch, capsys)
    assert main(["team", "stats"]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    assert "total: 4 runs, 3,640 tokens in, 907 out, $0.006500" in text
    member = next(line for line in lines if line.startswith("  member "))
    assert member.split() == ["member", "3", "3,600", "900", "$0.006000", "$0.005000", "over"]
    target = next(line for line in lines if line.startswith("  target "))
    assert target.split() == ["target", "1", "40", "7", "$0.000500", "-", "-"]
    models = lines.index(next(line for line in lines if line.startswith("models ")))
    assert lines[models + 1].split() == ["gpt-4o-mini", "3", "3,600", "900", "$0.006000"]
    day = datetime.now(timezone.utc).date().isoformat()
    assert any(line.split()[:2] == [day, "4"] for line in lines), text
    assert "top prompts" in text and "a-rather-long-p… " in text and "per day" in text
