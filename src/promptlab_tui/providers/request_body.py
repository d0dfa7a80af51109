"""The request's own parts (tools, tool choice, response format, images, tool calls) in each API's shape.

Prompt files keep OpenAI's shape internally; Anthropic's Messages API gets its own: content blocks,
`tool_use` / `tool_result`, tools with `input_schema`. Image files are read here, at send time only.
"""

from __future__ import annotations

import json
from typing import Any

from promptlab_tui.core.request_shape import image_data_url
from promptlab_tui.core.types import ChatMessage, PromptSpec


def _openai_part(part: dict[str, Any]) -> dict[str, Any]:
    if part.get("type") != "image_url":
        return part
    spec = dict(part["image_url"])
    spec["url"] = image_data_url(spec["url"])
    return {"type": "image_url", "image_url": spec}


def openai_message(message: ChatMessage) -> dict[str, Any]:
    body = message.as_openai()
    if message.parts:
        body["content"] = [_openai_part(part) for part in message.parts]
    return body


def openai_extras(prompt: PromptSpec) -> dict[str, Any]:
    """tools / tool_choice / response_format exactly as the prompt file gave them."""
    extras: dict[str, Any] = {}
    if prompt.tools:
        extras["tools"] = prompt.tools
    if prompt.tool_choice is not None:
        extras["tool_choice"] = prompt.tool_choice
    if prompt.response_format is not None:
        extras["response_format"] = prompt.response_format
    return extras


def _anthropic_image(part: dict[str, Any]) -> dict[str, Any]:
    url = image_data_url(part["image_url"]["url"])
    if url.startswith("data:"):
        media, data = url[5:].split(";base64,", 1)
        return {"type": "image", "source": {"type": "base64", "media_type": media, "data": data}}
    return {"type": "image", "source": {"type": "url", "url": url}}


def _anthropic_content(message: ChatMessage) -> str | list[dict[str, Any]]:
    if not message.parts and not message.tool_calls:
        return message.content
    blocks: list[dict[str, Any]] = []
    for part in message.parts or ({"type": "text", "text": message.content},):
        if part.get("type") == "image_url":
            blocks.append(_anthropic_image(part))
        elif part.get("text"):
            blocks.append({"type": "text", "text": part["text"]})
    for call in message.tool_calls or ():
        arguments = call["function"].get("arguments") or "{}"
        blocks.append({"type": "tool_use", "id": call.get("id", ""), "name": call["function"]["name"],
                       "input": json.loads(arguments) if isinstance(arguments, str) else arguments})
    return blocks


def anthropic_messages(prompt: PromptSpec) -> list[dict[str, Any]]:
    """User/assistant turns; each `tool` message becomes a tool_result block in a user turn."""
    out: list[dict[str, Any]] = []
    for message in prompt.user_messages:
        if message.role == "tool":
            block = {"type": "tool_result", "tool_use_id": message.tool_call_id or "", "content": message.content}
            if out and out[-1]["role"] == "user" and isinstance(out[-1]["content"], list):
                out[-1]["content"].append(block)
            else:
                out.append({"role": "user", "content": [block]})
            continue
        out.append({"role": "assistant" if message.role == "assistant" else "user",
                    "content": _anthropic_content(message)})
    return out


def anthropic_extras(prompt: PromptSpec) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    if prompt.tools:
        extras["tools"] = [{k: v for k, v in (("name", f["name"]), ("description", f.get("description")),
                                              ("input_schema", f.get("parameters") or {"type": "object"}))
                            if v is not None} for f in (t["function"] for t in prompt.tools)]
    choice = prompt.tool_choice
    if isinstance(choice, str) and choice in ("auto", "none", "required"):
        extras["tool_choice"] = {"type": {"required": "any"}.get(choice, choice)}
    elif isinstance(choice, dict) and choice.get("type") == "function":
        extras["tool_choice"] = {"type": "tool", "name": choice["function"]["name"]}
    return extras
