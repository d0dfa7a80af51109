"""Exact input counts from the provider's own count endpoint, when the user allows it (`count_online`).

Never on the UI thread and never per keystroke: `submit` only remembers the newest request (or answers
from the cache, keyed by a hash of what would be sent), and `flush` — called by a worker — sends it once
the text has been still for the debounce. Offline or on failure the answer says so, and the preview keeps
its local (calibrated) count.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from promptlab_tui.core.types import PromptSpec, TokenCount

DEBOUNCE_SECONDS = 0.6
CACHE_SIZE = 256
COUNT_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class OnlineCount:
    tokens: int | None  # None: no online count (see `fallback`)
    source: str  # "Anthropic count_tokens", or why not
    exact: bool
    fallback: str | None = None  # offline / failed: shown beside the local count

    @property
    def label(self) -> str:
        if self.exact:
            return f"exact ({self.source})"
        return f"local count: {self.fallback}"


Counter = Callable[[PromptSpec, str | None], tuple[int, str]]  # (spec, provider) -> (tokens, source)


def request_key(spec: PromptSpec, provider: str | None) -> str:
    """A hash of everything the count depends on: provider, model and the request's content."""
    content = {"provider": provider, "model": spec.model, "messages": [m.as_openai() for m in spec.messages],
               "tools": spec.tools, "tool_choice": spec.tool_choice, "response_format": spec.response_format}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


class OnlineCounter:
    """Debounced, cached calls to a count endpoint. `submit` is cheap (UI thread); `flush` blocks (worker)."""

    def __init__(self, count: Counter, debounce_s: float = DEBOUNCE_SECONDS) -> None:
        self._count = count
        self.debounce_s = debounce_s
        self._cache: OrderedDict[str, OnlineCount] = OrderedDict()
        self._pending: tuple[str, PromptSpec, str | None, float] | None = None
        self._lock = threading.Lock()
        self.calls = 0  # requests actually sent (for the preview's status and tests)

    def submit(self, spec: PromptSpec, provider: str | None, now: float) -> OnlineCount | None:
        """The cached count of this request, or None after remembering it as the one to send next."""
        key = request_key(spec, provider)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                self._pending = None
                return cached
            self._pending = (key, spec, provider, now)
        return None

    def due_in(self, now: float) -> float | None:
        """Seconds until the pending request may be sent (None: nothing pending)."""
        with self._lock:
            if self._pending is None:
                return None
            return max(0.0, self._pending[3] + self.debounce_s - now)

    def flush(self, now: float) -> OnlineCount | None:
        """Send the pending request if the text has been still for the debounce; None if not yet."""
        with self._lock:
            pending = self._pending
            if pending is None or now - pending[3] < self.debounce_s:
                return None
            self._pending = None
        key, spec, provider, _ = pending
        self.calls += 1
        try:
            tokens, source = self._count(spec, provider)
        except Exception as error:  # the count endpoint is a nicety: any failure falls back to the local count
            return OnlineCount(None, "", False, str(error) or type(error).__name__)
        result = OnlineCount(tokens, source, True)
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return result


def provider_counter(config: object | None = None) -> Counter:
    """A Counter over the configured providers (keys and base URLs from the config)."""
    def count(spec: PromptSpec, provider: str | None) -> tuple[int, str]:
        from promptlab_tui.providers.count_tokens import CountUnavailable, count_input_tokens
        from promptlab_tui.providers.registry import provider_for

        try:
            client = provider_for(spec.model, provider, config)  # type: ignore[arg-type]
        except Exception as error:  # no key for this provider: nothing to ask
            raise CountUnavailable(str(error)) from error
        client.timeout = min(client.timeout, COUNT_TIMEOUT_SECONDS)
        return count_input_tokens(client, spec)

    return count


def online_input_count(ctx: Any, spec: PromptSpec, provider: str | None) -> TokenCount | None:
    """The provider's exact count for a run about to be planned, when the user set `count_online = true`
    (None otherwise, or on failure: the plan keeps its local count and reserves its upper bound)."""
    config = getattr(ctx, "config", None)
    if config is None or not getattr(config, "count_online", False):
        return None
    counter = getattr(ctx, "_online_counter", None)
    if counter is None:  # one per service context: its cache spans the session's runs
        counter = OnlineCounter(provider_counter(config), debounce_s=0.0)
        ctx._online_counter = counter
    result = counter.submit(spec, provider, now=0.0) or counter.flush(now=0.0)
    if result is None or not result.exact or result.tokens is None:
        return None
    return TokenCount(result.tokens, exact=True, method=f"online: {result.source}")
