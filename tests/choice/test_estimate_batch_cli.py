"""`promptlab estimate a.md b.md … | DIR`: each file and the totals, checked against sums made by hand."""

from __future__ import annotations

import json

from promptlab_tui.cli.main import main
from promptlab_tui.core.money import format_usd, usd_string
from tests.choice.helpers import prompt_tokens, write_prompt
from tests.conftest import requires_vocab


@requires_vocab
def test_totals_equal_the_hand_sums_at_standard_and_batch_prices(tmp_path, capsys):
    a = write_prompt(tmp_path, "a.md", "Hello a", model="gpt-4o-mini", max_tokens=1000)
    b = write_prompt(tmp_path, "b.md", "Hello b", model="gpt-4o", max_tokens=1000)
    n_a, n_b = prompt_tokens("Hello a"), prompt_tokens("Hello b")
    # No history: 400 output tokens expected (the typical figure), max tokens 1,000 as the worst case.
    # gpt-4o-mini $0.15/$0.60 per M (batch $0.075/$0.30); gpt-4o $2.50/$10 (batch $1.25/$5).
    expected = (n_a * 150 + 400 * 600) + (n_b * 2_500 + 400 * 10_000)
    worst = (n_a * 150 + 1000 * 600) + (n_b * 2_500 + 1000 * 10_000)
    batch_expected = (n_a * 75 + 400 * 300) + (n_b * 1_250 + 400 * 5_000)
    batch_worst = (n_a * 75 + 1000 * 300) + (n_b * 1_250 + 1000 * 5_000)

    assert main(["estimate", "--json", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [row["file"] for row in data["files"]] == [a, b]
    assert data["files"][0]["expected_usd"] == usd_string(n_a * 150 + 400 * 600)
    total = data["total"]
    assert total["expected_usd"] == usd_string(expected) and total["worst_case_usd"] == usd_string(worst)
    assert total["batch_expected_usd"] == usd_string(batch_expected)
    assert total["batch_worst_case_usd"] == usd_string(batch_worst)
    assert total["p90_usd"] is None and data["files"][0]["p90_usd"] is None  # no history: no p90

    assert main(["estimate", a, b]) == 0
    out = capsys.readouterr().out
    total_line = next(line for line in out.splitlines() if line.startswith("total (2 files)"))
    assert format_usd(expected) in total_line and format_usd(worst) in total_line
    assert total_line.rstrip().endswith(format_usd(batch_expected))
    assert f"worst case at batch prices {format_usd(batch_worst)}" in out


def test_an_unpriced_file_is_counted_apart(tmp_path, capsys):
    write_prompt(tmp_path, "a.md", "Hello a", model="gpt-4o-mini")
    write_prompt(tmp_path, "z.md", "Hello z", model="house-llm")
    assert main(["estimate", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "+ 1 without a price" in out and "no price" in out


def test_one_file_keeps_the_detailed_estimate(tmp_path, capsys):
    assert main(["estimate", write_prompt(tmp_path, "a.md", "Hello a", model="gpt-4o-mini")]) == 0
    assert capsys.readouterr().out.startswith("prompt ")
