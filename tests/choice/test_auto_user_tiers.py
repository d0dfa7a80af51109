"""`model = "auto"`: the user's pricing.toml changes a model's tier, and the budget's room is a limit the
refusal names (issue 11: "the user's pricing.toml can change them"; "fits max_cost and the budget")."""

from __future__ import annotations

from promptlab_tui.cli.main import main
from tests.choice.helpers import run_json, write_prompt
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour

TEXT = "Name three primes."


@requires_vocab
def test_a_tier_raised_in_the_users_pricing_toml_is_picked_for_high(only_fake_keys, isolated_home, tmp_path, capsys):
    path = write_prompt(tmp_path, "auto.md", TEXT, model="auto", quality="high", max_tokens=100)
    only_fake_keys.script(Behaviour.reply("2, 3, 5"), Behaviour.reply("2, 3, 5"))
    code, (shipped,) = run_json(capsys, path)
    assert code == 0 and shipped["model"] != "gpt-4o-mini"  # shipped tier: medium, never picked for high
    (isolated_home / "pricing.toml").write_text('[models.openai."gpt-4o-mini"]\nquality = "high"\n', encoding="utf-8")
    code, (mine,) = run_json(capsys, path)
    assert code == 0 and mine["model"] == "gpt-4o-mini"
    assert mine["selection"].startswith("auto: gpt-4o-mini (openai, quality high), the cheapest of quality high")


@requires_vocab
def test_the_budget_left_is_a_limit_the_refusal_names(only_fake_keys, tmp_path, capsys):
    assert main(["budget", "set", "--daily", "0.0001", "--mode", "hard"]) == 0
    capsys.readouterr()
    path = write_prompt(tmp_path, "auto.md", TEXT, model="auto", quality="medium", max_tokens=1000)
    assert main(["run", path]) == 3
    err = capsys.readouterr().err
    assert "no model of quality medium or better fits the $0.000100 the budget has left" in err
    assert "the cheapest, gpt-4o-mini (openai), may cost up to" in err
    assert only_fake_keys.requests == []
