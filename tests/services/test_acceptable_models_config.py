"""config.toml's `acceptable_models` (issue 9): validated against the price table, errors name file, line and key."""

from __future__ import annotations

import pytest

from promptlab_tui.config import ConfigError, load_config, save_config
from promptlab_tui.core.pricing import load_pricing
from promptlab_tui.services.acceptable_models import (
    acceptable_choices, acceptable_union, configured_acceptable, set_acceptable)


@pytest.fixture(scope="module")
def pricing():
    return load_pricing()


def config_with(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_the_list_is_read_each_name_once(tmp_path, pricing):
    config = config_with(tmp_path, 'theme = "nord"\nacceptable_models = ["gpt-4.1-nano", "claude-3-haiku", '
                                   '"gpt-4.1-nano"]\n')
    assert configured_acceptable(config, pricing) == ("gpt-4.1-nano", "claude-3-haiku")
    assert configured_acceptable(config_with(tmp_path, 'theme = "nord"\n'), pricing) == ()
    assert acceptable_union(("a", "b"), ("b", "c")) == ("a", "b", "c")


@pytest.mark.parametrize("value, expected", [
    ('["no-such-model"]', "'no-such-model'"),  # unknown
    ('["llama3.1"]', "'llama3.1'"),  # Ollama: free, so no price to re-price at
    ('"gpt-4o-mini"', "a list of model names"),  # not a list
    ('["gpt-4o-mini", 3]', "a list of model names"),
])
def test_a_bad_list_names_the_file_line_and_key(tmp_path, pricing, value, expected):
    config = config_with(tmp_path, f'theme = "nord"\n\nacceptable_models = {value}\n')
    with pytest.raises(ConfigError) as raised:
        configured_acceptable(config, pricing)
    message = str(raised.value)
    assert message.startswith(f"{tmp_path / 'config.toml'}, line 3: acceptable_models: expected ")
    assert expected in message


def test_saving_the_marks_keeps_the_rest_of_the_config(tmp_path, pricing):
    config = config_with(tmp_path, 'theme = "nord"\nconfirm_above = 0.5\n\n[providers.local]\n'
                                   'base_url = "http://127.0.0.1:1/v1"\n\n[tui]\nsetup_done = true\n')
    set_acceptable(config, ["gpt-4.1-nano", "claude-3-haiku"])
    save_config(config)
    again = load_config(tmp_path / "config.toml")
    assert configured_acceptable(again, pricing) == ("gpt-4.1-nano", "claude-3-haiku")
    assert again.theme == "nord" and again.extra["confirm_above"] == 0.5 and again.extra["tui"] == {"setup_done": True}
    assert again.providers["local"].base_url == "http://127.0.0.1:1/v1"
    set_acceptable(again, [])
    save_config(again)
    assert "acceptable_models" not in (tmp_path / "config.toml").read_text()


def test_the_dialog_lists_priced_models_with_the_marked_ones_ticked(pricing):
    choices = acceptable_choices(pricing, ["gpt-4.1-nano"])
    names = [c.model for c in choices]
    assert "gpt-4o-mini" in names and "llama3.1" not in names  # free models have nothing to re-price at
    assert len(names) == len(set(names))
    assert [c.model for c in choices if c.marked] == ["gpt-4.1-nano"]
    nano = next(c for c in choices if c.model == "gpt-4.1-nano")
    assert nano.label.startswith("gpt-4.1-nano (openai)") and "$0.10 in" in nano.label


def test_a_marked_legacy_model_stays_listed_and_ticked(pricing):
    legacy = next(p.model for p in pricing.models() if p.legacy and not p.is_free)
    choices = acceptable_choices(pricing, [legacy])
    assert [c.model for c in choices if c.marked] == [legacy]
    assert legacy not in [c.model for c in acceptable_choices(pricing, [])]
