"""An auto refusal says which limit blocks every model and only suggests what would help (core.selection)."""

from __future__ import annotations

from promptlab_tui.cli.main import main
from promptlab_tui.core.selection import NoModelFits, select_model
from tests.choice.helpers import write_prompt
from tests.choice.test_selection import TABLE
from tests.conftest import requires_vocab


def test_when_the_budget_blocks_raising_max_cost_is_not_suggested():
    refusal = NoModelFits(select_model(TABLE, "high", 100_000, 30_000))  # max_cost fits big, the budget does not
    assert refusal.selection.reason == ("no model of quality high fits the $0.000030 the budget has left: "
                                        "the cheapest, big (openai), may cost up to $0.000060")
    assert not any("max_cost" in item for item in refusal.suggestions)
    assert refusal.suggestions[0] == ("the budget has $0.000030 left and the cheapest may cost up to $0.000060: "
                                      "raise the budget's limit (promptlab budget set) or wait for its reset")


def test_when_max_cost_blocks_raising_it_is_suggested_and_not_the_budget():
    refusal = NoModelFits(select_model(TABLE, "high", 40_000, 500_000))
    assert refusal.selection.reason.startswith("no model of quality high fits max_cost $0.000040: ")
    assert refusal.suggestions[0] == "raise max_cost to at least $0.000060 (or --max-cost)"
    assert not any("budget" in item for item in refusal.suggestions)


def test_when_both_block_both_are_named():
    refusal = NoModelFits(select_model(TABLE, "high", 40_000, 30_000))
    assert refusal.suggestions[0].startswith("raise max_cost to at least $0.000060")
    assert refusal.suggestions[1].startswith("the budget has $0.000030 left")


@requires_vocab
def test_the_cli_refusal_under_a_spent_budget_does_not_say_raise_max_cost(only_fake_keys, tmp_path, capsys):
    assert main(["budget", "set", "--daily", "0.0001", "--mode", "hard"]) == 0
    capsys.readouterr()
    path = write_prompt(tmp_path, "auto.md", "Name three primes.", model="auto", quality="medium", max_cost=0.05,
                        max_tokens=1000)
    assert main(["run", path]) == 3
    err = capsys.readouterr().err
    assert "no model of quality medium or better fits the $0.000100 the budget has left" in err
    assert "max_cost" not in err and "raise the budget's limit (promptlab budget set)" in err
    assert only_fake_keys.requests == []
