"""Exact counts online: the providers' count endpoints (through the real SDKs, against the fake provider),
debounced, cached by content, and a clear fallback when offline."""

from __future__ import annotations

import socket

from promptlab_tui.config import AppConfig, ProviderSettings, RetrySettings
from promptlab_tui.core.types import ChatMessage, PromptSpec
from promptlab_tui.providers.registry import provider_for
from promptlab_tui.services.online_count import OnlineCounter, provider_counter
from tests.fakeprovider.behaviours import Behaviour

KEY = "sk-test-online"
TOOL = {"type": "function", "function": {"name": "lookup", "description": "Look a word up",
                                         "parameters": {"type": "object", "properties": {"w": {"type": "string"}}}}}


def config_for(server, base_url=None) -> AppConfig:
    url = base_url or server.openai_base_url
    return AppConfig(providers={
        "openai": ProviderSettings(base_url=url, api_key=KEY),
        "anthropic": ProviderSettings(base_url=base_url or server.anthropic_base_url, api_key=KEY),
        "google": ProviderSettings(base_url=url, api_key=KEY)},
        retry=RetrySettings(max_attempts=1, base_delay_seconds=0.001), request_timeout_seconds=5.0)


def spec(text: str, model: str = "claude-haiku-4-5", tools=None) -> PromptSpec:
    return PromptSpec(messages=[ChatMessage("system", "Be brief."), ChatMessage("user", text)], model=model,
                      max_tokens=32, tools=tools)


def test_anthropic_count_tokens_equals_what_the_run_is_billed(fake_provider):
    config = config_for(fake_provider)
    counter = OnlineCounter(provider_counter(config), debounce_s=0.5)
    prompt = spec("Define ossify, please, in one line.", tools=[TOOL])
    assert counter.submit(prompt, "anthropic", now=0.0) is None
    result = counter.flush(now=0.5)
    assert result.exact and result.source == "Anthropic count_tokens" and result.label.startswith("exact")
    counted = fake_provider.last_request
    assert counted.path == "/v1/messages/count_tokens" and counted.body["tools"][0]["name"] == "lookup"

    fake_provider.default = Behaviour.reply("To harden.")
    list(provider_for(prompt.model, "anthropic", config).stream(prompt, 32))
    assert fake_provider.last_request.usage["input_tokens"] == result.tokens


def test_typing_is_debounced_into_one_request_for_the_last_text(fake_provider):
    counter = OnlineCounter(provider_counter(config_for(fake_provider)), debounce_s=0.5)
    for i, now in enumerate((0.0, 0.2, 0.4)):
        counter.submit(spec("Define ossify" + "!" * i), "anthropic", now=now)
        assert counter.flush(now=now + 0.1) is None  # still typing: nothing sent
    assert fake_provider.requests == [] and counter.due_in(0.5) == 0.4
    assert counter.flush(now=0.9).exact
    assert len(fake_provider.requests) == 1 and counter.calls == 1
    assert fake_provider.requests[0].body["messages"][0]["content"] == "Define ossify!!"


def test_the_same_content_is_answered_from_the_cache(fake_provider):
    counter = OnlineCounter(provider_counter(config_for(fake_provider)), debounce_s=0.0)
    counter.submit(spec("Hello there"), "anthropic", now=0.0)
    first = counter.flush(now=0.0)
    again = counter.submit(spec("Hello there"), "anthropic", now=5.0)
    assert again == first and len(fake_provider.requests) == 1 and counter.flush(now=10.0) is None
    counter.submit(spec("Hello there", tools=[TOOL]), "anthropic", now=11.0)  # tools change the content
    assert counter.flush(now=11.0).tokens > first.tokens and len(fake_provider.requests) == 2


def test_offline_falls_back_to_the_local_count_and_says_so(fake_provider):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    counter = OnlineCounter(provider_counter(config_for(fake_provider, base_url=closed)), debounce_s=0.0)
    counter.submit(spec("Hello"), "anthropic", now=0.0)
    result = counter.flush(now=0.0)
    assert not result.exact and result.tokens is None
    assert result.label == "local count: offline: the count endpoint could not be reached"
    counter.submit(spec("Hello"), "anthropic", now=1.0)  # a failure is not cached: asked again later
    assert counter.due_in(1.0) == 0.0


def test_a_failing_endpoint_falls_back_with_its_status(fake_provider):
    fake_provider.script(Behaviour.server_error(500))
    counter = OnlineCounter(provider_counter(config_for(fake_provider)), debounce_s=0.0)
    counter.submit(spec("Hello"), "anthropic", now=0.0)
    assert counter.flush(now=0.0).fallback == "the count endpoint answered 500"


def test_openai_input_tokens_and_gemini_count_tokens(fake_provider):
    counter = OnlineCounter(provider_counter(config_for(fake_provider)), debounce_s=0.0)
    counter.submit(spec("Hello", model="gpt-4o", tools=[TOOL]), "openai", now=0.0)
    result = counter.flush(now=0.0)
    assert result.exact and result.source == "OpenAI input_tokens.count"
    body = fake_provider.last_request.body
    assert fake_provider.last_request.path == "/v1/responses/input_tokens"
    assert body["tools"][0]["name"] == "lookup" and body["input"][1] == {"role": "user", "content": "Hello"}

    counter.submit(spec("Hello", model="gemini-2.5-flash"), "google", now=1.0)
    result = counter.flush(now=1.0)
    assert result.exact and result.source == "Gemini countTokens"
    assert fake_provider.last_request.path == "/v1/models/gemini-2.5-flash:countTokens"


def test_a_planned_run_reserves_on_the_providers_count_when_count_online_is_set(fake_provider_env, isolated_home):
    from promptlab_tui.paths import app_paths
    from promptlab_tui.services.runner import RunService

    prompt = spec("Define ossify, please, in one line.")
    assert RunService().prepare_run(prompt).input_tokens.method.startswith("approx")  # off: the local count
    assert fake_provider_env.requests == []
    app_paths().config_file.parent.mkdir(parents=True, exist_ok=True)
    app_paths().config_file.write_text("count_online = true\n")
    service = RunService()
    plan = service.prepare_run(prompt)
    assert plan.input_tokens.exact and plan.input_tokens.method == "online: Anthropic count_tokens"
    fake_provider_env.default = Behaviour.reply("To turn to bone.")
    outcome = service.execute(plan)
    assert outcome.ok and fake_provider_env.last_request.usage["input_tokens"] == plan.input_tokens.tokens
