"""Prompt files in a request's own shape: OpenAI Chat Completions or Anthropic Messages, read into one
internal form (OpenAI's: content parts, `tool_calls`, `tool` messages, function tools).

Each check raises through `fail(field, expected, got)`, which the caller turns into a file/line error.
Image paths are made absolute against the prompt file's folder so the run can read them later.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

from promptlab_tui.core.types import ChatMessage

Fail = Callable[[str, str, Any], Exception]
ROLES = ("system", "developer", "user", "assistant", "tool")
_PART_EXPECTED = ('{"type": "text", "text": "..."} or {"type": "image_url", "image_url": '
                  '{"url": "data:... or a file path", "detail": "low|high|auto"}}')
_ANTHROPIC_KEYS = ("system",)


def looks_anthropic(document: dict[str, Any]) -> bool:
    """Anthropic's Messages shape: a top-level `system`, `input_schema` tools, or its content blocks."""
    if "system" in document:
        return True
    tools = document.get("tools")
    if isinstance(tools, list) and any(isinstance(t, dict) and "input_schema" in t for t in tools):
        return True
    for message in document.get("messages") or ():
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list) and any(isinstance(b, dict) and b.get("type") in ("image", "tool_use",
                                                                                        "tool_result")
                                             for b in content):
            return True
    return False


def _image_url(url: Any, base: Path, field: str, fail: Fail) -> str:
    if not isinstance(url, str) or not url:
        raise fail(field, "an image URL: a data: URL, an http(s) URL or a file path", url)
    if url.startswith(("data:", "http://", "https://")):
        return url
    path = Path(url[len("file://"):] if url.startswith("file://") else url).expanduser()
    path = path if path.is_absolute() else base / path
    if not path.is_file():
        raise fail(field, "an image file that exists", str(path))
    return str(path)


def openai_message(item: Any, index: int, base: Path, fail: Fail) -> ChatMessage:
    field = f"messages[{index}]"
    if not isinstance(item, dict):
        raise fail(field, 'an object like {"role": "user", "content": "..."}', item)
    role = item.get("role")
    if role not in ROLES:
        raise fail(f"{field}.role", "one of: " + ", ".join(ROLES), role)
    content, parts = item.get("content"), None
    if isinstance(content, list):
        checked = []
        for i, part in enumerate(content):
            where = f"{field}.content[{i}]"
            kind = part.get("type") if isinstance(part, dict) else None
            if kind == "text" and isinstance(part.get("text"), str):
                checked.append({"type": "text", "text": part["text"]})
            elif kind == "image_url":
                spec = part.get("image_url")
                spec = {"url": spec} if isinstance(spec, str) else spec
                if not isinstance(spec, dict):
                    raise fail(where, _PART_EXPECTED, part)
                detail = spec.get("detail", "auto")
                if detail not in ("low", "high", "auto"):
                    raise fail(f"{where}.image_url.detail", "low, high or auto", detail)
                checked.append({"type": "image_url", "image_url": {
                    **spec, "url": _image_url(spec.get("url"), base, f"{where}.image_url.url", fail)}})
            else:
                raise fail(where, _PART_EXPECTED, part)
        content = "".join(p["text"] for p in checked if p["type"] == "text")
        parts = tuple(checked) if any(p["type"] != "text" for p in checked) else None
    tool_calls = item.get("tool_calls")
    if tool_calls is not None:
        if role != "assistant" or not isinstance(tool_calls, list) or not all(
                isinstance(c, dict) and isinstance(c.get("function"), dict)
                and isinstance(c["function"].get("name"), str) for c in tool_calls):
            raise fail(f"{field}.tool_calls", 'on an assistant message, a list of {"id": ..., "type": "function", '
                       '"function": {"name": ..., "arguments": "{...}"}}', tool_calls)
        tool_calls = tuple(tool_calls)
    if content is None and tool_calls:
        content = ""
    if not isinstance(content, str):
        raise fail(f"{field}.content", "the message text (a string) or a list of content parts", content)
    call_id = item.get("tool_call_id")
    if role == "tool" and not isinstance(call_id, str):
        raise fail(f"{field}.tool_call_id", "the id of the tool call this message answers", call_id)
    name = item.get("name")
    if name is not None and not isinstance(name, str):
        raise fail(f"{field}.name", "a string", name)
    return ChatMessage(role, content, name or None, parts, tool_calls, call_id if role == "tool" else None)


def openai_tools(tools: Any, fail: Fail) -> list[dict[str, Any]]:
    if not isinstance(tools, list) or not all(
            isinstance(t, dict) and isinstance(t.get("function"), dict) and isinstance(t["function"].get("name"), str)
            for t in tools):
        raise fail("tools", 'a list of {"type": "function", "function": {"name": ..., "description": ..., '
                   '"parameters": {...}}}', tools)
    return [dict(t) for t in tools]


