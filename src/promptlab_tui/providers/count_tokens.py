"""The providers' own input-token counts: Anthropic's `messages.count_tokens` (SDK), Gemini's
`countTokens`, OpenAI's Responses `input_tokens.count`. Each sends the prompt to the provider, so the
caller asks only when the user allowed it (`count_online = true`).
"""

from __future__ import annotations

import json
from typing import Any

from promptlab_tui.core.types import PromptSpec
from promptlab_tui.providers.request_body import anthropic_extras, anthropic_messages, openai_message


class CountUnavailable(Exception):
    """No count endpoint for this provider, or the call failed; the message says which, for the preview."""


def count_input_tokens(provider: Any, prompt: PromptSpec) -> tuple[int, str]:
    """(input tokens, the endpoint that counted them); raises CountUnavailable."""
    kind = getattr(provider, "kind", "")
    try:
        if kind == "anthropic":
            return _anthropic(provider, prompt), "Anthropic count_tokens"
        if kind == "openai":
            return _openai(provider, prompt), "OpenAI input_tokens.count"
        if provider.name == "google":
            return _gemini(provider, prompt), "Gemini countTokens"
    except CountUnavailable:
        raise
    except Exception as error:  # any SDK/network failure: the preview falls back and says why
        raise CountUnavailable(_reason(error)) from error
    raise CountUnavailable(f"{provider.label} has no token-count endpoint")


def _reason(error: Exception) -> str:
    name = type(error).__name__
    if "Connection" in name or "Timeout" in name or "ConnectError" in name:
        return "offline: the count endpoint could not be reached"
    status = getattr(error, "status_code", None)
    return f"the count endpoint answered {status}" if status else f"the count failed ({name})"


def _anthropic(provider: Any, prompt: PromptSpec) -> int:
    body: dict[str, Any] = {"model": provider.model, "messages": anthropic_messages(prompt), **anthropic_extras(prompt)}
    if prompt.system:
        body["system"] = prompt.system
    return int(provider.client().messages.count_tokens(**body).input_tokens)


def _openai_input(prompt: PromptSpec) -> list[dict[str, Any]]:
    """Chat messages as Responses input items (function calls and their outputs as their own items)."""
    items: list[dict[str, Any]] = []
    for message in prompt.messages:
        if message.role == "tool":
            items.append({"type": "function_call_output", "call_id": message.tool_call_id, "output": message.content})
            continue
        body = openai_message(message)
        content = body.get("content")
        if isinstance(content, list):
            content = [{"type": "input_text", "text": p["text"]} if p.get("type") == "text" else
                       {"type": "input_image", "image_url": p["image_url"]["url"],
                        "detail": p["image_url"].get("detail", "auto")} for p in content]
        if content:
            items.append({"role": message.role, "content": content})
        for call in message.tool_calls or ():
            items.append({"type": "function_call", "call_id": call.get("id", ""),
                          "name": call["function"]["name"], "arguments": call["function"].get("arguments", "")})
    return items


def _openai(provider: Any, prompt: PromptSpec) -> int:
    body: dict[str, Any] = {"model": provider.model, "input": _openai_input(prompt)}
    if prompt.tools:
        body["tools"] = [{"type": "function", **t["function"]} for t in prompt.tools]
    fmt = prompt.response_format
    if fmt and fmt.get("type") == "json_schema":
        body["text"] = {"format": {"type": "json_schema", **fmt["json_schema"]}}
    elif fmt:
        body["text"] = {"format": {"type": fmt["type"]}}
    return int(provider.client().responses.input_tokens.count(**body).input_tokens)


def _gemini(provider: Any, prompt: PromptSpec) -> int:
    import urllib.error
    import urllib.request

    base = provider.base_url.rstrip("/")
    base = base[: -len("/openai")] if base.endswith("/openai") else base
    model = provider.model.rsplit("/", 1)[-1]
    contents = [{"role": "model" if m.role == "assistant" else "user", "parts": [{"text": m.content}]}
                for m in prompt.user_messages]
    request: dict[str, Any] = {"model": f"models/{model}", "contents": contents}
    if prompt.system:
        request["systemInstruction"] = {"parts": [{"text": prompt.system}]}
    if prompt.tools:
        request["tools"] = [{"functionDeclarations": [t["function"] for t in prompt.tools]}]
    call = urllib.request.Request(f"{base}/models/{model}:countTokens", method="POST",
                                  data=json.dumps({"generateContentRequest": request}).encode(),
                                  headers={"x-goog-api-key": provider._api_key, "content-type": "application/json"})
    try:
        with urllib.request.urlopen(call, timeout=provider.timeout) as response:  # noqa: S310 (the configured URL)
            return int(json.loads(response.read())["totalTokens"])
    except urllib.error.HTTPError as error:
        raise CountUnavailable(f"the count endpoint answered {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise CountUnavailable("offline: the count endpoint could not be reached") from error
