"""The provider interface: a sync stream of events, and the errors a run can end with.

Every error carries a user-facing message that never contains an API key, and (where
something was already generated) `.partial_text` and `.usage` so the run is still recorded.
`.usage` on StreamBroken / Cancelled / ProviderTimeout is never None: when the provider
reported nothing, it is counted locally and marked `estimated=True`.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass

from promptlab_tui.core.types import PromptSpec, Usage


# ---- stream events -------------------------------------------------------------------------


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class UsageReport:
    """Usage as reported so far (Anthropic: input at message_start, output at message_delta)."""

    usage: Usage
    provider_cost_nanos: int | None = None


@dataclass(frozen=True)
class Completed:
    """The last event of every successful stream; `usage` is never None (estimated if unreported)."""

    text: str
    usage: Usage
    finish_reason: str | None  # "stop", "length", "content_filter", "tool_calls" or the provider's own word
    provider_cost_nanos: int | None = None  # what the provider itself billed (OpenRouter usage.cost)


StreamEvent = TextDelta | UsageReport | Completed


# ---- errors ----------------------------------------------------------------------------------


class ProviderError(Exception):
    """Base of every provider failure; `str(err)` is the message to show the user."""

    retryable = False

    def __init__(self, message: str, *, provider: str = "", partial_text: str = "", usage: Usage | None = None):
        from promptlab_tui.core.redact import redact_secrets

        super().__init__(redact_secrets(message))  # a key in a base URL or a server's echo never shows
        self.provider = provider
        self.partial_text = partial_text
        self.usage = usage

    @property
    def message(self) -> str:
        return str(self)


class MissingApiKey(ProviderError):
    def __init__(self, provider: str, env_var: str | None, config_file: str | None = None):
        where = f" under [providers.{provider}] in {config_file}" if config_file else f" under [providers.{provider}] in the config file"
        if env_var:
            message = (
                f"No API key for {provider}: set the {env_var} environment variable "
                f"(export {env_var}=your-key) or put api_key_env / api_key{where}."
            )
        else:
            message = f"No API key for {provider}: set api_key_env (the variable holding the key) or api_key{where}."
        super().__init__(message, provider=provider)
        self.env_var = env_var


class AuthenticationFailed(ProviderError):
    """401/403: the key was sent and refused."""


class UnknownModel(ProviderError):
    def __init__(self, message: str, *, provider: str = "", model: str = ""):
        super().__init__(message, provider=provider)
        self.model = model


class BadRequest(ProviderError):
    """400/422: the provider refused the request itself (e.g. max_tokens above the model's limit)."""


class QuotaExceeded(ProviderError):
    """429 insufficient_quota / 402: the account has no credit; retrying cannot help."""


class RateLimited(ProviderError):
    retryable = True

    def __init__(self, message: str, *, provider: str = "", retry_after: float | None = None):
        super().__init__(message, provider=provider)
        self.retry_after = retry_after


class ProviderServerError(ProviderError):
    """5xx or Anthropic's 529 overloaded, still failing after the retries."""

    retryable = True

    def __init__(self, message: str, *, provider: str = "", status: int | None = None):
        super().__init__(message, provider=provider)
        self.status = status


class ProviderUnreachable(ProviderError):
    """The connection could not be made (wrong base URL, server down, no network)."""


class ProviderTimeout(ProviderError):
    """No answer (or no next chunk) within the request timeout."""


class StreamBroken(ProviderError):
    def __init__(self, message: str, *, provider: str = "", partial_text: str = "", partial_usage: Usage | None = None):
        super().__init__(message, provider=provider, partial_text=partial_text, usage=partial_usage)

    @property
    def partial_usage(self) -> Usage | None:
        return self.usage


class MalformedResponse(StreamBroken):
    """The provider sent something that is not the JSON its protocol promises."""


class Cancelled(ProviderError):
    def __init__(self, message: str, *, provider: str = "", partial_text: str = "", partial_usage: Usage | None = None):
        super().__init__(message, provider=provider, partial_text=partial_text, usage=partial_usage)

    @property
    def partial_usage(self) -> Usage | None:
        return self.usage


# ---- the interface -------------------------------------------------------------------------


class Provider(ABC):
    """One model at one provider. `stream()` may be called many times, from any one thread at a time."""

    name: str  # provider name as configured ("openai", "anthropic", "groq", ...)
    model: str

    @abstractmethod
    def stream(
        self, prompt: PromptSpec, max_tokens: int, cancel: threading.Event | None = None
    ) -> Iterator[StreamEvent]:
        """Yield TextDelta/UsageReport events, then one Completed; raise a ProviderError otherwise.

        `max_tokens` is always sent to the provider (it bounds the worst-case cost that was reserved).
        The provider's own model (`self.model`) is used, not `prompt.model`.
        """

    def complete(self, prompt: PromptSpec, max_tokens: int, cancel: threading.Event | None = None) -> Completed:
        """Run the stream to the end and return its Completed event (for callers that do not stream)."""
        for event in self.stream(prompt, max_tokens, cancel):
            if isinstance(event, Completed):
                return event
        raise StreamBroken(f"{self.name} stream ended without a result", provider=self.name)

    def __repr__(self) -> str:  # never shows keys
        return f"<{type(self).__name__} {self.name}:{self.model}>"
