"""`promptlab estimate FILE`, as a user types it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from promptlab_tui.cli.main import main
from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.types import Usage
from promptlab_tui.paths import app_paths


@pytest.fixture
def prompt_file(tmp_path: Path) -> Path:
    path = tmp_path / "summary.md"
    path.write_text('+++\nmodel = "gpt-4o-mini"\nsystem = "Be brief."\nmax_tokens = 800\n+++\n\n'
                    "Summarise the plot of Hamlet in three sentences.\n", encoding="utf-8")
    return path


def estimate_json(capsys, *args: str) -> dict:
    assert main(["estimate", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_gives_tokens_output_prediction_and_costs(capsys, prompt_file: Path) -> None:
    data = estimate_json(capsys, str(prompt_file))
    assert data["model"] == "gpt-4o-mini" and data["price_version"] == "openai/gpt-4o-mini@2024-07-18"
    assert isinstance(data["input_tokens"], int) and data["input_tokens"] > 10
    assert isinstance(data["exact"], bool) and data["method"]
    assert data["output_tokens"]["max"] == 800 and data["output_tokens"]["expected"] <= 800
    cost = data["cost"]
    for kind in ("expected", "worst"):
        assert Decimal(cost[f"{kind}_usd"]) * 1_000_000_000 == cost[f"{kind}_nanos"]
    assert cost["expected_nanos"] <= cost["worst_nanos"]
    assert data["tips"]


def test_options_override_the_file(capsys, prompt_file: Path) -> None:
    data = estimate_json(capsys, str(prompt_file), "--model", "claude-3-5-sonnet-20241022", "--max-tokens", "50")
    assert data["model"] == "claude-3.5-sonnet" and data["provider"] == "anthropic"
    assert data["output_tokens"]["max"] == 50 and data["exact"] is False
    batch = estimate_json(capsys, str(prompt_file), "--model", "gpt-5", "--tier", "batch")
    standard = estimate_json(capsys, str(prompt_file), "--model", "gpt-5")
    assert batch["cost"]["worst_nanos"] * 2 == standard["cost"]["worst_nanos"]


def test_human_output_and_comparison(capsys, prompt_file: Path) -> None:
    assert main(["estimate", str(prompt_file), "--compare"]) == 0
    out = capsys.readouterr().out
    assert "input" in out and "worst case $" in out and "openai/gpt-4o-mini@2024-07-18" in out
    assert "would cost $" in out
    assert any(line.startswith("* gpt-4o-mini") for line in out.splitlines())


def test_unpriced_model_is_no_price_never_zero(capsys, prompt_file: Path) -> None:
    data = estimate_json(capsys, str(prompt_file), "--model", "house-llm")
    assert data["priced"] is False and data["cost"]["expected_usd"] is None and data["cost"]["worst_nanos"] is None
    assert main(["estimate", str(prompt_file), "--model", "house-llm"]) == 0
    assert "no price" in capsys.readouterr().out


def test_history_gives_the_expected_output(capsys, prompt_file: Path) -> None:
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(app_paths().ensure().database)
    for output_tokens in (100, 120, 140, 160, 600):
        reservation = repo.reserve_run(PendingRun("openai", "gpt-4o-mini", 800, 30, 400, 1, 1,
                                                  prompt_name="summary"), None)
        repo.settle_run(reservation.run_id, Usage(input_tokens=30, output_tokens=output_tokens), None, "completed")
    repo.close()
    data = estimate_json(capsys, str(prompt_file))
    assert data["output_tokens"]["expected"] == 224 and data["output_tokens"]["p90"] == 600
    assert data["output_tokens"]["basis"] == "history (5 runs)"


def test_an_estimate_never_creates_a_database(capsys, prompt_file: Path) -> None:
    estimate_json(capsys, str(prompt_file))
    assert not app_paths().database.exists()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.md", '+++\nmax_tokens = 0\n+++\nhi\n', "bad.md:2: max_tokens: expected a whole number"),
        ("bad.json", '[{"role": "user", "content": "hi"},]', "bad.json:1: (JSON syntax, column"),
        ("empty.txt", "", "empty.txt:1: (user message)"),
    ],
)
def test_bad_files_exit_2_with_the_specific_error(capsys, tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert main(["estimate", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_missing_file_and_bad_max_tokens(capsys, tmp_path: Path, prompt_file: Path) -> None:
    assert main(["estimate", str(tmp_path / "nope.txt")]) == 2
    assert "nope.txt: (file): expected a readable prompt file" in capsys.readouterr().err
    assert main(["estimate", str(prompt_file), "--max-tokens", "0"]) == 2
    assert "--max-tokens 0" in capsys.readouterr().err
