"""Cache hits are $0 runs with 0 tokens: later estimates, calibration and accuracy must not learn from them."""

from __future__ import annotations

import json

from promptlab_tui.cli.main import main
from promptlab_tui.store.repository import HistoryRepository
from tests.choice.helpers import run_json, write_prompt
from tests.fakeprovider.behaviours import Behaviour


def estimate_json(capsys, *argv: str) -> dict:
    assert main(["estimate", "--json", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_cache_hits_do_not_lower_the_expected_output(fake_provider_env, tmp_path, capsys):
    fake_provider_env.default = Behaviour.reply("two, three, five, seven, eleven, thirteen and seventeen")
    path = write_prompt(tmp_path, "cal.md", model="claude-3-haiku", cache=True)
    code, (first,) = run_json(capsys, path)
    answered = first["usage"]["output_tokens"] if "usage" in first else None
    for _ in range(3):
        code, (hit,) = run_json(capsys, path)
        assert code == 0 and hit["cache_hit"] is not None
    assert len(fake_provider_env.requests) == 1
    history = HistoryRepository()
    real = history.get_run(first["run_id"])
    assert answered in (None, real.output_tokens) and real.output_tokens > 5
    estimate = estimate_json(capsys, path)
    assert estimate["output_tokens"]["expected"] == real.output_tokens  # not (15 + 0 + 0 + 0) / 4
    assert "1 run" in estimate["output_tokens"]["basis"]
    assert history.output_stats("claude-3-haiku", "cal").count == 1
    calibration = history.calibration_ratio("claude-3-haiku")
    assert calibration is None or float(calibration) > 0.5  # learned from the real run only, not from 0-token hits


def test_cache_hits_are_not_in_the_estimate_accuracy_rows(fake_provider_env, tmp_path, capsys):
    from datetime import datetime, timedelta, timezone

    from promptlab_tui.store.analytics import estimate_rows

    fake_provider_env.default = Behaviour.reply("ok then")
    path = write_prompt(tmp_path, "acc.md", model="gpt-4o-mini", cache=True)
    for _ in range(3):
        assert run_json(capsys, path)[0] == 0
    now = datetime.now(timezone.utc)
    with HistoryRepository().db.raw_read() as conn:
        rows = estimate_rows(conn, now - timedelta(days=1), now + timedelta(days=1))
    assert len(rows) == 1 and rows[0][4] > 0  # the provider's answer only, not two -100 % hits
