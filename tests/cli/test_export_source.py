"""`--source` on `export` (like on `report` and `history`), and the run's source in CSV, JSON Lines and
`history --json`."""

from __future__ import annotations

import csv
import io
import json

import pytest

from promptlab_tui.cli.main import main
from tests.cli.test_report_cli import record_runs  # sources: lab 2, run 2, batch 1


def test_export_source_keeps_only_that_source_and_rows_carry_it(capsys):
    record_runs()
    assert main(["export"]) == 0
    everything = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sorted(row["source"] for row in everything) == ["batch", "lab", "lab", "run", "run"]
    assert main(["export", "--source", "lab"]) == 0
    lab = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["source"] for row in lab] == ["lab", "lab"]
    assert {row["id"] for row in lab} == {row["id"] for row in everything if row["source"] == "lab"}
    assert main(["export", "--format", "jsonl", "--source", "run", "--model", "gpt-4o"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(row["source"], row["model"]) for row in lines] == [("run", "gpt-4o")]


def test_export_refuses_an_unknown_source_with_the_choices(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--source", "notebook"])
    assert exit_info.value.code == 2
    assert "--source: invalid choice: 'notebook'" in capsys.readouterr().err


def test_history_json_carries_the_source(capsys):
    record_runs()
    assert main(["history", "--json", "--source", "batch"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [run["source"] for run in runs] == ["batch"]
