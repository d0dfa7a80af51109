"""OpenAI Chat Completions (and every OpenAI-compatible endpoint) through the openai SDK, streaming.

Usage convention: `prompt_tokens` INCLUDES `prompt_tokens_details.cached_tokens` (and, at
OpenRouter, cache writes), so the normalised input is prompt - cached - writes; `completion_tokens`
includes reasoning. The usage arrives only in the last chunk, and only because we always ask for it
with `stream_options.include_usage`; if it never comes, it is counted locally and marked estimated.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from promptlab_tui.config import RetrySettings
from promptlab_tui.core.types import PromptSpec, Usage
from promptlab_tui.providers.base import Completed, StreamBroken, StreamEvent, TextDelta, UsageReport
from promptlab_tui.providers.sdk_provider import SdkProvider
from promptlab_tui.providers.support import (
    Sleeper,
    estimate_usage,
    open_with_retries,
    usd_to_nanos_or_none,
)

# Reasoning families refuse `max_tokens` and a non-default temperature.
_REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")


def is_reasoning_model(model: str) -> bool:
    return model.rsplit("/", 1)[-1].startswith(_REASONING_PREFIXES)


def max_tokens_param_for(model: str, kind: str, override: str | None = None) -> str:
    """OpenAI's reasoning models need max_completion_tokens; compatible servers know max_tokens."""
    if override:
        return override
    return "max_completion_tokens" if kind == "openai" and is_reasoning_model(model) else "max_tokens"


def normalise_usage(raw: Any) -> tuple[Usage, int | None]:
    """OpenAI wire usage (SDK object or dict) -> (Usage, provider-reported cost in nanos or None)."""
    def field(obj: Any, name: str) -> Any:
        return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)

    prompt = field(raw, "prompt_tokens") or 0
    completion = field(raw, "completion_tokens") or 0
    prompt_details = field(raw, "prompt_tokens_details")
    completion_details = field(raw, "completion_tokens_details")
    cached = (field(prompt_details, "cached_tokens") or 0) if prompt_details is not None else 0
    writes = (field(prompt_details, "cache_write_tokens") or 0) if prompt_details is not None else 0
    reasoning = (field(completion_details, "reasoning_tokens") or 0) if completion_details is not None else 0
    extra = raw if isinstance(raw, dict) else (getattr(raw, "model_extra", None) or {})
    usage = Usage(input_tokens=max(prompt - cached - writes, 0), output_tokens=completion,
                  cached_input_tokens=cached, cache_write_tokens=writes, reasoning_tokens=reasoning)
    return usage, usd_to_nanos_or_none(extra.get("cost"))


class OpenAIChatProvider(SdkProvider):
    def __init__(self, name: str, model: str, *, kind: str, label: str, base_url: str, api_key: str,
                 key_source: str, timeout: float, retry: RetrySettings, max_tokens_param: str | None = None,
                 sleep: Sleeper | None = None):
        super().__init__(name, model, label=label, base_url=base_url, api_key=api_key, key_source=key_source,
                         timeout=timeout, retry=retry, sleep=sleep)
        self.kind = kind
        self.max_tokens_param = max_tokens_param

    def new_client(self) -> Any:
        import openai

        return openai.OpenAI(base_url=self.base_url, api_key=self._api_key, max_retries=0, timeout=self.timeout)

    def build_request(self, prompt: PromptSpec, max_tokens: int) -> dict[str, Any]:
        from promptlab_tui.providers.request_body import openai_extras, openai_message

        messages = [openai_message(m) for m in prompt.messages]
        if self.kind != "openai":  # compatible servers rarely know the "developer" role
            messages = [{**m, "role": "system"} if m["role"] == "developer" else m for m in messages]
        request: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            max_tokens_param_for(self.model, self.kind, self.max_tokens_param): max_tokens,
        }
        if prompt.temperature is not None and not is_reasoning_model(self.model):
            request["temperature"] = prompt.temperature
        request.update(openai_extras(prompt))
        return request

    def stream(self, prompt: PromptSpec, max_tokens: int,
               cancel: threading.Event | None = None) -> Iterator[StreamEvent]:
        ctx = self.context()
        request = self.build_request(prompt, max_tokens)
        client = self.client()
        response = open_with_retries(lambda: client.chat.completions.create(**request), ctx, self.retry,
                                     cancel, self.sleep)
        parts: list[str] = []
        usage: Usage | None = None
        cost: int | None = None
        finish: str | None = None

        def partial() -> Usage:
            exact = usage is not None and finish is not None
            return usage if exact else estimate_usage(prompt, self.model, "".join(parts), usage)

        for chunk in self.guarded_events(response, ctx, cancel, parts, partial):
            if getattr(chunk, "usage", None):
                usage, cost = normalise_usage(chunk.usage)
                yield UsageReport(usage, cost)
            for choice in chunk.choices or ():
                text = getattr(choice.delta, "content", None) if choice.delta else None
                for call in (getattr(choice.delta, "tool_calls", None) or ()) if choice.delta else ():
                    function = getattr(call, "function", None)  # shown as name(arguments) in the answer
                    text = (text or "") + (f"\n-> {function.name} " if function and function.name else "") \
                        + ((function.arguments or "") if function else "")
                if text:
                    parts.append(text)
                    yield TextDelta(text)
                if choice.finish_reason:
                    finish = choice.finish_reason
        text = "".join(parts)
        if finish is None:
            raise StreamBroken(f"The {self.label} stream ended before the answer was finished, after "
                               f"{len(text):,} characters. The partial answer and its estimated usage were kept.",
                               provider=self.name, partial_text=text, partial_usage=partial())
        if usage is None:
            usage = estimate_usage(prompt, self.model, text)
            yield UsageReport(usage, None)
        yield Completed(text=text, usage=usage, finish_reason=finish, provider_cost_nanos=cost)
