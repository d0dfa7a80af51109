"""OpenAI Chat Completions (and OpenAI-compatible) streaming against the fake server, through the real SDK."""

from __future__ import annotations

import threading

import pytest

from promptlab_tui.core import tokens
from promptlab_tui.core.types import Usage
from promptlab_tui.providers.base import (
    AuthenticationFailed,
    Cancelled,
    Completed,
    MalformedResponse,
    ProviderServerError,
    ProviderTimeout,
    QuotaExceeded,
    RateLimited,
    StreamBroken,
    TextDelta,
    UnknownModel,
)
from tests.fakeprovider.behaviours import Behaviour
from tests.providers.conftest import PROMPT, TEST_KEY


def run(provider, max_tokens=64, cancel=None):
    events = list(provider.stream(PROMPT, max_tokens, cancel))
    assert isinstance(events[-1], Completed)
    return events


def test_streams_the_text_and_records_the_reported_usage(fake_provider, make_provider):
    fake_provider.default = Behaviour.reply("Two, three and five.")
    events = run(make_provider())
    done = events[-1]
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Two, three and five." == done.text
    wire = fake_provider.last_request.usage
    assert done.usage == Usage(input_tokens=wire["prompt_tokens"], output_tokens=wire["completion_tokens"])
    assert done.finish_reason == "stop" and done.provider_cost_nanos is None


def test_local_input_count_equals_the_reported_prompt_tokens(fake_provider, make_provider):
    local = tokens.count_messages(PROMPT.messages, "gpt-4o-mini")
    if not local.exact:
        pytest.skip("tiktoken vocabulary not cached")
    done = run(make_provider("gpt-4o-mini"))[-1]
    assert done.usage.input_tokens == local.tokens


def test_request_carries_max_tokens_and_asks_for_usage(fake_provider, make_provider):
    run(make_provider("gpt-4o-mini"), max_tokens=77)
    body = fake_provider.last_request.body
    assert body["max_tokens"] == 77
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert [m["role"] for m in body["messages"]] == ["system", "user"]


@pytest.mark.parametrize("model", ["o3-mini", "o1", "o4-mini", "gpt-5", "gpt-5-mini"])
def test_reasoning_models_get_max_completion_tokens_and_no_temperature(fake_provider, make_provider, model):
    provider = make_provider(model)
    prompt = PROMPT.__class__(messages=PROMPT.messages, temperature=0.2)
    list(provider.stream(prompt, 50))
    body = fake_provider.last_request.body
    assert body["max_completion_tokens"] == 50 and "max_tokens" not in body and "temperature" not in body


def test_compatible_servers_get_max_tokens_and_no_developer_role(fake_provider, make_provider):
    provider = make_provider("openai/o3-mini", "openrouter")
    prompt = PROMPT.__class__(messages=[PROMPT.messages[0].__class__("developer", "Be terse."), *PROMPT.user_messages])
    list(provider.stream(prompt, 40))
    body = fake_provider.last_request.body
    assert body["max_tokens"] == 40 and "max_completion_tokens" not in body
    assert body["messages"][0]["role"] == "system"


def test_answer_is_cut_at_max_tokens_and_says_so(fake_provider, make_provider):
    fake_provider.default = Behaviour.reply("one two three four five six seven eight nine ten " * 5)
    done = run(make_provider(), max_tokens=5)[-1]
    assert done.finish_reason == "length" and done.usage.output_tokens == 5


def test_cached_tokens_are_taken_out_of_the_full_rate_input(fake_provider, make_provider):
    fake_provider.default = Behaviour.reply(usage={
        "prompt_tokens": 2006, "completion_tokens": 300, "total_tokens": 2306,
        "prompt_tokens_details": {"cached_tokens": 1920}, "completion_tokens_details": {"reasoning_tokens": 0}})
    done = run(make_provider())[-1]
    assert done.usage == Usage(input_tokens=86, cached_input_tokens=1920, output_tokens=300)
    assert done.usage.total_input_tokens == 2006  # nothing billed twice, nothing lost


