"""The fake provider speaks both wire protocols as the real APIs do (raw HTTP, no SDK)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.fakeprovider.behaviours import Behaviour
from tests.fakeprovider.process import FakeProviderProcess

KEY = "sk-test-raw"


def post(url, body, headers=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode()


def openai_post(server, body, key=KEY):
    return post(server.openai_base_url + "/chat/completions", body, {"Authorization": f"Bearer {key}"})


def anthropic_post(server, body, key=KEY):
    return post(server.anthropic_base_url + "/v1/messages", body, {"x-api-key": key, "anthropic-version": "2023-06-01"})


CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 20}
MESSAGES = {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 20}


def data_lines(text):
    return [line[6:] for line in text.splitlines() if line.startswith("data: ")]


@pytest.mark.parametrize("include_usage", [True, False])
def test_openai_stream_has_usage_only_when_asked(fake_provider, include_usage):
    status, headers, text = openai_post(fake_provider, {**CHAT, "stream": True,
                                                        "stream_options": {"include_usage": include_usage}})
    assert status == 200 and headers["Content-Type"].startswith("text/event-stream")
    lines = data_lines(text)
    assert lines[-1] == "[DONE]"
    chunks = [json.loads(line) for line in lines[:-1]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    with_usage = [c for c in chunks if c.get("usage")]
    assert len(with_usage) == (1 if include_usage else 0)
    if include_usage:
        assert with_usage[0]["choices"] == [] and chunks[-1] is with_usage[0]
    else:
        assert all("usage" not in c for c in chunks)


def test_anthropic_stream_events_in_order(fake_provider):
    _, _, text = anthropic_post(fake_provider, {**MESSAGES, "stream": True})
    names = [line[7:] for line in text.splitlines() if line.startswith("event: ")]
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert set(names[3:-3]) == {"content_block_delta"}
    start = json.loads(data_lines(text)[0])["message"]["usage"]
    assert {"input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"} <= set(start)


def test_json_replies_of_both_protocols(fake_provider):
    _, _, text = openai_post(fake_provider, CHAT)
    assert json.loads(text)["choices"][0]["message"]["content"]
    _, _, text = anthropic_post(fake_provider, MESSAGES)
    assert json.loads(text)["content"][0]["type"] == "text"


def test_error_shapes_and_retry_after(fake_provider):
    fake_provider.script(Behaviour.rate_limited(retry_after="7"), Behaviour.overloaded())
    status, headers, text = openai_post(fake_provider, CHAT)
    assert status == 429 and headers["retry-after"] == "7"
    assert json.loads(text)["error"]["code"] == "rate_limit_exceeded"
    status, _, text = anthropic_post(fake_provider, MESSAGES)
    assert status == 529 and json.loads(text)["error"]["type"] == "overloaded_error"


def test_checks_like_the_real_apis(fake_provider):
    status, _, text = openai_post(fake_provider, CHAT, key="bad")
    assert status == 401 and json.loads(text)["error"]["code"] == "invalid_api_key"
    status, _, text = anthropic_post(fake_provider, {**MESSAGES, "model": "no-such-model"})
    assert status == 404 and json.loads(text)["error"]["type"] == "not_found_error"
    status, _, text = anthropic_post(fake_provider, {k: v for k, v in MESSAGES.items() if k != "max_tokens"})
    assert status == 400 and "max_tokens" in text
    assert fake_provider.pending_behaviours == 0 and [r.behaviour for r in fake_provider.requests] == [None] * 3


def test_requests_are_recorded_without_secrets(fake_provider):
    openai_post(fake_provider, CHAT)
    recorded = fake_provider.last_request
    assert recorded.body["max_tokens"] == 20 and recorded.api == "openai" and recorded.key_accepted
    assert "authorization" not in recorded.headers and KEY not in json.dumps(recorded.to_dict())


def test_runs_in_its_own_process_and_is_scripted_over_http():
    with FakeProviderProcess(default=Behaviour.reply("from the other process")) as fake:
        fake.script(Behaviour.server_error(502))
        assert openai_post(fake, CHAT)[0] == 502
        status, _, text = openai_post(fake, CHAT)
        assert json.loads(text)["choices"][0]["message"]["content"] == "from the other process"
        assert [r["status"] for r in fake.requests()] == [502, 200]
