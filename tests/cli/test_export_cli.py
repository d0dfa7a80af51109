"""`promptlab export`: CSV, JSON Lines and FOCUS rows read back and checked against the stored runs."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from promptlab_tui.cli.main import main
from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.money import usd_string
from promptlab_tui.core.types import CostBreakdown, Usage
from promptlab_tui.store.repository import HistoryRepository

UTC = timezone.utc
START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def record(when: datetime, cost: CostBreakdown | None, usage: Usage, *, model: str = "gpt-4o-mini",
           provider: str = "openai", status: str = "completed", tags: tuple[str, ...] = (),
           prompt_name: str | None = "summarise", settle: bool = True) -> str:
    repo = HistoryRepository()
    reservation = repo.reserve_run(
        PendingRun(provider, model, 512, 120, 80, 1_000, 5_000, prompt_name=prompt_name, tags=tags,
                   created_at=when, price_version=cost.price_version if cost else None), None, now=when)
    if settle:
        repo.settle_run(reservation.run_id, usage, cost, status, response_text="ok",
                        finished_at=when + timedelta(seconds=2))
    repo.close()
    return reservation.run_id


def history(tmp_path: Path) -> dict[str, str]:
    ids = {
        "plain": record(START, CostBreakdown(input_nanos=150_000, output_nanos=600_000, price_version="v-mini"),
                        Usage(input_tokens=1_000, output_tokens=1_000), tags=("prod", "customer-acme")),
        "cached": record(START + timedelta(hours=5), CostBreakdown(
            input_nanos=2_500_000, cached_input_nanos=1_250_000, cache_write_nanos=3_750_000,
            output_nanos=10_000_000, price_version="v-sonnet"),
            Usage(input_tokens=1_000, cached_input_tokens=1_000, cache_write_tokens=1_000, output_tokens=1_000),
            model="claude-sonnet-4.5", provider="anthropic", tags=("eval",), prompt_name='say "hi", twice'),
        "unpriced": record(START + timedelta(days=1), None, Usage(input_tokens=70, output_tokens=30),
                           model="mystery-model", prompt_name=None),
        "error": record(START + timedelta(days=2), CostBreakdown(price_version="v-mini"), Usage(), status="error"),
        "april": record(START + timedelta(days=30), CostBreakdown(input_nanos=15_000_000_000, price_version="v-mini"),
                        Usage(input_tokens=100_000_000)),
    }
    record(START + timedelta(days=31), None, Usage(), settle=False)  # still running: not exported
    return ids


def test_csv_read_back_equals_the_stored_runs_and_totals_match_history(tmp_path, capsys):
    ids = history(tmp_path)
    target = tmp_path / "runs.csv"
    assert main(["export", "--format", "csv", "-o", str(target)]) == 0
    assert "5 runs to" in capsys.readouterr().err
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == [ids[k] for k in ("plain", "cached", "unpriced", "error", "april")]
    repo = HistoryRepository()
    for row in rows:
        run = repo.get_run(row["id"])
        assert datetime.fromisoformat(row["created_at"].replace("Z", "+00:00")) == run.created_at
        assert (row["model"], row["provider"], row["status"]) == (run.model, run.provider, run.status)
        assert row["prompt_name"] == (run.prompt_name or "")
        assert json.loads(row["tags"] or "[]") == list(run.tags)
        assert int(row["input_tokens"]) == run.input_tokens and int(row["output_tokens"]) == run.output_tokens
        assert int(row["cached_input_tokens"]) == run.cached_input_tokens
        assert row["cost_usd"] == (usd_string(run.cost_nanos) or "")
        assert row["input_cost_usd"] == (usd_string(run.input_cost_nanos) or "")
        assert row["price_version"] == (run.price_version or "")
    by_id = {row["id"]: row for row in rows}
    assert by_id[ids["plain"]]["cost_usd"] == "0.00075" and by_id[ids["unpriced"]]["cost_usd"] == ""
    assert by_id[ids["cached"]]["prompt_name"] == 'say "hi", twice'  # quoted by the csv module, read back whole
    assert by_id[ids["april"]]["cost_usd"] == "15"
    exported = sum(Decimal(row["cost_usd"]) for row in rows if row["cost_usd"])
    assert main(["history", "--json"]) == 0
    all_time = json.loads(capsys.readouterr().out)["all_time"]
    assert exported == Decimal(all_time["cost_usd"]) == Decimal("15.018250")
    assert sum(not row["cost_usd"] for row in rows) == all_time["unpriced_runs"] == 1


def test_jsonl_one_object_per_run_with_exact_money_as_strings(tmp_path, capsys):
    ids = history(tmp_path)
    assert main(["export", "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    objects = [json.loads(line) for line in lines]
    assert [o["id"] for o in objects] == [ids[k] for k in ("plain", "cached", "unpriced", "error", "april")]
    plain = objects[0]
    assert plain["tags"] == ["prod", "customer-acme"] and plain["cost_usd"] == "0.00075"
    assert plain["usage_estimated"] is False and plain["input_tokens"] == 1_000
    assert objects[2]["cost_usd"] is None and objects[2]["prompt_name"] is None


def test_since_and_until_are_days_in_the_budget_zone_until_inclusive(tmp_path, capsys):
    ids = history(tmp_path)
    assert main(["export", "--format", "jsonl", "--since", "2026-03-11", "--until", "2026-03-12"]) == 0
    got = [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]
    assert got == [ids["unpriced"], ids["error"]]
    assert main(["export", "--format", "jsonl", "--since", "2026-03-10T14:00:00Z", "--model", "claude-sonnet-4.5"]) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == [ids["cached"]]
    assert main(["export", "--format", "jsonl", "--tag", "prod"]) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == [ids["plain"]]


@pytest.mark.parametrize("argv, message", [
    (["--since", "last tuesday"], "--since 'last tuesday': expected a date YYYY-MM-DD"),
    (["--since", "2026-03-12", "--until", "2026-03-11"], "--until 2026-03-11 is not after --since 2026-03-12"),
    (["-o", "missing-folder/runs.csv"], "expected a file in an existing folder"),
])
def test_bad_input_exits_2_with_what_was_expected(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    assert main(["export", *argv]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err and captured.out == ""


def test_focus_rows_split_each_run_by_token_kind_and_sum_to_its_cost(tmp_path, capsys):
    ids = history(tmp_path)
    target = tmp_path / "focus.csv"
    assert main(["export", "--format", "focus", "-o", str(target)]) == 0
    err = capsys.readouterr().err
    assert "1 run(s) without a price left out" in err
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    cached = [row for row in rows if row["x_RunId"] == ids["cached"]]
    assert [(r["x_TokenKind"], r["ConsumedQuantity"], r["BilledCost"]) for r in cached] == [
        ("input", "1000.0", "0.0025"), ("cached-input", "1000.0", "0.00125"), ("cache-write", "1000.0", "0.00375"),
        ("output", "1000.0", "0.01")]
    first = cached[0]
    assert first["ProviderName"] == "Anthropic" and first["ServiceName"] == "Anthropic API"
    assert first["ServiceCategory"] == "AI and Machine Learning" and first["ChargeCategory"] == "Usage"
    assert first["ChargePeriodStart"] == "2026-03-10T14:00:00Z" and first["ChargePeriodEnd"] == "2026-03-10T15:00:00Z"
    assert first["BillingPeriodStart"] == "2026-03-01T00:00:00Z" and first["BillingPeriodEnd"] == "2026-04-01T00:00:00Z"
    assert first["PricingQuantity"] == "0.001" and first["PricingUnit"] == "1000000 Tokens"
    assert first["ListUnitPrice"] == "2.5" and cached[3]["ListUnitPrice"] == "10"  # $ per million tokens
    assert first["ResourceName"] == 'say "hi", twice'  # quoted in SQL as the csv module quotes
    with target.open(newline="", encoding="utf-8") as handle:
        text = handle.read()
    rewritten = io.StringIO(newline="")
    csv.writer(rewritten).writerows(csv.reader(io.StringIO(text, newline="")))
    assert rewritten.getvalue() == text
    assert json.loads(first["Tags"]) == {"eval": None} and first["SkuId"] == "anthropic:claude-sonnet-4.5:input"
    assert all(r["BilledCost"] == r["EffectiveCost"] == r["ListCost"] for r in rows)
    assert {r["x_RunId"] for r in rows} == {ids["plain"], ids["cached"], ids["april"]}  # error: nothing billed
    billed = sum(Decimal(r["BilledCost"]) for r in rows)
    assert main(["history", "--json"]) == 0
    assert billed == Decimal(json.loads(capsys.readouterr().out)["all_time"]["cost_usd"])


def test_an_empty_history_exports_just_the_header(tmp_path, capsys):
    assert main(["export"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [captured.out.splitlines()[0]] and captured.out.startswith("id,created_at,")
    assert "0 runs" in captured.err


def test_a_cancelled_export_leaves_no_file(tmp_path, monkeypatch):
    """The app's export can be cancelled: the target never appears half written, nor does its temporary file."""
    import threading

    from promptlab_tui.services import export as export_service
    from promptlab_tui.store.export_queries import ExportFilter

    for i in range(30):
        record(START + timedelta(minutes=i), CostBreakdown(input_nanos=1_000, price_version="v"),
               Usage(input_tokens=10))
    monkeypatch.setattr(export_service, "BATCH", 10)
    cancel = threading.Event()
    seen = []

    def progress(rows: int) -> None:
        seen.append(rows)
        cancel.set()  # the user presses cancel after the first batch

    target = tmp_path / "runs.csv"
    repo = HistoryRepository()
    try:
        with pytest.raises(export_service.ExportCancelled):
            export_service.export_to_file(repo, "csv", ExportFilter(), target, progress, cancel)
        assert seen == [10] and not target.exists() and not list(tmp_path.glob("*runs.csv*"))
        done = export_service.export_to_file(repo, "csv", ExportFilter(), target)
        assert done.rows == 30 and len(target.read_text().splitlines()) == 31
    finally:
        repo.close()
