"""`promptlab history` and `promptlab reprice`, as a user types them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from promptlab_tui.cli.main import main
from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.pricing import cost_of_usage, load_pricing
from promptlab_tui.core.types import CostBreakdown, Usage
from promptlab_tui.store.repository import HistoryRepository

UTC = timezone.utc


def record(model: str = "gpt-4o-mini", cost: CostBreakdown | None = None, usage: Usage | None = None,
           when: datetime | None = None, status: str = "completed", prompt_name: str | None = "greet",
           price_version: str | None = None) -> str:
    repo = HistoryRepository()
    reservation = repo.reserve_run(
        PendingRun("openai", model, 256, 120, 80, 1_000, 5_000, price_version=price_version,
                   prompt_name=prompt_name, created_at=when), None, now=when)
    repo.settle_run(reservation.run_id, usage or Usage(input_tokens=100, output_tokens=50), cost, status,
                    response_text="hello")
    repo.close()
    return reservation.run_id


def test_history_lists_runs_newest_first_with_totals_that_count_unpriced_runs(capsys):
    start = datetime.now(UTC) - timedelta(hours=3)
    record(cost=CostBreakdown(input_nanos=4_000_000_000, output_nanos=2_200_000_000), when=start)
    record(cost=CostBreakdown(output_nanos=6_200_000_000), when=start + timedelta(hours=1), prompt_name=None)
    for minutes in (1, 2, 3):
        record(model="mystery-model", when=start + timedelta(hours=2, minutes=minutes))
    assert main(["history"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["when", "model", "prompt"]
    assert "mystery-model" in lines[1] and "no price" in lines[1]
    assert "gpt-4o-mini" in lines[-3] and "$6.20" in lines[-3]
    assert "Shown: 5 run(s), $12.40 + 3 runs without a price" in out
    assert "All time: 5 run(s), $12.40 + 3 runs without a price" in out


def test_history_json_and_pages(capsys):
    start = datetime(2024, 5, 1, tzinfo=UTC)
    ids = [record(cost=CostBreakdown(output_nanos=1_000 * (i + 1)), when=start + timedelta(minutes=i))
           for i in range(5)]
    assert main(["history", "--limit", "2", "--json"]) == 0
    page = json.loads(capsys.readouterr().out)
    assert [run["id"] for run in page["runs"]] == [ids[4], ids[3]]
    assert page["shown"] == {**page["shown"], "runs": 2, "cost_usd": "0.000009", "unpriced_runs": 0}
    assert page["all_time"]["runs"] == 5 and page["all_time"]["cost_usd"] == "0.000015"
    first = page["runs"][0]
    assert first["usage"]["input_tokens"] == 100 and first["estimate"]["worst_case_usd"] == "0.000005"
    assert first["created_at"] == "2024-05-01T00:04:00+00:00" and first["status"] == "completed"
    assert main(["history", "--limit", "2", "--before", ids[3]]) == 0
    out = capsys.readouterr().out
    assert "Shown: 2 run(s), $0.000005" in out and f"--before {ids[1]}" in out


def test_history_on_a_new_home_and_bad_arguments(capsys):
    assert main(["history"]) == 0
    assert "No runs yet" in capsys.readouterr().out
    assert main(["history", "--limit", "0"]) == 2
    assert "--limit 0" in capsys.readouterr().err
    assert main(["history", "--before", "nope"]) == 2
    assert "no run 'nope'" in capsys.readouterr().err


def test_reprice_dry_run_then_apply_with_an_audit_row(capsys):
    pricing = load_pricing()
    price = pricing.resolve("gpt-4o-mini", "openai")
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    right = cost_of_usage(price, usage)
    wrong = CostBreakdown(input_nanos=1, output_nanos=1, price_version=price.version)  # a mistaken record
    record(cost=right, usage=usage, price_version=price.version)
    changed = record(cost=wrong, usage=usage, price_version=price.version)

    assert main(["reprice", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "1 run(s) changed" in out and "Dry run: nothing was changed" in out
    assert HistoryRepository().get_run(changed).cost_nanos == 2

    assert main(["reprice", "--json"]) == 0
    applied = json.loads(capsys.readouterr().out)
    assert applied["runs_changed"] == 1 and applied["audit_id"] is not None and not applied["dry_run"]
    repo = HistoryRepository()
    assert repo.get_run(changed).cost_nanos == right.total_nanos
    assert repo.total_spend().cost_nanos == 2 * right.total_nanos
    assert len(repo.price_audits()) == 1
    repo.close()
    assert main(["reprice", "--dry-run"]) == 0
    assert "0 run(s) changed" in capsys.readouterr().out


def test_history_applies_the_retention_policy_and_settles_orphans(capsys, isolated_home):
    import subprocess
    import sys
    from pathlib import Path

    (isolated_home / "config.toml").write_text("retention_days = 30\n", encoding="utf-8")
    old = record(cost=CostBreakdown(output_nanos=10), when=datetime.now(UTC) - timedelta(days=40))
    recent = record(cost=CostBreakdown(output_nanos=10), when=datetime.now(UTC) - timedelta(days=3))
    holder = subprocess.Popen([sys.executable, "-m", "tests.store.ledger_worker", str(isolated_home / "promptlab.db"),
                               "25"], cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE, text=True)
    orphan = holder.stdout.readline().strip()
    holder.kill()
    holder.wait(timeout=30)

    assert main(["history"]) == 0
    captured = capsys.readouterr()
    assert "settled 1 run(s) left pending" in captured.err and "interrupted" in captured.out
    repo = HistoryRepository()
    assert repo.get_run(old).response_text is None and repo.get_run(old).cost_nanos == 10
    assert repo.get_run(recent).response_text == "hello"
    assert repo.get_run(orphan).status == "interrupted"
    repo.close()


def test_history_delete_removes_one_run_and_every_total_still_equals_the_remaining_rows(capsys):
    import sqlite3

    from promptlab_tui.core.budget import BudgetSettings

    now = datetime.now(UTC)
    kept = [record(cost=CostBreakdown(input_nanos=1_000_000_000 * (i + 1)), when=now - timedelta(minutes=i),
                   prompt_name=f"p{i % 2}") for i in range(3)]
    secret = record(cost=CostBreakdown(output_nanos=2_500_000_000), when=now - timedelta(minutes=5),
                    prompt_name="p1", usage=Usage(input_tokens=700, output_tokens=300))
    unpriced = record(model="mystery-model", when=now - timedelta(minutes=6))

    assert main(["history", "--delete", secret]) == 0
    assert f"Deleted run {secret} (gpt-4o-mini, $2.50" in capsys.readouterr().out
    assert main(["history", "--delete", unpriced, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["deleted"]["id"] == unpriced

    repo = HistoryRepository()
    rows = sqlite3.connect(repo.path).execute(
        "SELECT COUNT(*), SUM(cost_nanos), SUM(input_tokens), SUM(output_tokens), SUM(cost_nanos IS NULL) FROM run"
    ).fetchone()
    assert rows == (3, 6_000_000_000, 300, 150, 0)
    total = repo.total_spend()
    assert (total.runs, total.cost_nanos, total.input_tokens, total.output_tokens, total.unpriced_runs) == rows
    month = next(s for s in repo.budget_status(BudgetSettings(monthly_limit_nanos=10**12, timezone="UTC"), now)
                 if s.kind == "monthly")
    assert (month.spent_nanos, month.unpriced_runs) == (6_000_000_000, 0)
    start = now - timedelta(days=2)
    assert {(g.key, g.cost_nanos) for g in repo.spend_by_model(start, now + timedelta(days=1))} == {
        ("gpt-4o-mini", 6_000_000_000)}
    assert {(g.key, g.cost_nanos) for g in repo.top_prompts(start, now + timedelta(days=1))} == {
        ("p0", 4_000_000_000), ("p1", 2_000_000_000)}
    assert repo.get_run(secret) is None and sorted(r.id for r in repo.recent_runs()) == sorted(kept)
    repo.close()


def test_history_delete_refuses_an_unknown_or_running_run(capsys):
    repo = HistoryRepository()
    running = repo.reserve_run(PendingRun("openai", "gpt-4o-mini", 256, 120, 80, 1_000, 5_000), None).run_id
    repo.close()
    assert main(["history", "--delete", "no-such-run"]) == 2
    assert "no run 'no-such-run' in the history" in capsys.readouterr().err
    assert main(["history", "--delete", running]) == 2
    assert "still running" in capsys.readouterr().err
