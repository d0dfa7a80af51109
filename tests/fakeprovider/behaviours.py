"""Scriptable behaviours of the fake provider: what to answer to the next request(s).

Build them with the constructors (`Behaviour.reply(...)`, `Behaviour.rate_limited(...)`, ...)
and hand them to `FakeProviderServer.script(...)` or set `server.default`. Every behaviour is a
plain dataclass, so it also travels as JSON to a server running in another process.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

DEFAULT_TEXT = "Hello from the fake provider. This answer is deterministic."

KINDS = ("reply", "error", "malformed", "broken", "stream_error")


@dataclass
class Behaviour:
    kind: str = "reply"  # reply | error | malformed | broken | stream_error
    text: str = DEFAULT_TEXT
    # usage knobs (added to the usage computed from the request with tiktoken)
    cached_tokens: int = 0  # OpenAI prompt_tokens_details.cached_tokens / Anthropic cache_read_input_tokens
    reasoning_tokens: int = 0  # OpenAI completion_tokens_details.reasoning_tokens (added to completion_tokens)
    cache_write_tokens: int = 0  # Anthropic 5-minute cache writes
    cache_write_1h_tokens: int = 0  # Anthropic 1-hour cache writes
    cost_usd: str | None = None  # OpenRouter-style usage.cost (sent as a JSON number)
    usage: dict[str, Any] | None = None  # exact wire usage to send instead of the computed one
    omit_usage: bool = False  # no usage at all (stream or JSON), like some compatible servers
    finish_reason: str | None = None  # default: "stop" / "length" (end_turn / max_tokens) by max_tokens
    # errors (kind="error"): the real JSON shape of the protocol asked, with this status
    status: int = 500
    error_message: str | None = None
    error_type: str | None = None
    error_code: str | None = None
    retry_after: str | None = None  # Retry-After header value, seconds
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers
    # timing and faults
    chunk_delay: float = 0.0  # seconds before each streamed chunk (slow streams, cancel, kill -9)
    first_byte_delay: float = 0.0  # seconds before the response headers (request timeouts)
    break_after_chunks: int = 2  # kind="broken"/"malformed"/"stream_error": text chunks sent before the fault
    stall_seconds: float = 0.0  # kind="broken": wait this long (connection open) before closing
    times: int = 1  # how many requests this behaviour answers when queued
    close_delimited: bool = False  # stream without chunked encoding: the body ends when the connection closes
    tool_call: dict[str, Any] | None = None  # {"name": ..., "arguments": {...}}: answer with this call, no text

    # ---- constructors ----------------------------------------------------------------------
    @classmethod
    def reply(cls, text: str = DEFAULT_TEXT, **knobs: Any) -> "Behaviour":
        return cls(kind="reply", text=text, **knobs)

    @classmethod
    def calls_tool(cls, name: str, arguments: dict[str, Any], **knobs: Any) -> "Behaviour":
        """The model answers with one tool call (OpenAI tool_calls deltas / Anthropic a tool_use block)."""
        return cls(kind="reply", text="", tool_call={"name": name, "arguments": arguments}, **knobs)

    @classmethod
    def slow(cls, chunk_delay: float = 0.05, text: str | None = None, **knobs: Any) -> "Behaviour":
        return cls(kind="reply", text=text or DEFAULT_TEXT, chunk_delay=chunk_delay, **knobs)

    @classmethod
    def no_usage(cls, text: str = DEFAULT_TEXT, **knobs: Any) -> "Behaviour":
        return cls(kind="reply", text=text, omit_usage=True, **knobs)

    @classmethod
    def error(cls, status: int, message: str | None = None, **knobs: Any) -> "Behaviour":
        return cls(kind="error", status=status, error_message=message, **knobs)

    @classmethod
    def invalid_key(cls) -> "Behaviour":
        return cls(kind="error", status=401)

    @classmethod
    def unknown_model(cls) -> "Behaviour":
        return cls(kind="error", status=404)

    @classmethod
    def rate_limited(cls, retry_after: str | None = "0.01", **knobs: Any) -> "Behaviour":
        return cls(kind="error", status=429, retry_after=retry_after, **knobs)

    @classmethod
    def server_error(cls, status: int = 500, **knobs: Any) -> "Behaviour":
        return cls(kind="error", status=status, **knobs)

    @classmethod
    def overloaded(cls, **knobs: Any) -> "Behaviour":
        return cls(kind="error", status=529, **knobs)

    @classmethod
    def malformed(cls, after_chunks: int = 1, **knobs: Any) -> "Behaviour":
        return cls(kind="malformed", break_after_chunks=after_chunks, **knobs)

    @classmethod
    def broken(cls, after_chunks: int = 2, stall_seconds: float = 0.0, **knobs: Any) -> "Behaviour":
        return cls(kind="broken", break_after_chunks=after_chunks, stall_seconds=stall_seconds, **knobs)

    @classmethod
    def stream_error(cls, after_chunks: int = 1, status: int = 529, **knobs: Any) -> "Behaviour":
        """An error event inside a 200 stream (Anthropic's `event: error`, OpenAI's `data: {"error": ...}`)."""
        return cls(kind="stream_error", break_after_chunks=after_chunks, status=status, **knobs)

    # ---- JSON ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Behaviour":
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown behaviour fields: {sorted(unknown)}")
        behaviour = cls(**data)
        if behaviour.kind not in KINDS:
            raise ValueError(f"unknown behaviour kind {behaviour.kind!r}; expected one of {KINDS}")
        return behaviour


def openai_usage(b: Behaviour, prompt_tokens: int, visible_tokens: int) -> dict[str, Any] | None:
    if b.omit_usage:
        return None
    if b.usage is not None:
        return dict(b.usage)
    cached = min(b.cached_tokens, prompt_tokens)
    completion = visible_tokens + b.reasoning_tokens
    usage: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion,
        "total_tokens": prompt_tokens + completion,
        "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": b.reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }
    if b.cost_usd is not None:
        usage["cost"] = float(b.cost_usd)  # a JSON number, as OpenRouter sends it
        usage["is_byok"] = False
    return usage


def anthropic_start_usage(b: Behaviour, prompt_tokens: int) -> dict[str, Any] | None:
    """message_start usage: Anthropic's input_tokens EXCLUDE cache reads and writes."""
    if b.omit_usage:
        return None
    if b.usage is not None:
        return {**b.usage, "output_tokens": min(1, int(b.usage.get("output_tokens", 1)))}
    writes = b.cache_write_tokens + b.cache_write_1h_tokens
    return {
        "input_tokens": max(prompt_tokens - b.cached_tokens - writes, 0),
        "cache_creation_input_tokens": writes,
        "cache_read_input_tokens": b.cached_tokens,
        "cache_creation": {
            "ephemeral_5m_input_tokens": b.cache_write_tokens,
            "ephemeral_1h_input_tokens": b.cache_write_1h_tokens,
        },
        "output_tokens": 1,
        "service_tier": "standard",
    }


def anthropic_final_usage(b: Behaviour, prompt_tokens: int, visible_tokens: int) -> dict[str, Any] | None:
    """The whole usage (non-streaming response, and the source of message_delta's output_tokens)."""
    start = anthropic_start_usage(b, prompt_tokens)
    if start is None:
        return None
    if b.usage is not None:
        return dict(b.usage)
    return {**start, "output_tokens": visible_tokens}
