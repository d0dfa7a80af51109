"""`promptlab run` refuses what the budget cannot count or the model cannot take (issue 8, items 14-16)."""

from __future__ import annotations

import pytest

from promptlab_tui.cli.main import main
from promptlab_tui.store.repository import HistoryRepository
from tests.cli.test_run_cli import prompt_file, set_budget
from tests.fakeprovider.behaviours import Behaviour


def test_hard_mode_refuses_a_model_without_a_price_and_says_how_to_add_it(fake_provider_env, tmp_path, capsys):
    set_budget(daily_limit_nanos=5_000_000_000, mode="hard")
    fake_provider_env.script(Behaviour.reply("hi"))
    code = main(["run", prompt_file(tmp_path, model="my-finetune-v1")])
    err = capsys.readouterr().err
    assert code == 3 and "my-finetune-v1 at openai has no price" in err
    assert 'pricing.toml: [models.openai."my-finetune-v1"]' in err and "allow_unpriced_models = true" in err
    assert fake_provider_env.requests == [] and HistoryRepository().recent_runs() == []


def test_the_config_allows_unpriced_models_in_hard_mode(fake_provider_env, tmp_path, capsys, isolated_home):
    (isolated_home / "config.toml").write_text("allow_unpriced_models = true\n", encoding="utf-8")
    set_budget(daily_limit_nanos=5_000_000_000, mode="hard")
    fake_provider_env.script(Behaviour.reply("hi"))
    code = main(["run", prompt_file(tmp_path, model="my-finetune-v1")])
    captured = capsys.readouterr()
    assert code == 0 and captured.out == "hi\n" and "has no price" in captured.err  # the note still says so


def test_warn_mode_runs_an_unpriced_model_with_a_note(fake_provider_env, tmp_path, capsys):
    set_budget(daily_limit_nanos=5_000_000_000, mode="warn")
    fake_provider_env.script(Behaviour.reply("hi"))
    assert main(["run", prompt_file(tmp_path, model="my-finetune-v1")]) == 0


def test_a_prompt_longer_than_the_context_window_is_refused_before_the_call(fake_provider_env, tmp_path, capsys):
    # issue 8, item 15: gpt-4o-mini reads 128,000 tokens; `estimate` warned, `run` sent it anyway
    fake_provider_env.script(Behaviour.reply("hi"))
    path = prompt_file(tmp_path, text="word " * 130_000)
    code = main(["run", path])
    err = capsys.readouterr().err
    assert code == 3 and "context window of 128,000 tokens" in err and "shorten the prompt by at least" in err
    assert fake_provider_env.requests == [] and HistoryRepository().recent_runs() == []
    assert main(["estimate", path]) == 0
    assert "context window" in capsys.readouterr().out + capsys.readouterr().err


@pytest.mark.parametrize(("model", "temperature", "message"), [
    ("claude-haiku-4.5", 1.5, "temperature 1.5 is out of range for Anthropic: use 0 to 1"),
    ("gpt-4o-mini", 2.0, None),
    ("claude-haiku-4.5", 1.0, None),
])
def test_temperature_is_checked_against_the_providers_range(fake_provider_env, tmp_path, capsys, model,
                                                            temperature, message):
    # issue 8, item 16 (a prompt file allows 0..2; Anthropic takes 0..1)
    fake_provider_env.default = Behaviour.reply("hi")
    path = tmp_path / "t.md"
    path.write_text(f'+++\nmodel = "{model}"\ntemperature = {temperature}\n+++\nHello\n', encoding="utf-8")
    code = main(["run", str(path)])
    err = capsys.readouterr().err
    if message is None:
        assert code == 0
    else:
        assert code == 2 and message in err and fake_provider_env.requests == []
