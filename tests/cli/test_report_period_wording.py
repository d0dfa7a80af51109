"""`report` wording that depends on the period: everything recorded prints no changes, a custom range is named in
recommendation titles, and a finished period has no burn rate."""

from __future__ import annotations

import json

from promptlab_tui.cli.main import main
from tests.cli.test_report_cli import PERIOD, record_runs


def _report(capsys, *args: str) -> str:
    assert main(["report", *args]) == 0
    return capsys.readouterr().out


def test_everything_recorded_has_no_earlier_period_and_prints_no_changes(capsys, monkeypatch):
    record_runs()
    monkeypatch.setenv("COLUMNS", "160")
    table = _report(capsys, "--period", "all")
    assert "no earlier period to compare" in table
    assert "(new)" not in table and " new" not in table and "change" not in table
    assert "Spent" in table and "$5.90" in table  # the figures are there, only the changes are not
    for fmt in ("md", "html"):
        text = _report(capsys, "--period", "all", "--format", fmt)
        assert "no earlier period to compare" in text and "new" not in text.replace("newline", "")
    data = json.loads(_report(capsys, "--period", "all", "--format", "json"))
    assert data["comparison"] is None
    assert data["cards"]["spent_nanos"]["change"] is None and data["cards"]["runs"]["percent"] is None
    assert all(row["change"]["change"] is None for row in data["breakdown"]["rows"])


def test_a_bounded_period_still_prints_its_changes(capsys, monkeypatch):
    record_runs()
    monkeypatch.setenv("COLUMNS", "160")
    table = _report(capsys, "--period", PERIOD)
    assert "compared with 2026-10-26 .. 2026-11-01" in table and "(new)" in table and "change" in table


def test_recommendation_titles_name_a_custom_range(capsys):
    record_runs()
    data = json.loads(_report(capsys, "--period", PERIOD, "--format", "json"))
    titles = [item["title"] for item in data["recommendations"]["items"] if item["kind"] == "switch_model"]
    assert titles, data["recommendations"]
    assert all("custom" not in title for title in titles), titles
    assert any("$4.12 in 2026-11-02 .. 2026-11-08; on gpt-4o-mini" in title for title in titles), titles


def test_a_finished_period_has_no_burn_rate_nor_a_pace(capsys, monkeypatch):
    record_runs()
    monkeypatch.setenv("COLUMNS", "160")
    past = _forecast(_report(capsys, "--period", PERIOD))
    assert "Projected" in past and "Burn rate" not in past and "at this pace" not in past
    assert "Budget" in past  # the weekly budget: reached or not, without a pace
    current = _forecast(_report(capsys, "--period", "month"))
    assert "Burn rate" in current and "an hour today" in current


def _forecast(table: str) -> str:
    """The table's Forecast section (up to the next blank line)."""
    return table.split("\nForecast\n", 1)[1].split("\n\n", 1)[0]
