"""One rule for the reporting time zone: the budget's zone when a budget is set, else the system's; `report` and
`budget` state it in the same words."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from promptlab_tui.cli.main import main
from promptlab_tui.core.types import CostBreakdown, Usage
from tests.cli.test_export_cli import record


def _out(capsys, *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_without_a_budget_report_and_budget_use_and_state_the_system_zone(capsys, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")  # the rollups are made in the zone of the first run's machine
    record(datetime(2026, 11, 3, 9, tzinfo=timezone.utc), CostBreakdown(input_nanos=1_000_000),
           Usage(input_tokens=100, output_tokens=10))
    monkeypatch.setenv("TZ", "America/New_York")  # the system's zone now (was reported as the rollups' Berlin)
    phrase = "time zone America/New_York (this system's; no budget set)"
    assert phrase in _out(capsys, "report", "--period", "all")
    assert json.loads(_out(capsys, "report", "--period", "all", "--format", "json"))["timezone"] == "America/New_York"
    budget = _out(capsys, "budget")
    assert "No budget set yet" in budget and phrase in budget
    assert "Europe/Berlin" not in budget


def test_with_a_budget_both_state_the_budget_s_zone(capsys, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    record(datetime(2026, 11, 3, 9, tzinfo=timezone.utc), CostBreakdown(input_nanos=1_000_000),
           Usage(input_tokens=100, output_tokens=10))
    assert main(["budget", "set", "--daily", "5", "--timezone", "Europe/Berlin"]) == 0
    capsys.readouterr()
    phrase = "time zone Europe/Berlin (the budget's)"
    assert phrase in _out(capsys, "report", "--period", "all")
    assert phrase in _out(capsys, "budget")
