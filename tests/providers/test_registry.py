"""Choosing the provider for a model: built-ins, the config file, keys and base URLs from the environment."""

from __future__ import annotations

import pytest

from promptlab_tui.config import AppConfig, ProviderSettings
from promptlab_tui.providers.anthropic_messages import AnthropicMessagesProvider
from promptlab_tui.providers.base import Completed, MissingApiKey, ProviderError
from promptlab_tui.providers.openai_chat import OpenAIChatProvider
from promptlab_tui.providers.registry import infer_provider, provider_for, resolve_settings
from tests.providers.conftest import PROMPT

OTHER_KEY_VARS = ("GROQ_API_KEY", "GEMINI_API_KEY", "OPENROUTER_API_KEY", "TOGETHER_API_KEY", "CEREBRAS_API_KEY")


@pytest.fixture(autouse=True)
def no_real_keys(monkeypatch):
    for name in OTHER_KEY_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("provider, env_var", [("openai", "OPENAI_API_KEY"), ("anthropic", "ANTHROPIC_API_KEY"),
                                                ("groq", "GROQ_API_KEY"), ("gemini", "GEMINI_API_KEY"),
                                                ("openrouter", "OPENROUTER_API_KEY")])
def test_missing_key_says_which_variable_to_set(provider, env_var):
    with pytest.raises(MissingApiKey) as caught:
        provider_for("some-model", provider, AppConfig())
    assert env_var in str(caught.value) and f"export {env_var}=" in str(caught.value)
    assert caught.value.env_var == env_var


def test_environment_points_the_sdks_at_the_fake_server(fake_provider_env):
    for model, provider, cls in [("gpt-4o-mini", "openai", OpenAIChatProvider),
                                 ("claude-haiku-4-5", "anthropic", AnthropicMessagesProvider)]:
        chosen = provider_for(model, provider, AppConfig())
        assert isinstance(chosen, cls)
        assert isinstance(chosen.complete(PROMPT, 32), Completed)
    assert [r.api for r in fake_provider_env.requests] == ["openai", "anthropic"]
    assert all(r.key_accepted for r in fake_provider_env.requests)


def test_base_url_from_the_environment_beats_the_config(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    config = AppConfig(providers={"openai": ProviderSettings(base_url="http://example.invalid/v1")})
    assert resolve_settings("openai", config).settings.base_url == "http://127.0.0.1:9/v1"


def test_key_from_the_config_file_when_the_environment_has_none(fake_provider):
    config = AppConfig(providers={"groq": ProviderSettings(base_url=fake_provider.openai_base_url,
                                                           api_key="sk-test-from-config")})
    assert provider_for("llama-3.1-8b-instant", "groq", config).complete(PROMPT, 16).text
    assert fake_provider.last_request.path == "/v1/chat/completions"


def test_a_custom_compatible_server_from_the_config(fake_provider):
    config = AppConfig(providers={"my-vllm": ProviderSettings(kind="openai-compatible",
                                                              base_url=fake_provider.openai_base_url,
                                                              requires_key=False, max_tokens_param="max_completion_tokens")})
    fake_provider.require_key = False
    provider = provider_for("qwen2.5-7b", "my-vllm", config)
    assert provider.complete(PROMPT, 12).text
    assert fake_provider.last_request.body["max_completion_tokens"] == 12


def test_local_servers_need_no_key():
    provider = provider_for("llama3.2", "ollama", AppConfig())
    assert provider.base_url == "http://localhost:11434/v1"


def test_gemini_goes_through_its_openai_compatible_endpoint(monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "sk-test-gemini")
    provider = provider_for("gemini-2.5-flash", None, AppConfig())
    assert isinstance(provider, OpenAIChatProvider) and provider.name == "google"
    assert provider.base_url == "https://generativelanguage.googleapis.com/v1beta/openai/"


def test_unknown_provider_lists_the_known_ones():
    with pytest.raises(ProviderError) as caught:
        provider_for("x", "nowhere", AppConfig())
    assert "nowhere" in str(caught.value) and "anthropic" in str(caught.value)


@pytest.mark.parametrize("model, provider", [("claude-opus-4-1", "anthropic"), ("gemini-2.5-pro", "google"),
                                             ("gpt-4o", "openai"), ("o3", "openai")])
def test_provider_inferred_from_the_model_name(model, provider):
    assert infer_provider(model) == provider


def test_config_file_is_read_when_no_config_is_given(fake_provider, isolated_home):
    (isolated_home / "config.toml").write_text(
        f'[providers.together]\nbase_url = "{fake_provider.openai_base_url}"\napi_key = "sk-test-file"\n')
    assert provider_for("meta-llama/Llama-3-8b", "together").complete(PROMPT, 8).text
