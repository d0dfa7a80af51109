"""Issue 9 options of `report` and `export` that had no test of their own: --period all, --accept, --by
provider/source, the table written with -o, and export's --prompt and --status filters."""

from __future__ import annotations

import csv
import io
import json
import os
import stat

from promptlab_tui.cli.main import main
from tests.cli.test_export_cli import history
from tests.cli.test_report_cli import PERIOD, record_runs


def _json_report(capsys, *args: str) -> dict:
    assert main(["report", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_period_all_covers_everything_recorded(capsys):
    record_runs()
    data = _json_report(capsys, "--period", "all")
    assert data["period"]["kind"] == "all" and data["period"]["first"] == "2026-11-02"  # the first recorded day
    assert data["totals"]["runs"] == 5
    # 4.12 + 0.25 + 1.50 + 0.03 dollars; the run without a price is counted, not added as $0
    assert data["totals"]["cost_nanos"] == 5_900_000_000 and data["totals"]["unpriced_runs"] == 1


def test_accept_adds_a_model_the_user_marks_acceptable(capsys):
    record_runs()
    plain = _json_report(capsys, "--period", PERIOD)["recommendations"]["items"]
    assert not any("claude-haiku-4.5" in item["title"] for item in plain)  # another provider: not offered
    accepted = _json_report(capsys, "--period", PERIOD, "--accept", "claude-haiku-4.5")["recommendations"]["items"]
    titles = [item["title"] for item in accepted]
    assert any("on claude-haiku-4.5" in title for title in titles), titles


def test_by_provider_and_by_source_group_the_period(capsys):
    record_runs()
    by_provider = _json_report(capsys, "--period", PERIOD, "--by", "provider")
    assert [row["key"] for row in by_provider["breakdown"]["rows"]] == ["openai"]
    by_source = _json_report(capsys, "--period", PERIOD, "--by", "source")
    runs = {row["key"]: row["runs"] for row in by_source["breakdown"]["rows"]}
    assert runs == {"lab": 2, "run": 2, "batch": 1}


def test_the_table_written_with_o_is_the_table_and_private(capsys, tmp_path, monkeypatch):
    record_runs()
    monkeypatch.setenv("COLUMNS", "80")
    target = tmp_path / "report.txt"
    assert main(["report", "--period", PERIOD, "-o", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("Usage report: custom (2026-11-02 .. 2026-11-08)") and "By model" in text
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_export_filters_by_prompt_and_by_status(tmp_path, capsys):
    ids = history(tmp_path)
    capsys.readouterr()
    assert main(["export", "--status", "error"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["id"] for row in rows] == [ids["error"]]
    assert main(["export", "--format", "jsonl", "--prompt", "summarise"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert {json.loads(line)["prompt_name"] for line in lines} == {"summarise"}
    assert {json.loads(line)["id"] for line in lines} == {ids["plain"], ids["error"], ids["april"]}


def test_an_export_of_the_report_s_period_adds_up_to_the_report(capsys):
    from decimal import Decimal

    record_runs()
    totals = _json_report(capsys, "--period", PERIOD)["totals"]
    first, last = PERIOD.split("..")
    assert main(["export", "--since", first, "--until", last]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == totals["runs"] == 5
    exported = sum(Decimal(row["cost_usd"]) for row in rows if row["cost_usd"])
    assert exported * 10**9 == totals["cost_nanos"] == 5_900_000_000
    assert sum(not row["cost_usd"] for row in rows) == totals["unpriced_runs"] == 1
    assert sum(int(row["output_tokens"]) for row in rows) == totals["output_tokens"]
    assert main(["export", "--format", "focus", "--since", first, "--until", last]) == 0
    focus = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sum(Decimal(row["BilledCost"]) for row in focus) * 10**9 == totals["cost_nanos"]
