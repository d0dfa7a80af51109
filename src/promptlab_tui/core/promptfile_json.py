"""Prompt files in JSON: a list of chat messages, or a request body (OpenAI's or Anthropic's shape) with its
settings, tools and formats; every error names the line of the offending value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from promptlab_tui.core.promptfile_fields import (
    _REQUEST_KEYS, _SETTINGS, PromptFileError, _line_at, _setting, _spec)
from promptlab_tui.core.types import ChatMessage, PromptSpec


_DECODER = json.JSONDecoder()


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _members(text: str, start: int) -> dict[Any, int]:
    """Offsets where each element (array) or member value (object) of the container at `start` begins."""
    offsets: dict[Any, int] = {}
    opening = text[start]
    index = _skip_space(text, start + 1)
    position = 0
    while index < len(text) and text[index] not in "]}":
        if opening == "{":
            key, index = _DECODER.raw_decode(text, index)
            index = _skip_space(text, _skip_space(text, index) + 1)  # past the colon
        else:
            key, position = position, position + 1
        offsets[key] = index
        _, index = _DECODER.raw_decode(text, index)
        index = _skip_space(text, index)
        if index < len(text) and text[index] == ",":
            index = _skip_space(text, index + 1)
    return offsets


def _load_json(path: Path, text: str) -> PromptSpec:
    from promptlab_tui.core import request_shape as shape

    try:
        document = json.loads(text)
    except RecursionError as error:  # the json module recurses per nesting level
        raise PromptFileError(path, 1, "(JSON syntax)", "valid JSON", "lists or objects nested too deeply") from error
    except json.JSONDecodeError as error:
        raise PromptFileError(path, error.lineno, f"(JSON syntax, column {error.colno})", "valid JSON",
                              error.msg) from error
    root = _skip_space(text, 0)
    settings: dict[str, Any] = {}
    members: dict[Any, int] = {}
    anthropic = isinstance(document, dict) and shape.looks_anthropic(document)
    if isinstance(document, dict):
        members = _members(text, root)
        allowed = ("messages", "max_completion_tokens", *_REQUEST_KEYS, *[k for k in _SETTINGS if k != "system"],
                   *(("system",) if anthropic else ()))
        for key, value in document.items():
            line = _line_at(text, members[key])
            if key not in allowed:
                raise PromptFileError(path, line, key, "one of: " + ", ".join(allowed), key)
            if key not in ("messages", "system", *_REQUEST_KEYS):
                settings["max_tokens" if key == "max_completion_tokens" else key] = \
                    _setting(path, line, "max_tokens" if key == "max_completion_tokens" else key, value)
        if "messages" not in document:
            raise PromptFileError(path, _line_at(text, root), "messages", "a list of chat messages")
        messages_raw, messages_at = document["messages"], members["messages"]
        field = "messages"
    else:
        messages_raw, messages_at, field = document, root, "(top level)"
    if not isinstance(messages_raw, list) or not messages_raw:
        raise PromptFileError(path, _line_at(text, messages_at), field,
                              'a non-empty list of messages like [{"role": "user", "content": "..."}]',
                              type(messages_raw).__name__ if not isinstance(messages_raw, list) else "[]")
    offsets = _members(text, messages_at)

    def fail(where: str, expected: str, got: Any = None) -> PromptFileError:
        head = where.split(".")[0].split("[")[0]
        offset = members.get(head, root)
        if where.startswith("messages["):
            index, _, rest = where[len("messages["):].partition("]")
            offset = offsets.get(int(index), messages_at)
            key = rest.lstrip(".").split(".")[0].split("[")[0]
            if key and isinstance(messages_raw[int(index)], dict):
                offset = _members(text, offset).get(key, offset)  # the line of the message's own field
        return PromptFileError(path, _line_at(text, offset), where, expected, got)

    base = path.parent.resolve()
    if anthropic:
        messages = shape.anthropic_messages(messages_raw, base, fail)
        if document.get("system"):
            messages.insert(0, ChatMessage("system", shape.anthropic_system(document["system"], fail)))
    else:
        messages = [shape.openai_message(item, i, base, fail) for i, item in enumerate(messages_raw)]
    if not any(m.content.strip() or m.parts or m.tool_calls for m in messages if m.role not in ("system", "developer")):
        raise PromptFileError(path, _line_at(text, messages_at), "messages", "at least one non-empty user message")
    spec = _spec(messages, settings)
    if isinstance(document, dict):
        _request_extras(spec, document, fail, anthropic)
    return spec


def _request_extras(spec: PromptSpec, document: dict[str, Any], fail: Any, anthropic: bool) -> None:
    """tools, tool_choice and response_format, checked and kept to be sent as given."""
    from promptlab_tui.core import request_shape as shape

    if document.get("tools") is not None:
        spec.tools = (shape.anthropic_tools if anthropic else shape.openai_tools)(document["tools"], fail)
    if document.get("tool_choice") is not None:
        choice = document["tool_choice"]
        spec.tool_choice = shape.anthropic_tool_choice(choice) if anthropic else choice
    if document.get("response_format") is not None:
        spec.response_format = shape.response_format(document["response_format"], fail)
