"""`model = "auto"` through `promptlab run`: the pick, why, the refusal, and the record beside the run."""

from __future__ import annotations

from promptlab_tui.cli.main import main
from promptlab_tui.core.money import usd_string
from promptlab_tui.store import run_links
from promptlab_tui.store.repository import HistoryRepository
from tests.choice.helpers import prompt_tokens, run_json, write_prompt
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour

TEXT = "Name three primes."


@requires_vocab
def test_auto_picks_the_cheapest_medium_model_and_records_why(only_fake_keys, tmp_path, capsys):
    only_fake_keys.script(Behaviour.reply("2, 3, 5"))
    path = write_prompt(tmp_path, "auto.md", TEXT, model="auto", quality="medium", max_cost=0.01, max_tokens=100)
    code, (result,) = run_json(capsys, path)
    # medium or better with a key (OpenAI, Anthropic): gpt-4o-mini ($0.15/$0.60 per M) is the cheapest.
    assert code == 0 and result["model"] == "gpt-4o-mini" and result["provider"] == "openai"
    worst = prompt_tokens(TEXT) * 150 + 100 * 600  # by hand: input x $0.15/M + 100 max tokens x $0.60/M
    assert result["estimate"]["worst_case_usd"] == usd_string(worst)
    assert result["selection"].startswith("auto: gpt-4o-mini (openai, quality medium), the cheapest of quality "
                                          "medium or better whose worst case")
    assert result["notes"][0] == result["selection"]
    assert only_fake_keys.last_request.body["model"] == "gpt-4o-mini"
    link = run_links.get(HistoryRepository().db, result["run_id"])
    assert link.source == "auto" and link.detail["selection"] == result["selection"]


@requires_vocab
def test_auto_refuses_when_nothing_fits_and_names_the_cheapest(only_fake_keys, tmp_path, capsys):
    path = write_prompt(tmp_path, "auto.md", TEXT, model="auto", max_tokens=100)
    worst = prompt_tokens(TEXT) * 150 + 100 * 600
    code = main(["run", "--quality", "medium", "--max-cost", usd_string(worst - 1), path])
    err = capsys.readouterr().err
    assert code == 3
    from promptlab_tui.core.money import format_usd

    assert f"no model of quality medium or better fits max_cost" in err
    assert f"the cheapest, gpt-4o-mini (openai), may cost up to {format_usd(worst)}" in err
    assert only_fake_keys.requests == [] and HistoryRepository().count_runs() == 0


@requires_vocab
def test_auto_skips_providers_without_a_key(only_fake_keys, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    only_fake_keys.script(Behaviour.reply("2, 3, 5"))
    path = write_prompt(tmp_path, "auto.md", TEXT, model="auto", quality="medium", max_tokens=100)
    code, (result,) = run_json(capsys, path)
    # Anthropic only: Claude Haiku 4.5 ($1/$5) is its cheapest current model of medium or better
    # (Haiku 3.5 is legacy, never picked); sent under its API id.
    assert code == 0 and result["provider"] == "anthropic" and result["model"] == "claude-haiku-4-5"
    assert "auto: claude-haiku-4.5 (anthropic, quality medium)" in result["selection"]


def test_front_matter_max_cost_is_the_per_run_cap(only_fake_keys, tmp_path, capsys):
    path = write_prompt(tmp_path, "capped.md", TEXT, model="gpt-4o-mini", max_cost=0.000001)
    code = main(["run", path])
    assert code == 3 and "per-run cap of $0.000001" in capsys.readouterr().err
    assert only_fake_keys.requests == []


@requires_vocab
def test_estimate_shows_the_auto_pick_and_why(only_fake_keys, tmp_path, capsys):
    path = write_prompt(tmp_path, "auto.md", TEXT, model="auto", quality="medium", max_cost=0.01, max_tokens=100)
    assert main(["estimate", path]) == 0
    captured = capsys.readouterr()
    assert "note: auto: gpt-4o-mini (openai, quality medium)" in captured.err
    assert "gpt-4o-mini" in captured.out and only_fake_keys.requests == []


@requires_vocab
def test_the_configs_quality_and_max_cost_are_the_defaults_of_auto(only_fake_keys, tmp_path, capsys, isolated_home):
    (isolated_home / "config.toml").write_text('quality = "high"\nmax_cost = 0.5\n', encoding="utf-8")
    only_fake_keys.script(Behaviour.reply("2, 3, 5"))
    path = write_prompt(tmp_path, "auto.md", TEXT, model="auto", max_tokens=100)  # no quality, no max_cost
    code, (result,) = run_json(capsys, path)
    assert code == 0 and "the cheapest of quality high whose worst case" in result["selection"]
    assert "fits max_cost $0.50" in result["selection"]
    # the prompt's own quality wins over the config's
    only_fake_keys.script(Behaviour.reply("2, 3, 5"))
    path = write_prompt(tmp_path, "medium.md", TEXT, model="auto", quality="medium", max_tokens=100)
    code, (result,) = run_json(capsys, path)
    assert code == 0 and result["model"] == "gpt-4o-mini" and "fits max_cost $0.50" in result["selection"]


def test_a_bad_quality_in_the_config_is_bad_input_with_its_line(only_fake_keys, tmp_path, capsys, isolated_home):
    (isolated_home / "config.toml").write_text('theme = "x"\nquality = "best"\n', encoding="utf-8")
    path = write_prompt(tmp_path, "auto.md", TEXT, model="auto", max_tokens=100)
    assert main(["run", path]) == 2
    assert ('config.toml, line 2: quality: expected a quality tier: "low", "medium" or "high", got \'best\''
            in capsys.readouterr().err)
    assert only_fake_keys.requests == []
