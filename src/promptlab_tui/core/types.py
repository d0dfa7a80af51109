"""Domain dataclasses shared by the core, the providers, the store and the UI (no ORM, no Textual)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "developer", "tool"]


@dataclass(frozen=True)
class ChatMessage:
    """One message. `content` is its text; `parts` keeps OpenAI content parts when there is more than text
    (images); `tool_calls` / `tool_call_id` carry a tool-call conversation in OpenAI's shape."""

    role: str
    content: str
    name: str | None = None
    parts: tuple[dict[str, Any], ...] | None = None
    tool_calls: tuple[dict[str, Any], ...] | None = None
    tool_call_id: str | None = None

    def as_openai(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": self.role, "content": list(self.parts) if self.parts else self.content}
        if self.name:
            message["name"] = self.name
        if self.tool_calls:
            message["tool_calls"] = list(self.tool_calls)
            if not self.content and not self.parts:
                message["content"] = None
        if self.tool_call_id is not None:
            message["tool_call_id"] = self.tool_call_id
        return message


@dataclass
class PromptSpec:
    """What a run sends: the messages and the request parameters."""

    messages: list[ChatMessage]
    model: str = "gpt-4o-mini"
    max_tokens: int = 1024
    temperature: float | None = None
    name: str | None = None
    tags: list[str] = field(default_factory=list)
    source_path: str | None = None
    # Front matter for choosing and budgeting (issue 11); None / empty = not set.
    quality: str | None = None  # with model = "auto": the least quality tier to pick from
    max_cost_nanos: int | None = None  # per-run cap, like --max-cost
    session_budget_nanos: int | None = None  # cap on a `run` over several files, like --max-session-cost
    fallback: list[str] = field(default_factory=list)  # models tried in order when the provider fails
    cache: bool | None = None  # serve an identical request from the history (opt-in)
    # Sent as given (OpenAI's shape; an Anthropic-shaped file is converted on load): None = not sent.
    tools: list[dict[str, Any]] | None = None
    tool_choice: Any = None
    response_format: dict[str, Any] | None = None

    @property
    def has_request_extras(self) -> bool:
        """Tools, a response format, images or tool calls: more than chat text."""
        return bool(self.tools or self.response_format
                    or any(m.parts or m.tool_calls or m.tool_call_id is not None for m in self.messages))

    @property
    def system(self) -> str:
        return "\n\n".join(m.content for m in self.messages if m.role in ("system", "developer"))

    @property
    def user_messages(self) -> list[ChatMessage]:
        return [m for m in self.messages if m.role not in ("system", "developer")]


@dataclass(frozen=True)
class TokenCount:
    """A token count and whether it is exact (tiktoken for the model) or approximate."""

    tokens: int
    exact: bool
    method: str  # e.g. "o200k_base", "cl100k_base", "approx:chars/4", "approx:calibrated"
    note: str | None = None  # why it is approximate and how to fix it, shown to the user
    # Approximate counts: the heuristic count before any calibration (what calibration learns from); else None.
    uncalibrated_tokens: int | None = None
    # Approximate counts: what a reservation takes (the calibration's upper bound); None = exact, `tokens`.
    upper_tokens: int | None = None
    kind: str | None = None  # what an approximate count was made of: None / "text", "tools", "images+tools"...


@dataclass(frozen=True)
class Usage:
    """Tokens of one call, normalised across providers so nothing is billed twice.

    `input_tokens` are input tokens billed at the full input rate: they EXCLUDE cache
    reads and cache writes (OpenAI's prompt_tokens minus cached_tokens; Anthropic's
    input_tokens as reported). `output_tokens` include reasoning tokens.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0  # 5-minute cache writes (Anthropic)
    cache_write_1h_tokens: int = 0  # 1-hour cache writes (Anthropic)
    reasoning_tokens: int = 0
    estimated: bool = False  # counted locally because the provider reported no usage

    @property
    def total_input_tokens(self) -> int:
        return self.input_tokens + self.cached_input_tokens + self.cache_write_tokens + self.cache_write_1h_tokens


@dataclass(frozen=True)
class CostBreakdown:
    """Exact cost of a usage at a price, by component, in nano-dollars; None total = no price."""

    input_nanos: int = 0
    output_nanos: int = 0
    cached_input_nanos: int = 0
    cache_write_nanos: int = 0
    price_version: str | None = None

    @property
    def total_nanos(self) -> int:
        return self.input_nanos + self.output_nanos + self.cached_input_nanos + self.cache_write_nanos
