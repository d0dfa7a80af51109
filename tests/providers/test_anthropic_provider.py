"""Anthropic Messages streaming against the fake server, through the real anthropic SDK."""

from __future__ import annotations

import threading

import pytest

from promptlab_tui.core.types import Usage
from promptlab_tui.providers.anthropic_messages import normalise_usage
from promptlab_tui.providers.base import (
    AuthenticationFailed,
    Cancelled,
    Completed,
    MalformedResponse,
    ProviderServerError,
    StreamBroken,
    TextDelta,
    UnknownModel,
    UsageReport,
)
from tests.fakeprovider.behaviours import Behaviour
from tests.providers.conftest import PROMPT

MODEL = "claude-haiku-4-5"


def run(provider, max_tokens=64, cancel=None):
    events = list(provider.stream(PROMPT, max_tokens, cancel))
    assert isinstance(events[-1], Completed)
    return events


@pytest.fixture
def claude(make_provider):
    return make_provider(MODEL, "anthropic")


def test_streams_the_text_and_takes_usage_from_start_and_last_delta(fake_provider, claude):
    fake_provider.default = Behaviour.reply("Two, three and five.")
    events = run(claude)
    done = events[-1]
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == done.text == "Two, three and five."
    wire = fake_provider.last_request.usage
    assert done.usage == Usage(input_tokens=wire["input_tokens"], output_tokens=wire["output_tokens"])
    assert done.usage.output_tokens > 1  # the cumulative count of message_delta, not message_start's 1
    assert done.finish_reason == "stop"
    reports = [e for e in events if isinstance(e, UsageReport)]
    assert reports[0].usage.output_tokens == 1 and reports[-1].usage == done.usage


def test_request_sends_the_system_prompt_apart_and_always_max_tokens(fake_provider, claude):
    run(claude, max_tokens=99)
    body = fake_provider.last_request.body
    assert body["max_tokens"] == 99 and body["stream"] is True
    assert body["system"] == "You are terse."
    assert [m["role"] for m in body["messages"]] == ["user"]
    assert fake_provider.last_request.headers.get("anthropic-version")


def test_cache_reads_and_both_kinds_of_cache_writes_are_kept_apart(fake_provider, claude):
    fake_provider.default = Behaviour.reply(usage={
        "input_tokens": 21, "output_tokens": 393, "cache_read_input_tokens": 1800,
        "cache_creation_input_tokens": 2500,
        "cache_creation": {"ephemeral_5m_input_tokens": 2000, "ephemeral_1h_input_tokens": 500}})
    done = run(claude)[-1]
    assert done.usage == Usage(input_tokens=21, output_tokens=393, cached_input_tokens=1800,
                               cache_write_tokens=2000, cache_write_1h_tokens=500)


def test_cache_writes_without_the_split_count_as_five_minute_writes():
    usage = normalise_usage({"input_tokens": 5, "output_tokens": 7, "cache_read_input_tokens": 0,
                             "cache_creation_input_tokens": 300})
    assert usage == Usage(input_tokens=5, output_tokens=7, cache_write_tokens=300)


def test_computed_cache_usage_from_knobs(fake_provider, claude):
    fake_provider.default = Behaviour.reply("ok", cached_tokens=3, cache_write_tokens=2, cache_write_1h_tokens=1)
    done = run(claude)[-1]
    assert (done.usage.cached_input_tokens, done.usage.cache_write_tokens, done.usage.cache_write_1h_tokens) == (3, 2, 1)


def test_answer_cut_at_max_tokens_reports_length(fake_provider, claude):
    fake_provider.default = Behaviour.reply("word " * 200)
    done = run(claude, max_tokens=8)[-1]
    assert done.finish_reason == "length" and done.usage.output_tokens == 8


def test_overloaded_is_retried_then_succeeds(fake_provider, claude, waits):
    fake_provider.script(Behaviour.overloaded())
    assert run(claude)[-1].text
    assert len(fake_provider.requests) == 2 and len(waits) == 1


def test_overloaded_that_persists_says_so(fake_provider, claude):
    fake_provider.default = Behaviour.overloaded()
    with pytest.raises(ProviderServerError) as caught:
        run(claude)
    assert caught.value.status == 529 and "overloaded" in str(caught.value)


def test_bad_key_names_where_it_came_from(fake_provider, make_provider, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "bad-key-from-the-environment")
    provider = make_provider(MODEL, "anthropic")
    with pytest.raises(AuthenticationFailed) as caught:
        run(provider)
    assert "ANTHROPIC_API_KEY" in str(caught.value) and "bad-key-from-the-environment" not in str(caught.value)
    assert "x-api-key" not in fake_provider.last_request.headers


def test_unknown_model(fake_provider, make_provider):
    with pytest.raises(UnknownModel) as caught:
        run(make_provider("no-such-claude", "anthropic"))
    assert "no-such-claude" in str(caught.value)


def test_broken_stream_keeps_the_reported_input_and_estimates_the_output(fake_provider, claude):
    fake_provider.default = Behaviour.broken(after_chunks=2, text="alpha beta gamma delta")
    with pytest.raises(StreamBroken) as caught:
        run(claude)
    err = caught.value
    started = fake_provider.last_request.usage  # message_start went out before the break
    assert err.partial_text == "alpha beta "
    assert err.partial_usage.input_tokens == started["input_tokens"] and err.partial_usage.estimated
    assert err.partial_usage.output_tokens >= 1


def test_malformed_event(fake_provider, claude):
    fake_provider.default = Behaviour.malformed(after_chunks=1, text="alpha beta")
    with pytest.raises(MalformedResponse) as caught:
        run(claude)
    assert caught.value.partial_text == "alpha "


def test_missing_usage_is_estimated(fake_provider, claude):
    fake_provider.default = Behaviour.no_usage("alpha beta gamma")
    done = run(claude)[-1]
    assert done.usage.estimated and done.usage.input_tokens > 0 and done.usage.output_tokens > 0


def test_cancel_mid_stream_keeps_partial_text_and_the_input_reported(fake_provider, claude):
    fake_provider.default = Behaviour.broken(after_chunks=1, stall_seconds=30, text="alpha beta gamma")
    cancel = threading.Event()
    with pytest.raises(Cancelled) as caught:
        for event in claude.stream(PROMPT, 64, cancel):
            if isinstance(event, TextDelta):
                cancel.set()
    assert caught.value.partial_text == "alpha "
    assert caught.value.partial_usage.input_tokens == fake_provider.last_request.usage["input_tokens"]


def test_an_error_event_inside_the_stream_breaks_it_with_the_reason(fake_provider, claude):
    fake_provider.default = Behaviour.stream_error(after_chunks=1, text="alpha beta")
    with pytest.raises(StreamBroken) as caught:
        run(claude)
    assert caught.value.partial_text == "alpha " and "Overloaded" in str(caught.value)
    assert len(fake_provider.requests) == 1


def test_temperature_reaches_the_api_whatever_the_sdk_keyword(fake_provider, claude):
    # the installed anthropic SDK (2.x) dropped `temperature` from messages.create(): it raised TypeError
    fake_provider.default = Behaviour.reply("ok")
    prompt = PROMPT.__class__(messages=PROMPT.messages, temperature=0.3)
    events = list(claude.stream(prompt, 32))
    assert isinstance(events[-1], Completed)
    assert fake_provider.last_request.body["temperature"] == 0.3
