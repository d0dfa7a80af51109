"""Tools, tool choice, response format, images and tool calls go out as the prompt file gave them."""

from __future__ import annotations

import base64
import json
import struct

from promptlab_tui.core.promptfile import load_prompt_file
from promptlab_tui.providers.base import Completed
from tests.fakeprovider.behaviours import Behaviour

TOOL = {"type": "function", "function": {"name": "lookup", "description": "Look a word up",
                                         "parameters": {"type": "object",
                                                        "properties": {"word": {"type": "string"}}}}}
FORMAT = {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}}}


def _png(tmp_path):
    data = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 64, 32) + b"\x08\x02\0\0\0"
    (tmp_path / "tiny.png").write_bytes(data)
    return data


def _file(tmp_path, model):
    path = tmp_path / "request.json"
    path.write_text(json.dumps({
        "model": model, "tools": [TOOL], "tool_choice": "required", "response_format": FORMAT,
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "Define this:"},
                                         {"type": "image_url", "image_url": {"url": "tiny.png", "detail": "low"}}]},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": '{"word": "x"}'}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "a letter"},
        ]}))
    return load_prompt_file(path)


def test_openai_gets_tools_choice_format_image_and_tool_calls_as_given(fake_provider, make_provider, tmp_path):
    data = _png(tmp_path)
    fake_provider.default = Behaviour.reply("ok")
    spec = _file(tmp_path, "gpt-4o-mini")
    events = list(make_provider("gpt-4o-mini").stream(spec, 32))
    assert isinstance(events[-1], Completed)
    body = fake_provider.last_request.body
    assert body["tools"] == [TOOL] and body["tool_choice"] == "required" and body["response_format"] == FORMAT
    image = body["messages"][1]["content"][1]["image_url"]
    assert image == {"url": "data:image/png;base64," + base64.b64encode(data).decode(), "detail": "low"}
    assert body["messages"][2]["tool_calls"][0]["function"]["name"] == "lookup"
    assert body["messages"][3] == {"role": "tool", "content": "a letter", "tool_call_id": "c1"}


def test_anthropic_gets_its_own_shape(fake_provider, make_provider, tmp_path):
    data = _png(tmp_path)
    fake_provider.default = Behaviour.reply("ok")
    spec = _file(tmp_path, "claude-haiku-4-5")
    events = list(make_provider("claude-haiku-4-5", "anthropic").stream(spec, 32))
    assert isinstance(events[-1], Completed)
    body = fake_provider.last_request.body
    assert body["system"] == "Be brief."
    assert body["tools"] == [{"name": "lookup", "description": "Look a word up",
                              "input_schema": TOOL["function"]["parameters"]}]
    assert body["tool_choice"] == {"type": "any"}
    user, assistant, result = body["messages"]
    assert user["content"][1] == {"type": "image", "source": {
        "type": "base64", "media_type": "image/png", "data": base64.b64encode(data).decode()}}
    assert assistant["content"] == [{"type": "tool_use", "id": "c1", "name": "lookup", "input": {"word": "x"}}]
    assert result == {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "c1",
                                                   "content": "a letter"}]}


def test_a_tool_call_answer_streams_through_both_sdks(fake_provider, make_provider, tmp_path):
    _png(tmp_path)
    for model, provider in (("gpt-4o-mini", "openai"), ("claude-haiku-4-5", "anthropic")):
        fake_provider.script(Behaviour.calls_tool("lookup", {"word": "x"}))
        done = list(make_provider(model, provider).stream(_file(tmp_path, model), 32))[-1]
        assert isinstance(done, Completed) and done.finish_reason == "tool_calls"
        assert "-> lookup " in done.text
        assert '{"word": "x"}' in done.text
        assert done.usage.output_tokens > 0 and not done.usage.estimated
