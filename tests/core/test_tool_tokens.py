"""Tool definitions, tool-call conversations and response formats counted into a request's input tokens."""

from __future__ import annotations

import json

import pytest

from promptlab_tui.core.promptfile import load_prompt_file
from promptlab_tui.core.request_tokens import count_prompt
from promptlab_tui.core.types import ChatMessage, PromptSpec
from tests.conftest import requires_vocab

# OpenAI cookbook "How to count tokens with tiktoken", section 7: one weather tool and two messages,
# whose prompt_tokens the API reported as 105 (gpt-3.5-turbo, gpt-4) and 101 (gpt-4o, gpt-4o-mini).
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a given location",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                "unit": {"type": "string", "description": "The unit of temperature to return",
                         "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location"],
        },
    },
}
WEATHER_MESSAGES = [
    ChatMessage("system", "You are a helpful assistant that can answer to questions about the weather."),
    ChatMessage("user", "What's the weather like in San Francisco?"),
]
COOKBOOK_API_PROMPT_TOKENS = {"gpt-3.5-turbo": 105, "gpt-4": 105, "gpt-4o": 101, "gpt-4o-mini": 101}


def weather_spec(model: str, **extra) -> PromptSpec:
    return PromptSpec(messages=list(WEATHER_MESSAGES), model=model, tools=[WEATHER_TOOL], **extra)


@requires_vocab
@pytest.mark.parametrize("model", sorted(COOKBOOK_API_PROMPT_TOKENS))
def test_the_cookbook_tool_example_counts_what_the_api_reported(model):
    counted = count_prompt(weather_spec(model))
    assert counted.tokens == COOKBOOK_API_PROMPT_TOKENS[model]
    assert counted.count.exact
    assert [tool.label for tool in counted.tools] == ["get_current_weather"]
    assert counted.tools[0].exact


@requires_vocab
def test_dated_snapshots_use_their_family_rule():
    assert count_prompt(weather_spec("gpt-4o-2024-08-06")).tokens == 101
    assert count_prompt(weather_spec("gpt-4-0613")).tokens == 105
    assert count_prompt(weather_spec("openai/gpt-4o-mini")).tokens == 101


@requires_vocab
def test_each_tool_is_listed_with_its_own_cost_and_the_list_end_once():
    second = json.loads(json.dumps(WEATHER_TOOL))
    second["function"]["name"] = "get_forecast"
    one = count_prompt(weather_spec("gpt-4o"))
    two = count_prompt(PromptSpec(messages=list(WEATHER_MESSAGES), model="gpt-4o", tools=[WEATHER_TOOL, second]))
    assert one.tools_overhead == two.tools_overhead == 12
    assert two.tokens - one.tokens == two.tools[1].tokens
    plain = count_prompt(PromptSpec(messages=list(WEATHER_MESSAGES), model="gpt-4o")).tokens
    assert one.tokens == plain + one.tools[0].tokens + 12


@requires_vocab
def test_a_model_outside_the_verified_four_is_counted_but_marked_approximate():
    counted = count_prompt(weather_spec("gpt-4.1"))
    assert not counted.count.exact and counted.approximate_parts == ("tools",)
    assert "not gpt-4.1" in counted.tools[0].detail
    assert "tools" in (counted.count.note or "")


@requires_vocab
def test_a_nested_schema_is_outside_the_rule_and_says_so():
    nested = json.loads(json.dumps(WEATHER_TOOL))
    nested["function"]["parameters"]["properties"]["when"] = {
        "type": "object", "description": "When", "properties": {"day": {"type": "string"}}}
    counted = count_prompt(PromptSpec(messages=list(WEATHER_MESSAGES), model="gpt-4o", tools=[nested]))
    assert not counted.tools[0].exact and "when: properties" in counted.tools[0].detail
    assert counted.tokens > 101


@requires_vocab
def test_tool_call_conversations_count_calls_and_results():
    call = {"id": "call_1", "type": "function",
            "function": {"name": "get_current_weather", "arguments": '{"location": "Paris, FR"}'}}
    conversation = [*WEATHER_MESSAGES, ChatMessage("assistant", "", tool_calls=(call,)),
                    ChatMessage("tool", '{"temperature": 18, "unit": "celsius"}', tool_call_id="call_1")]
    counted = count_prompt(PromptSpec(messages=conversation, model="gpt-4o", tools=[WEATHER_TOOL]))
    before = count_prompt(weather_spec("gpt-4o")).tokens
    assert counted.tokens > before + 20  # the call's arguments and the result's JSON are in
    assert counted.approximate_parts == ("tool_calls",) and not counted.count.exact
    assert counted.extras[0].label == "tool calls (1)"


@requires_vocab
def test_a_json_schema_response_format_is_counted_and_marked_approximate():
    fmt = {"type": "json_schema", "json_schema": {"name": "weather", "schema": {
        "type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"]}}}
    counted = count_prompt(PromptSpec(messages=list(WEATHER_MESSAGES), model="gpt-4o", response_format=fmt))
    plain = count_prompt(PromptSpec(messages=list(WEATHER_MESSAGES), model="gpt-4o")).tokens
    assert counted.tokens > plain + 10
    assert counted.approximate_parts == ("response_format",)
    assert "approximate" in counted.extras[0].detail