def test_reasoning_tokens_are_reported_inside_the_output(fake_provider, make_provider):
    fake_provider.default = Behaviour.reply("42", reasoning_tokens=128)
    done = run(make_provider("o3-mini"), max_tokens=1000)[-1]
    wire = fake_provider.last_request.usage
    assert done.usage.reasoning_tokens == 128
    assert done.usage.output_tokens == wire["completion_tokens"] == 128 + wire["completion_tokens"] - 128
    assert done.usage.output_tokens > 128


def test_openrouter_reported_cost_is_kept_in_nanos(fake_provider, make_provider):
    fake_provider.default = Behaviour.reply(cost_usd="0.000123", cached_tokens=4)
    done = run(make_provider("openai/gpt-4o-mini", "openrouter"))[-1]
    assert done.provider_cost_nanos == 123_000
    assert done.usage.cached_input_tokens == 4


def test_missing_usage_is_counted_locally_and_marked_estimated(fake_provider, make_provider):
    fake_provider.default = Behaviour.no_usage("Two, three and five.")
    done = run(make_provider())[-1]
    assert done.usage.estimated
    assert done.usage.input_tokens == tokens.count_messages(PROMPT.messages, "gpt-4o-mini").tokens
    assert done.usage.output_tokens == tokens.count_text("Two, three and five.", "gpt-4o-mini").tokens


def test_broken_stream_keeps_the_partial_answer_and_an_estimate(fake_provider, make_provider):
    fake_provider.default = Behaviour.broken(after_chunks=2, text="alpha beta gamma delta")
    provider = make_provider()
    with pytest.raises(StreamBroken) as caught:
        run(provider)
    err = caught.value
    assert err.partial_text == "alpha beta " and "broke" in str(err)
    assert err.partial_usage.estimated and err.partial_usage.output_tokens >= 2
    assert err.partial_usage.input_tokens == tokens.count_messages(PROMPT.messages, "gpt-4o-mini").tokens
    assert len(fake_provider.requests) == 1  # never retried once tokens streamed


def test_malformed_chunk_is_a_clear_error_with_the_partial_answer(fake_provider, make_provider):
    fake_provider.default = Behaviour.malformed(after_chunks=1, text="alpha beta gamma")
    with pytest.raises(MalformedResponse) as caught:
        run(make_provider())
    assert caught.value.partial_text == "alpha " and "malformed" in str(caught.value)


def test_rate_limit_is_retried_honouring_retry_after(fake_provider, make_provider, waits):
    fake_provider.script(Behaviour.rate_limited(retry_after="0.25"), Behaviour.rate_limited(retry_after="0.5"))
    done = run(make_provider())[-1]
    assert done.text and waits == [0.25, 0.5]
    assert len(fake_provider.requests) == 3


def test_rate_limit_that_persists_says_so_after_the_retries(fake_provider, make_provider, waits):
    fake_provider.default = Behaviour.rate_limited(retry_after="0.01")
    with pytest.raises(RateLimited) as caught:
        run(make_provider(max_attempts=3))
    assert "rate limit" in str(caught.value) and "after 3 attempts" in str(caught.value)
    assert len(fake_provider.requests) == 3 and waits == [0.01, 0.01]


def test_a_retry_after_longer_than_the_cap_fails_at_once(fake_provider, make_provider, waits):
    fake_provider.default = Behaviour.rate_limited(retry_after="120")
    with pytest.raises(RateLimited) as caught:
        run(make_provider(max_total_wait_seconds=30))
    assert caught.value.retry_after == 120 and "wait 120" in str(caught.value)
    assert waits == [] and len(fake_provider.requests) == 1


def test_quota_exhausted_is_not_retried(fake_provider, make_provider):
    fake_provider.default = Behaviour.error(429, "You exceeded your current quota.", error_code="insufficient_quota")
    with pytest.raises(QuotaExceeded):
        run(make_provider())
    assert len(fake_provider.requests) == 1