def response_format(value: Any, fail: Fail) -> dict[str, Any]:
    kinds = ("text", "json_object", "json_schema")
    if not isinstance(value, dict) or value.get("type") not in kinds:
        raise fail("response_format", 'an object like {"type": "json_schema", "json_schema": {"name": ..., '
                   '"schema": {...}}}', value)
    if value["type"] == "json_schema" and not isinstance(value.get("json_schema"), dict):
        raise fail("response_format.json_schema", 'an object like {"name": ..., "schema": {...}}',
                   value.get("json_schema"))
    return dict(value)


# -- Anthropic's Messages shape -------------------------------------------------------------------

def anthropic_system(value: Any, fail: Fail) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(b, dict) and isinstance(b.get("text"), str) for b in value):
        return "\n\n".join(b["text"] for b in value)
    raise fail("system", 'the system prompt: a string or a list of {"type": "text", "text": "..."} blocks', value)


def _anthropic_image(block: dict[str, Any], where: str, base: Path, fail: Fail) -> dict[str, Any]:
    source = block.get("source")
    if not isinstance(source, dict):
        raise fail(f"{where}.source", 'an object like {"type": "base64", "media_type": "image/png", "data": ...}',
                   source)
    if source.get("type") == "base64" and isinstance(source.get("data"), str):
        url = f"data:{source.get('media_type', 'image/png')};base64,{source['data']}"
    elif source.get("type") in ("url", "file") or "path" in source:
        url = _image_url(source.get("url", source.get("path")), base, f"{where}.source", fail)
    else:
        raise fail(f"{where}.source", "a base64, url or path image source", source)
    return {"type": "image_url", "image_url": {"url": url}}


def anthropic_messages(raw: Any, base: Path, fail: Fail) -> list[ChatMessage]:
    """Anthropic messages -> internal ones: text/image blocks become parts, tool_use a tool call, each
    tool_result a `tool` message."""
    out: list[ChatMessage] = []
    for index, item in enumerate(raw):
        field = f"messages[{index}]"
        if not isinstance(item, dict) or item.get("role") not in ("user", "assistant"):
            raise fail(f"{field}.role", "user or assistant", item.get("role") if isinstance(item, dict) else item)
        content = item.get("content")
        if isinstance(content, str):
            out.append(ChatMessage(item["role"], content))
            continue
        if not isinstance(content, list):
            raise fail(f"{field}.content", "text or a list of content blocks", content)
        parts: list[dict[str, Any]] = []
        calls: list[dict[str, Any]] = []
        for i, block in enumerate(content):
            where, kind = f"{field}.content[{i}]", block.get("type") if isinstance(block, dict) else None
            if kind == "text" and isinstance(block.get("text"), str):
                parts.append({"type": "text", "text": block["text"]})
            elif kind == "image":
                parts.append(_anthropic_image(block, where, base, fail))
            elif kind == "tool_use" and isinstance(block.get("name"), str):
                import json

                calls.append({"id": str(block.get("id", "")), "type": "function", "function": {
                    "name": block["name"], "arguments": json.dumps(block.get("input", {}), ensure_ascii=False)}})
            elif kind == "tool_result":
                result = block.get("content", "")
                text = result if isinstance(result, str) else "".join(
                    b.get("text", "") for b in result if isinstance(b, dict)) if isinstance(result, list) else ""
                out.append(ChatMessage("tool", text, tool_call_id=str(block.get("tool_use_id", ""))))
            else:
                raise fail(where, "a text, image, tool_use or tool_result block", block)
        if parts or calls:
            text = "".join(p["text"] for p in parts if p["type"] == "text")
            has_images = any(p["type"] != "text" for p in parts)
            out.append(ChatMessage(item["role"], text, parts=tuple(parts) if has_images else None,
                                   tool_calls=tuple(calls) or None))
    return out


def anthropic_tools(tools: Any, fail: Fail) -> list[dict[str, Any]]:
    if not isinstance(tools, list) or not all(isinstance(t, dict) and isinstance(t.get("name"), str) for t in tools):
        raise fail("tools", 'a list of {"name": ..., "description": ..., "input_schema": {...}}', tools)
    return [{"type": "function", "function": {k: v for k, v in (
        ("name", t["name"]), ("description", t.get("description")), ("parameters", t.get("input_schema")))
        if v is not None}} for t in tools]


def anthropic_tool_choice(value: Any) -> Any:
    """Anthropic's {"type": "auto"|"any"|"tool"|"none"} in OpenAI's terms."""
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "tool":
            return {"type": "function", "function": {"name": value.get("name")}}
        return {"any": "required"}.get(kind, kind)
    return value


def image_data_url(url: str) -> str:
    """A file path image as the data URL a provider takes (data and http URLs as they are)."""
    if url.startswith(("data:", "http://", "https://")):
        return url
    data = Path(url).read_bytes()
    from promptlab_tui.core.image_tokens import image_size

    size = image_size(data[:1 << 16])
    media = f"image/{size.format}" if size else "application/octet-stream"
    return f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"
