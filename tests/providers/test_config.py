"""The config file: defaults, round trip, specific errors, keys never written from the environment."""

from __future__ import annotations

import stat

import pytest

from promptlab_tui.config import AppConfig, ConfigError, ProviderSettings, RetrySettings, load_config, save_config


def test_no_file_gives_the_defaults(isolated_home):
    cfg = load_config()
    assert cfg.providers == {} and cfg.retention_days is None and cfg.retry == RetrySettings()
    assert cfg.source == isolated_home / "config.toml"


def test_round_trip_keeps_every_setting_and_unknown_sections(isolated_home):
    cfg = AppConfig(retention_days=30, theme="nord", timezone="Europe/Paris", default_model="gpt-4o-mini",
                    default_provider="openai", request_timeout_seconds=12.5,
                    retry=RetrySettings(max_attempts=5, base_delay_seconds=0.5, max_total_wait_seconds=10),
                    providers={"local": ProviderSettings(kind="openai-compatible", base_url="http://localhost:8000/v1",
                                                         requires_key=False, max_tokens_param="max_tokens"),
                               "openai": ProviderSettings(api_key_env="WORK_OPENAI_KEY")},
                    extra={"keys": {"run": "ctrl+r"}})
    path = save_config(cfg)
    assert path == isolated_home / "config.toml"
    assert load_config() == cfg


def test_keys_from_the_environment_are_never_written(isolated_home, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-secret-123456")
    save_config(AppConfig(providers={"openai": ProviderSettings(base_url="http://localhost:1/v1")}, theme="nord"))
    assert "sk-env-secret" not in (isolated_home / "config.toml").read_text()


def test_a_key_the_user_put_in_the_file_stays_private(isolated_home):
    path = save_config(AppConfig(providers={"groq": ProviderSettings(api_key="gsk_user_written_key")}))
    assert load_config().providers["groq"].api_key == "gsk_user_written_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "gsk_user_written_key" not in repr(load_config())


@pytest.mark.parametrize("text, line, field, expected", [
    ('theme = "nord"\nretention_days = "thirty"\n', 2, "retention_days", "whole number of days"),
    ('retention_days = 0\n', 1, "retention_days", ">= 1"),
    ('timezone = "Mars/Olympus"\n', 1, "timezone", "IANA"),
    ('[providers.groq]\nbase_url = "ftp://x"\n', 2, "providers.groq.base_url", "http(s) URL"),
    ('[providers.groq]\nkind = "soap"\n', 2, "providers.groq.kind", "openai-compatible"),
    ('[providers.groq]\napi_kee = "x"\n', 2, "providers.groq.api_kee", "unknown setting"),
    ('[retry]\nmax_attempts = 0\n', 2, "retry.max_attempts", ">= 1"),
    ('request_timeout_seconds = -1\n', 1, "request_timeout_seconds", "> 0"),
])
def test_bad_values_name_the_file_line_and_field(isolated_home, text, line, field, expected):
    (isolated_home / "config.toml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config()
    err = caught.value
    assert (err.line, err.field) == (line, field)
    assert str(isolated_home / "config.toml") in str(err) and expected in str(err)


def test_broken_toml_names_the_line_and_the_file_is_left_alone(isolated_home):
    path = isolated_home / "config.toml"
    path.write_text('theme = "nord"\n[providers.openai\n')
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert caught.value.line == 2 and "not valid TOML" in str(caught.value)
    assert path.read_text() == 'theme = "nord"\n[providers.openai\n'


def test_save_replaces_the_file_atomically(isolated_home):
    save_config(AppConfig(theme="a"))
    save_config(AppConfig(theme="b"))
    assert load_config().theme == "b"
    assert sorted(p.name for p in isolated_home.iterdir()) == ["config.toml"]
