"""`promptlab report` as a user types it: every format, totals equal to their rows, PDF and HTML read back."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from promptlab_tui.cli.main import main
from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.types import CostBreakdown, Usage
from promptlab_tui.store.repository import HistoryRepository

UTC = timezone.utc
DOLLAR = 1_000_000_000
PERIOD = "2026-11-02..2026-11-08"
RUNS = [  # day, hour, model, prompt, tags, source, cost in nanos (None: no price), status
    (2, 9, "gpt-4o", "summarise", ("prod", "acme"), "lab", 4_120_000_000, "completed"),
    (2, 10, "gpt-4o-mini", "summarise", ("prod",), "run", 250_000_000, "completed"),
    (3, 14, "gpt-4o", "classify", (), "run", 1_500_000_000, "error"),
    (4, 11, "mystery-model", "classify", ("acme",), "batch", None, "completed"),
    (5, 16, "gpt-4o-mini", None, ("eval",), "lab", 30_000_000, "completed"),
]
COSTS = {"gpt-4o": "$5.62", "gpt-4o-mini": "$0.28"}  # whole cents shown as cents (core.money's one rule)  # 4.12 + 1.50, 0.25 + 0.03


def record_runs(runs=RUNS) -> None:
    repo = HistoryRepository()
    repo.save_budget(BudgetSettings(timezone="UTC", weekly_limit_nanos=10 * DOLLAR))
    for day, hour, model, prompt, tags, source, cost, status in runs:
        when = datetime(2026, 11, day, hour, tzinfo=UTC)
        reservation = repo.reserve_run(PendingRun("openai", model, 512, 1_000, 100, cost, cost, prompt_name=prompt,
                                                  tags=tags, source=source, created_at=when), None, now=when)
        breakdown = None if cost is None else CostBreakdown(input_nanos=cost // 2, output_nanos=cost - cost // 2)
        repo.settle_run(reservation.run_id, Usage(input_tokens=1_000, output_tokens=200, cached_input_tokens=100),
                        breakdown, status, finished_at=when)
    repo.close()


def report(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["report", "--period", PERIOD, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_table_fits_80_columns_and_its_total_is_the_sum_of_its_rows(capsys, monkeypatch):
    record_runs()
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = report(capsys)
    assert code == 0 and max(map(len, out.splitlines())) <= 80
    assert "Spent            $5.90 + 1 run without a price" in out
    assert "Budget           $10.00 weekly: 59.0 % used" in out
    lines = out.splitlines()
    by_model = lines[lines.index("By model") + 1:]
    assert by_model[0].split() == ["model", "runs", "cost", "share", "change"]  # compact
    assert by_model[2].split()[:3] == ["gpt-4o", "2", COSTS["gpt-4o"]]
    assert by_model[3].split()[:3] == ["gpt-4o-mini", "2", COSTS["gpt-4o-mini"]]
    assert by_model[4].split()[:4] == ["mystery-model", "1", "no", "price"]  # never $0
    assert by_model[6].split()[:3] == ["total", "5", "$5.90"]


def test_a_wide_terminal_gets_every_column(capsys, monkeypatch):
    record_runs()
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = report(capsys, "--by", "tag")
    lines = out.splitlines()
    header = lines[lines.index("By tag") + 1].split()
    assert header == ["tag", "runs", "input", "output", "cached", "cost", "no", "price", "share", "change"]
    rows = {line.split()[0]: line.split() for line in lines[lines.index("By tag") + 3:lines.index("By tag") + 7]}
    assert rows["prod"][1] == "2" and rows["acme"][1] == "2" and rows["(untagged)"][1] == "1"
    assert any(line.startswith("total") and line.split()[1] == "5" for line in lines)  # each run once
    assert "counts in each" in out and max(map(len, lines)) <= 160


def test_json_carries_exact_nanos_and_the_rows_add_up(capsys):
    record_runs()
    code, out, _ = report(capsys, "--format", "json", "--by", "prompt", "--series", "day")
    data = json.loads(out)
    rows = data["breakdown"]["rows"]
    assert code == 0 and data["totals"]["cost_nanos"] == sum(r["cost_nanos"] for r in rows) == 5_900_000_000
    assert data["totals"]["runs"] == sum(r["runs"] for r in rows) == 5 and data["totals"]["unpriced_runs"] == 1
    assert {r["label"]: r["runs"] for r in rows} == {"summarise": 2, "classify": 2, "(no name)": 1}
    assert data["totals"]["cost_usd"] == "5.9" and data["budget"]["kind"] == "weekly"
    points = data["series"]["points"]
    assert [p["label"] for p in points][:2] == ["2026-11-02", "2026-11-03"] and len(points) == 7
    assert sum(p["cost_nanos"] for p in points) == data["totals"]["cost_nanos"]
    assert data["forecast"]["projected_nanos"] == 5_900_000_000  # the period is over: its actual spend


def test_filters_narrow_the_report(capsys):
    record_runs()
    _, out, _ = report(capsys, "--format", "json", "--tag", "acme", "--status", "completed")
    data = json.loads(out)
    assert data["totals"]["runs"] == 2 and data["totals"]["cost_nanos"] == 4_120_000_000
    assert data["filters"] == {"tag": "acme", "status": "completed"}
    _, out, _ = report(capsys, "--format", "json", "--source", "run", "--model", "gpt-4o")
    assert json.loads(out)["totals"]["cost_nanos"] == 1_500_000_000


def test_markdown_has_the_tables(capsys):
    record_runs()
    code, out, _ = report(capsys, "--format", "md")
    assert code == 0 and out.startswith("# Usage report: custom (2026-11-02 .. 2026-11-08)")
    assert "| gpt-4o (openai) | 2 |" in out and "| **total** | **5** |" in out


def test_html_has_charts_and_its_numbers_read_back(capsys, tmp_path: Path):
    record_runs()
    path = tmp_path / "report.html"
    code, _, err = report(capsys, "--format", "html", "-o", str(path))
    assert code == 0 and "wrote" in err and path.stat().st_mode & 0o777 == 0o600
    page = path.read_text(encoding="utf-8")
    assert page.count("<svg") == 4 and "Daily cost" in page and "weekday and hour" in page
    cells = re.findall(r"<tr>(.*?)</tr>", page)
    model_rows = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in cells if "(openai)" in row]
    assert [(r[0], r[5]) for r in model_rows[:3]] == [("gpt-4o (openai)", COSTS["gpt-4o"]),
                                                      ("gpt-4o-mini (openai)", COSTS["gpt-4o-mini"]),
                                                      ("mystery-model (openai)", "no price")]
    total = re.search(r'<tr class="total">(.*?)</tr>', page).group(1)
    assert re.findall(r"<td[^>]*>(.*?)</td>", total)[:2] == ["total", "5"] and "$5.90" in total


def test_pdf_opens_and_its_numbers_read_back(capsys, tmp_path: Path):
    from pypdf import PdfReader

    record_runs()
    path = tmp_path / "report.pdf"
    code, _, _ = report(capsys, "--format", "pdf", "-o", str(path), "--series", "day")
    assert code == 0 and path.read_bytes().startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert "Usage report: custom (2026-11-02 .. 2026-11-08)" in text
    assert "$5.90 + 1 run without a price" in text
    for model, cost in COSTS.items():
        assert re.search(rf"{re.escape(model)} \(openai\)\s+2\s+.*{re.escape(cost)}", text), model
    assert re.search(r"total\s+5\s", text) and "Daily cost" in text
    assert "By day" in text and "2026-11-05" in text


def test_pdf_needs_a_file_and_a_bad_period_says_what_was_expected(capsys):
    assert main(["report", "--format", "pdf"]) == 2
    assert "-o FILE" in capsys.readouterr().err
    assert main(["report", "--period", "fortnight"]) == 2
    err = capsys.readouterr().err
    assert "--period" in err and "FROM..TO" in err and "Traceback" not in err


@pytest.mark.parametrize("fmt", ["table", "json", "md", "html"])
def test_an_empty_history_says_what_to_do(capsys, fmt):
    code = main(["report", "--format", fmt])
    out = capsys.readouterr().out
    assert code == 0 and "promptlab run FILE" in out


def test_history_takes_the_same_filters(capsys):
    record_runs()
    assert main(["history", "--tag", "acme", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert sorted(r["model"] for r in runs) == ["gpt-4o", "mystery-model"]
    assert main(["history", "--source", "batch"]) == 0
    assert "mystery-model" in capsys.readouterr().out
    assert main(["history", "--prompt", "nothing-like-it"]) == 0
    assert "No runs match these filters." in capsys.readouterr().out


def test_run_tag_tags_cli_runs_and_they_count_under_each_tag(fake_provider_env, tmp_path, capsys):
    from tests.cli.test_run_cli import prompt_file
    from tests.fakeprovider.behaviours import Behaviour

    fake_provider_env.script(Behaviour.reply("Two, three and five."))
    assert main(["run", "--tag", "nightly", "--tag", "v2", "--tag", "nightly", prompt_file(tmp_path)]) == 0
    (run,) = HistoryRepository().recent_runs()
    assert run.tags == ("nightly", "v2") and run.source == "run"
    capsys.readouterr()
    assert main(["report", "--period", "today", "--by", "tag", "--format", "json"]) == 0
    rows = {r["key"]: r["runs"] for r in json.loads(capsys.readouterr().out)["breakdown"]["rows"]}
    assert rows == {"nightly": 1, "v2": 1}
    assert main(["run", "--tag", "has space", prompt_file(tmp_path)]) == 2
    assert "--tag 'has space'" in capsys.readouterr().err


def test_what_if_re_prices_the_period_on_another_model(capsys, monkeypatch):
    record_runs()
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = report(capsys, "--format", "json", "--what-if", "gpt-4o-mini")
    what_if = json.loads(out)["what_if"]
    # each run: 1,000 input, 100 cached, 200 output tokens at $0.15 / $0.075 / $0.60 per M = 277,500 nanos
    assert code == 0 and what_if["on_target_nanos"] == 5 * 277_500 and what_if["actual_nanos"] == 5_900_000_000
    assert what_if["difference_nanos"] == 4 * 277_500 - 5_900_000_000  # the run without a price has no actual
    assert sum(r["on_target_nanos"] for r in what_if["rows"]) == what_if["on_target_nanos"]
    code, out, _ = report(capsys, "--what-if", "gpt-4o-mini")
    assert "What if every run had used gpt-4o-mini" in out and max(map(len, out.splitlines())) <= 80
    assert main(["report", "--what-if", "no-such-model"]) == 2
    assert "no price for this model" in capsys.readouterr().err


def test_what_if_follows_by_tag_and_by_source(capsys, monkeypatch):
    record_runs()
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = report(capsys, "--format", "json", "--by", "tag", "--what-if", "gpt-4o-mini")
    what_if = json.loads(out)["what_if"]
    run = 277_500  # every run's tokens on gpt-4o-mini (see above)
    rows = {r["tag"]: (r["runs"], r["unpriced_runs"], r["actual_nanos"], r["on_target_nanos"]) for r in what_if["rows"]}
    assert code == 0 and what_if["by"] == "tag" and rows == {
        "prod": (2, 0, 4_370_000_000, 2 * run), "acme": (2, 1, 4_120_000_000, 2 * run),
        "(untagged)": (1, 0, 1_500_000_000, run), "eval": (1, 0, 30_000_000, run)}
    # a run with two tags counts in each: the total is each run once
    assert (what_if["runs"], what_if["actual_nanos"], what_if["on_target_nanos"]) == (5, 5_900_000_000, 5 * run)
    assert "counts in each" in what_if["note"]
    code, out, _ = report(capsys, "--format", "json", "--by", "source", "--what-if", "gpt-4o-mini")
    what_if = json.loads(out)["what_if"]
    rows = {r["source"]: (r["runs"], r["actual_nanos"], r["on_target_nanos"]) for r in what_if["rows"]}
    assert rows == {"lab": (2, 4_150_000_000, 2 * run), "run": (2, 1_750_000_000, 2 * run), "batch": (1, 0, run)}
    assert sum(r[2] for r in rows.values()) == what_if["on_target_nanos"] == 5 * run
    code, out, _ = report(capsys, "--by", "tag", "--what-if", "gpt-4o-mini")
    assert "What if every run had used gpt-4o-mini, by tag" in out and max(map(len, out.splitlines())) <= 80
    assert "counts in each" in out