def test_server_errors_are_retried_with_backoff_then_reported(fake_provider, make_provider, waits):
    fake_provider.default = Behaviour.server_error(500)
    with pytest.raises(ProviderServerError) as caught:
        run(make_provider(base_delay_seconds=0.5))
    assert caught.value.status == 500 and "server error" in str(caught.value)
    assert waits == [0.5, 1.0] and len(fake_provider.requests) == 3


def test_server_error_then_success(fake_provider, make_provider):
    fake_provider.script(Behaviour.server_error(503))
    assert run(make_provider())[-1].text


def test_bad_key_is_refused_without_showing_it(fake_provider, make_provider):
    with pytest.raises(AuthenticationFailed) as caught:
        run(make_provider(key="wrong-secret-abcdef123456"))
    message = str(caught.value)
    assert "rejected the API key" in message and "wrong-secret-abcdef123456" not in message
    assert "authorization" not in fake_provider.last_request.headers


def test_unknown_model_names_the_model(fake_provider, make_provider):
    with pytest.raises(UnknownModel) as caught:
        run(make_provider("no-such-model"))
    assert "no-such-model" in str(caught.value) and caught.value.model == "no-such-model"


def test_no_answer_in_time_is_a_timeout(fake_provider, make_provider):
    fake_provider.default = Behaviour.reply(first_byte_delay=5)
    with pytest.raises(ProviderTimeout):
        run(make_provider(timeout=0.2))
    assert len(fake_provider.requests) == 1  # a timeout may have been billed: not retried


def test_a_stalled_stream_times_out_with_the_partial_answer(fake_provider, make_provider):
    fake_provider.default = Behaviour.broken(after_chunks=1, stall_seconds=5, text="alpha beta gamma")
    with pytest.raises(ProviderTimeout) as caught:
        run(make_provider(timeout=0.3))
    assert caught.value.partial_text == "alpha " and caught.value.usage.estimated


def test_cancel_mid_stream_returns_the_partial_answer_at_once(fake_provider, make_provider):
    # The stream stalls after one chunk: only the cancel (closing the connection) can end it early.
    fake_provider.default = Behaviour.broken(after_chunks=1, stall_seconds=30, text="alpha beta gamma")
    cancel = threading.Event()
    received = []
    with pytest.raises(Cancelled) as caught:
        for event in make_provider().stream(PROMPT, 64, cancel):
            received.append(event)
            cancel.set()
    assert caught.value.partial_text == "alpha " and received == [TextDelta("alpha ")]
    assert caught.value.partial_usage.input_tokens > 0 and caught.value.partial_usage.estimated


def test_cancel_before_the_call_sends_nothing(fake_provider, make_provider):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled) as caught:
        run(make_provider(), cancel=cancel)
    assert fake_provider.requests == [] and caught.value.partial_usage == Usage()


def test_provider_repr_and_errors_never_show_the_key(make_provider):
    provider = make_provider()
    assert TEST_KEY not in repr(provider) and TEST_KEY not in repr(vars(provider).get("retry"))


def test_an_error_inside_the_stream_breaks_it_with_the_reason(fake_provider, make_provider):
    fake_provider.default = Behaviour.stream_error(after_chunks=2, status=500, text="alpha beta gamma")
    with pytest.raises(StreamBroken) as caught:
        run(make_provider())
    assert caught.value.partial_text == "alpha beta " and "server had an error" in str(caught.value)


def test_an_unreachable_server_names_the_base_url(fake_provider):
    from promptlab_tui.config import AppConfig, ProviderSettings
    from promptlab_tui.providers.base import ProviderUnreachable
    from promptlab_tui.providers.registry import provider_for

    fake_provider.stop()  # nothing listens on that port any more
    config = AppConfig(providers={"openai": ProviderSettings(base_url=fake_provider.url + "/v1", api_key=TEST_KEY)})
    with pytest.raises(ProviderUnreachable) as caught:
        provider_for("gpt-4o-mini", "openai", config).complete(PROMPT, 8)
    assert fake_provider.url in str(caught.value)
