"""What the fake provider puts on the wire: token counts, usage objects and error bodies.

Token counts follow the real rules where they are known (tiktoken + OpenAI's chat overhead)
so tests can compare the app's local estimates with what the "provider" reports. This module
is the test oracle: it deliberately does not use promptlab_tui.core.tokens.
"""

from __future__ import annotations

import json

import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

# tiktoken's cache file names (sha1 of the download URL) for the vocabularies shipped in shared/.
_CACHE_FILES = {
    "o200k_base": "fb374d419588a4632f3f557e76b4b70aebbca790",
    "cl100k_base": "9b5ad71b2ce5302211f9c61530b329a4922fc6a4",
}


def encoding_name(model: str) -> str:
    legacy = model.startswith(("gpt-4-", "gpt-3.5")) or model == "gpt-4"
    return "cl100k_base" if legacy else "o200k_base"


@lru_cache(maxsize=4)
def _encoding(name: str) -> Any | None:
    """The tiktoken encoding, or None when its vocabulary is not cached (never downloads)."""
    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    folder = Path(cache_dir) if cache_dir else Path(tempfile.gettempdir()) / "data-gym-cache"
    if not (folder / _CACHE_FILES[name]).exists():
        return None
    import tiktoken

    return tiktoken.get_encoding(name)


def encoding_for(model: str) -> Any | None:
    return _encoding(encoding_name(model))


def count_text(text: str, model: str) -> int:
    enc = encoding_for(model)
    if enc is None:
        return (len(text) + 3) // 4  # no vocabulary: a deterministic stand-in
    return len(enc.encode_ordinary(text))


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks: [{"type": "text", "text": ...}]
        return "".join(block.get("text", "") for block in content if isinstance(block, dict))
    return ""


def count_openai_prompt(messages: list[dict[str, Any]], model: str) -> int:
    """OpenAI's chat rule: 3 tokens per message (+1 with a name), content and role counted, +3 priming."""
    total = 3
    for message in messages:
        total += 3
        total += count_text(_content_text(message.get("content")), model)
        total += count_text(str(message.get("role", "")), model)
        if message.get("name"):
            total += 1 + count_text(str(message["name"]), model)
    return total


def count_openai_tools(tools: list[dict[str, Any]], model: str) -> int:
    """What the API adds for function tools (OpenAI cookbook's API-verified rule): per function 7 (gpt-4o
    family) or 10 (gpt-4, gpt-3.5) + "name:description"; per property 3 + "key:type:description", per enum
    -3 and 3 + item per item; 3 once when there are properties; 12 at the end of the list."""
    if not tools:
        return 0
    start = 7 if encoding_for(model) is not None and encoding_for(model).name == "o200k_base" else 10
    total = 12
    for tool in tools:
        function = tool.get("function", {})
        total += start + count_text(f"{function.get('name', '')}:{function.get('description', '').rstrip('.')}",
                                    model)
        properties = (function.get("parameters") or {}).get("properties") or {}
        if properties:
            total += 3
        for key, schema in properties.items():
            total += 3
            if "enum" in schema:
                total += -3 + sum(3 + count_text(str(item), model) for item in schema["enum"])
            description = str(schema.get("description", "")).rstrip(".")
            total += count_text(f"{key}:{schema.get('type', '')}:{description}", model)
    return total


def count_anthropic_prompt(body: dict[str, Any]) -> int:
    """A deterministic stand-in for Claude's tokenizer: o200k content tokens + 3 per message."""
    system = body.get("system")
    total = count_text(_content_text(system), "claude") if system else 0
    for message in body.get("messages", []):
        total += 3 + count_text(_content_text(message.get("content")), "claude")
    if body.get("tools"):  # the tool definitions' JSON, plus a fixed tool-use preamble
        total += 300 + count_text(json.dumps(body["tools"], sort_keys=True), "claude")
    return total


def count_responses_input(body: dict[str, Any], model: str) -> int:
    """OpenAI's Responses input-token count, for the fake: its items as chat messages, plus tools' JSON."""
    messages = [item if "role" in item else {"role": "tool", "content": json.dumps(item, sort_keys=True)}
                for item in body.get("input", []) if isinstance(item, dict)]
    tools = count_text(json.dumps(body["tools"], sort_keys=True), model) if body.get("tools") else 0
    return count_openai_prompt(messages, model) + tools


def count_gemini_request(body: dict[str, Any]) -> int:
    request = body.get("generateContentRequest", body)
    texts = [part.get("text", "") for content in request.get("contents", []) for part in content.get("parts", [])]
    system = request.get("systemInstruction", {}).get("parts", [])
    return sum(count_text(text, "gemini") + 2 for text in texts) + sum(count_text(p.get("text", ""), "gemini")
                                                                      for p in system)


def truncate_to_tokens(text: str, limit: int, model: str) -> tuple[str, int, bool]:
    """(text cut to at most `limit` tokens, its token count, whether it was cut)."""
    enc = encoding_for(model)
    if enc is None:
        tokens = (len(text) + 3) // 4
        if tokens <= limit:
            return text, tokens, False
        return text[: limit * 4], limit, True
    ids = enc.encode_ordinary(text)
    if len(ids) <= limit:
        return text, len(ids), False
    cut = enc.decode_bytes(ids[:limit]).decode("utf-8", errors="ignore")
    return cut, limit, True


def split_chunks(text: str) -> list[str]:
    """Stream pieces the way providers do: a word (with its trailing space) at a time."""
    return re.findall(r"\S+\s*|\s+", text) or [""]


# ---- error bodies (the real shapes) -----------------------------------------------------------

_OPENAI_ERRORS = {
    400: ("invalid_request_error", None, "Invalid request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided: {masked}. You can find your API key at https://platform.openai.com/account/api-keys."),
    403: ("invalid_request_error", "unsupported_country_region_territory", "Country, region, or territory not supported"),
    404: ("invalid_request_error", "model_not_found", "The model `{model}` does not exist or you do not have access to it."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for {model} on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s."),
    500: ("server_error", None, "The server had an error while processing your request. Sorry about that!"),
    502: ("server_error", None, "Bad gateway."),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
    529: ("server_error", None, "The server is overloaded."),
}

_ANTHROPIC_ERRORS = {
    400: ("invalid_request_error", "Invalid request."),
    401: ("authentication_error", "invalid x-api-key"),
    403: ("permission_error", "Your API key does not have permission to use the specified resource."),
    404: ("not_found_error", "model: {model}"),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit."),
    500: ("api_error", "Internal server error"),
    529: ("overloaded_error", "Overloaded"),
}


def mask_key(key: str) -> str:
    return (key[:3] + "*" * 4 + key[-2:]) if len(key) > 8 else "*" * len(key)


def openai_error(status: int, *, model: str = "", key: str = "", message: str | None = None,
                 error_type: str | None = None, code: str | None = None) -> dict[str, Any]:
    default_type, default_code, default_message = _OPENAI_ERRORS.get(status, ("server_error", None, "Error."))
    text = (message or default_message).format(model=model, masked=mask_key(key))
    return {"error": {"message": text, "type": error_type or default_type, "param": None, "code": code or default_code}}


def anthropic_error(status: int, *, model: str = "", message: str | None = None,
                    error_type: str | None = None) -> dict[str, Any]:
    default_type, default_message = _ANTHROPIC_ERRORS.get(status, ("api_error", "Error."))
    text = (message or default_message).format(model=model)
    return {"type": "error", "error": {"type": error_type or default_type, "message": text},
            "request_id": "req_fake0001"}