def test_claude_tools_add_the_published_tool_system_prompt():
    counted = count_prompt(weather_spec("claude-sonnet-4-5"))
    assert counted.tools_overhead == 346
    forced = count_prompt(weather_spec("claude-sonnet-4-5", tool_choice="required"))
    assert forced.tools_overhead == 313
    assert not counted.count.exact


def test_a_chat_completions_request_file_loads_tools_and_response_format(tmp_path):
    path = tmp_path / "weather.json"
    path.write_text(json.dumps({
        "model": "gpt-4o", "max_tokens": 200, "temperature": 0, "tools": [WEATHER_TOOL], "tool_choice": "auto",
        "response_format": {"type": "json_object"},
        "messages": [{"role": m.role, "content": m.content} for m in WEATHER_MESSAGES]}, indent=2))
    spec = load_prompt_file(path)
    assert spec.tools == [WEATHER_TOOL] and spec.tool_choice == "auto"
    assert spec.response_format == {"type": "json_object"} and spec.max_tokens == 200


def test_an_anthropic_messages_file_loads_into_the_same_shape(tmp_path):
    path = tmp_path / "claude.json"
    path.write_text(json.dumps({
        "model": "claude-haiku-4-5", "max_tokens": 300, "system": "Be brief.",
        "tools": [{"name": "lookup", "description": "Look a word up",
                   "input_schema": {"type": "object", "properties": {"word": {"type": "string"}}}}],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "Define ossify"}]},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "lookup",
                                               "input": {"word": "ossify"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "to harden"}]},
        ]}))
    spec = load_prompt_file(path)
    assert [m.role for m in spec.messages] == ["system", "user", "assistant", "tool"]
    assert spec.messages[2].tool_calls[0]["function"] == {"name": "lookup", "arguments": '{"word": "ossify"}'}
    assert spec.messages[3].tool_call_id == "t1" and spec.messages[3].content == "to harden"
    assert spec.tools[0]["function"]["parameters"]["properties"] == {"word": {"type": "string"}}


def test_front_matter_may_carry_tools(tmp_path):
    path = tmp_path / "p.md"
    path.write_text('+++\nmodel = "gpt-4o"\n[[tools]]\ntype = "function"\n[tools.function]\nname = "f"\n'
                    'description = "Do f"\n+++\n\nCall f.\n')
    spec = load_prompt_file(path)
    assert spec.tools == [{"type": "function", "function": {"name": "f", "description": "Do f"}}]


@pytest.mark.parametrize("document, field, line", [
    ({"messages": [{"role": "user", "content": "hi"}], "tools": [{"type": "function"}]}, "tools", 8),
    ({"messages": [{"role": "user", "content": "hi"}], "response_format": {"type": "yaml"}}, "response_format", 8),
    ({"messages": [{"role": "user", "content": "hi"}, {"role": "tool", "content": "x"}]}, "messages[1].tool_call_id",
     7),
])
def test_bad_request_fields_name_file_line_and_field(tmp_path, document, field, line):
    from promptlab_tui.core.promptfile import PromptFileError

    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document, indent=2))
    with pytest.raises(PromptFileError) as caught:
        load_prompt_file(path)
    assert caught.value.field == field
    assert caught.value.line == line, str(caught.value)


def test_tools_and_formats_survive_a_markdown_save_and_load(tmp_path):
    from promptlab_tui.core.promptfile import save_prompt_file

    fmt = {"type": "json_schema", "json_schema": {"name": "w", "strict": True, "schema": {
        "type": "object", "properties": {"t": {"type": "number", "minimum": -1.5}}}}}
    spec = PromptSpec(messages=list(WEATHER_MESSAGES), model="gpt-4o", tools=[WEATHER_TOOL],
                      tool_choice={"type": "function", "function": {"name": "get_current_weather"}},
                      response_format=fmt, name="weather")
    path = save_prompt_file(spec, tmp_path / "weather.md")
    again = load_prompt_file(path)
    assert again.tools == [WEATHER_TOOL] and again.response_format == fmt
    assert again.tool_choice == spec.tool_choice and again.system == WEATHER_MESSAGES[0].content


def test_a_null_in_a_tool_cannot_go_to_markdown_and_says_why(tmp_path):
    from promptlab_tui.core.promptfile import PromptFileError, save_prompt_file

    tool = json.loads(json.dumps(WEATHER_TOOL))
    tool["function"]["parameters"]["properties"]["unit"]["default"] = None
    with pytest.raises(PromptFileError) as caught:
        save_prompt_file(PromptSpec(messages=list(WEATHER_MESSAGES), tools=[tool]), tmp_path / "x.md")
    assert caught.value.field == "tools" and "save as .json" in str(caught.value)
    save_prompt_file(PromptSpec(messages=list(WEATHER_MESSAGES), tools=[tool]), tmp_path / "x.json")
    assert load_prompt_file(tmp_path / "x.json").tools == [tool]
