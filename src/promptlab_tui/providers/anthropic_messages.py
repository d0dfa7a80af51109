"""Anthropic Messages through the anthropic SDK, streaming.

Usage convention: `input_tokens` EXCLUDES cache reads and cache writes, so it is taken as is;
`message_start` carries input and cache usage, each `message_delta` the CUMULATIVE output tokens
(take the last). Cache writes are split 5-minute / 1-hour when the `cache_creation` object is there.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from typing import Any

from promptlab_tui.core.types import PromptSpec, Usage
from promptlab_tui.providers.base import Completed, StreamBroken, StreamEvent, TextDelta, UsageReport
from promptlab_tui.providers.sdk_provider import SdkProvider
from promptlab_tui.providers.support import (
    estimate_usage,
    open_with_retries,
)

_FINISH = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls",
           "refusal": "content_filter", "pause_turn": "pause"}


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def merge_usage(current: Usage | None, raw: Any) -> Usage:
    """Apply one usage object (message_start's, or a message_delta's) over what is known so far."""
    base = current or Usage()
    values = {"input_tokens": base.input_tokens, "output_tokens": base.output_tokens,
              "cached_input_tokens": base.cached_input_tokens, "cache_write_tokens": base.cache_write_tokens,
              "cache_write_1h_tokens": base.cache_write_1h_tokens}
    if _field(raw, "input_tokens") is not None:
        values["input_tokens"] = _field(raw, "input_tokens")
    if _field(raw, "output_tokens") is not None:
        values["output_tokens"] = _field(raw, "output_tokens")
    if _field(raw, "cache_read_input_tokens") is not None:
        values["cached_input_tokens"] = _field(raw, "cache_read_input_tokens")
    written = _field(raw, "cache_creation_input_tokens")
    split = _field(raw, "cache_creation")
    five = _field(split, "ephemeral_5m_input_tokens") if split is not None else None
    hour = _field(split, "ephemeral_1h_input_tokens") if split is not None else None
    if five is not None or hour is not None:
        values["cache_write_tokens"], values["cache_write_1h_tokens"] = five or 0, hour or 0
        if written and not (five or hour):  # a total without its split: bill it as 5-minute writes
            values["cache_write_tokens"] = written
    elif written is not None:
        values["cache_write_tokens"], values["cache_write_1h_tokens"] = written, 0
    return Usage(**values)


def normalise_usage(raw: Any) -> Usage:
    """A whole Anthropic usage object (non-streaming response) -> Usage."""
    return merge_usage(None, raw)


@functools.cache
def _sdk_accepts(keyword: str) -> bool:
    import inspect

    import anthropic

    return keyword in inspect.signature(anthropic.resources.Messages.create).parameters


class AnthropicMessagesProvider(SdkProvider):
    kind = "anthropic"

    def new_client(self) -> Any:
        import anthropic

        return anthropic.Anthropic(base_url=self.base_url, api_key=self._api_key, max_retries=0,
                                   timeout=self.timeout)

    def build_request(self, prompt: PromptSpec, max_tokens: int) -> dict[str, Any]:
        from promptlab_tui.providers.request_body import anthropic_extras, anthropic_messages

        messages = anthropic_messages(prompt)
        request: dict[str, Any] = {"model": self.model, "max_tokens": max_tokens, "messages": messages,
                                   "stream": True}
        if prompt.system:
            request["system"] = prompt.system  # Anthropic takes the system prompt apart from the messages
        if prompt.temperature is not None:
            if _sdk_accepts("temperature"):
                request["temperature"] = prompt.temperature
            else:  # SDKs whose create() lost the keyword still send it in the body the API reads
                request["extra_body"] = {"temperature": prompt.temperature}
        request.update(anthropic_extras(prompt))
        return request

    def stream(self, prompt: PromptSpec, max_tokens: int,
               cancel: threading.Event | None = None) -> Iterator[StreamEvent]:
        ctx = self.context()
        request = self.build_request(prompt, max_tokens)
        client = self.client()
        response = open_with_retries(lambda: client.messages.create(**request), ctx, self.retry, cancel, self.sleep)
        parts: list[str] = []
        usage: Usage | None = None
        finish: str | None = None
        stopped = False
        output_reported = False

        def partial() -> Usage:
            exact = usage is not None and output_reported and stopped
            return usage if exact else estimate_usage(prompt, self.model, "".join(parts), usage)

        for event in self.guarded_events(response, ctx, cancel, parts, partial):
            kind = getattr(event, "type", None)
            if kind == "message_start":
                raw = getattr(event.message, "usage", None)
                if raw is not None:
                    usage = merge_usage(usage, raw)
                    yield UsageReport(usage)
            elif kind == "content_block_start" and getattr(event.content_block, "type", None) == "tool_use":
                text = f"\n-> {event.content_block.name} "  # a tool call, shown as the OpenAI side shows it
                parts.append(text)
                yield TextDelta(text)
            elif kind == "content_block_delta":
                text = getattr(event.delta, "text", None) if event.delta.type == "text_delta" else \
                    getattr(event.delta, "partial_json", None)  # a tool call's input, shown as it streams
                if text:
                    parts.append(text)
                    yield TextDelta(text)
            elif kind == "message_delta":
                reason = getattr(event.delta, "stop_reason", None)
                finish = _FINISH.get(reason, reason) if reason else finish
                raw = getattr(event, "usage", None)
                if raw is not None and usage is not None:
                    usage = merge_usage(usage, raw)
                    output_reported = True
                    yield UsageReport(usage)
            elif kind == "message_stop":
                stopped = True
        text = "".join(parts)
        if not stopped:
            raise StreamBroken(f"The {self.label} stream ended before message_stop, after {len(text):,} characters. "
                               "The partial answer and its estimated usage were kept.",
                               provider=self.name, partial_text=text, partial_usage=partial())
        if usage is None or not output_reported:  # a compatible server that leaves usage out
            usage = estimate_usage(prompt, self.model, text, usage)
            yield UsageReport(usage)
        yield Completed(text=text, usage=usage, finish_reason=finish, provider_cost_nanos=None)
