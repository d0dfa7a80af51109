"""NaN, infinities and absurd sizes in config.toml are refused with the file, line and field, not used later."""

from __future__ import annotations

import pytest

from promptlab_tui.cli.main import main
from promptlab_tui.config import ConfigError, load_config

BAD = [
    ("request_timeout_seconds = nan", "request_timeout_seconds"),
    ("request_timeout_seconds = inf", "request_timeout_seconds"),
    ("request_timeout_seconds = 1e12", "request_timeout_seconds"),
    ("[retry]\nmax_total_wait_seconds = inf", "retry.max_total_wait_seconds"),
    ("[retry]\nmax_total_wait_seconds = nan", "retry.max_total_wait_seconds"),
    ("[retry]\nbase_delay_seconds = nan", "retry.base_delay_seconds"),
    ("[retry]\nbase_delay_seconds = -inf", "retry.base_delay_seconds"),
    ("[retry]\nmax_attempts = 1000000", "retry.max_attempts"),
]


@pytest.mark.parametrize(("text", "field"), BAD)
def test_non_finite_and_unbounded_values_are_refused(isolated_home, text, field):
    path = isolated_home / "config.toml"
    path.write_text("# settings\n" + text + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message and field in message and "expected" in message
    assert f"line {text.count(chr(10)) + 2}:" in message  # the line of the bad value


def test_the_largest_allowed_values_load(isolated_home):
    path = isolated_home / "config.toml"
    path.write_text("request_timeout_seconds = 3600\n[retry]\nmax_attempts = 10\nbase_delay_seconds = 60\n"
                    "max_total_wait_seconds = 600\n")
    config = load_config(path)
    assert config.request_timeout_seconds == 3600 and config.retry.max_attempts == 10


def test_a_nan_timeout_stops_run_before_anything_is_sent(isolated_home, fake_provider_env, tmp_path, capsys):
    (isolated_home / "config.toml").write_text("request_timeout_seconds = nan\n")
    prompt = tmp_path / "p.txt"
    prompt.write_text("Say hello.")
    assert main(["run", str(prompt)]) == 2
    err = capsys.readouterr().err
    assert "request_timeout_seconds" in err and "Traceback" not in err
    assert fake_provider_env.requests == []
