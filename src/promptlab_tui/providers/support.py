"""What both SDK adapters share: SDK errors -> ProviderError, retries, local usage estimates.

Both SDKs (openai, anthropic) raise the same family of exceptions (APIStatusError with
`status_code`/`response`/`body`, APITimeoutError, APIConnectionError), and mid-stream transport
errors (httpx's) by their own names; they are recognised by class name so that no SDK is imported here.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from promptlab_tui.config import RetrySettings
from promptlab_tui.core.types import PromptSpec, Usage
from promptlab_tui.providers.base import (
    AuthenticationFailed,
    BadRequest,
    Cancelled,
    ProviderError,
    ProviderServerError,
    ProviderTimeout,
    ProviderUnreachable,
    QuotaExceeded,
    RateLimited,
    UnknownModel,
)

T = TypeVar("T")


@dataclass
class CallContext:
    """Who is being called, for messages (never holds the key itself, only how to hide it)."""

    provider: str  # configured name, e.g. "openai", "groq"
    label: str  # display name, e.g. "OpenAI"
    model: str
    base_url: str
    key_source: str  # "OPENAI_API_KEY" or "the config file"
    secret: str = field(default="", repr=False)

    def scrub(self, text: str) -> str:
        """Remove the key (and anything shaped like one, and URL credentials) from text that came from the server."""
        from promptlab_tui.core.redact import redact_secrets

        return redact_secrets(text, self.secret)

    @property
    def shown_url(self) -> str:
        """The base URL as messages show it: without credentials or a key in its path or query."""
        return self.scrub(self.base_url)


def _class_names(err: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(err).__mro__}


def is_timeout(err: BaseException) -> bool:
    return bool(_class_names(err) & {"APITimeoutError", "TimeoutException", "TimeoutError", "ReadTimeout"})


def is_transport_error(err: BaseException) -> bool:
    """The connection failed (mid-stream: the stream broke)."""
    return bool(_class_names(err) & {"APIConnectionError", "TransportError", "RequestError", "StreamError",
                                     "ConnectionError"})


def _server_error_detail(err: Any) -> tuple[str, str | None]:
    """(message, code/type) from the error body of either protocol."""
    body = getattr(err, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            return str(inner.get("message") or ""), inner.get("code") or inner.get("type")
    return str(getattr(err, "message", "") or ""), None


def retry_after_seconds(err: Any) -> float | None:
    """Retry-After (seconds or HTTP date) or retry-after-ms from an SDK status error."""
    headers = getattr(getattr(err, "response", None), "headers", None)
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    try:
        if millis is not None:
            return max(float(millis) / 1000, 0.0)
    except ValueError:
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        try:
            return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
        except (TypeError, ValueError):
            return None


def classify(err: BaseException, ctx: CallContext) -> ProviderError:
    """An SDK exception raised while opening the request -> the ProviderError to show."""
    if isinstance(err, ProviderError):
        return err
    p = ctx.provider
    if is_timeout(err):
        return ProviderTimeout(f"{ctx.label} did not answer in time ({ctx.model}): the request timed out. "
                               "Try again, or raise request_timeout_seconds in the config file.", provider=p)
    status = getattr(err, "status_code", None)
    if status is None:
        if is_transport_error(err):
            return ProviderUnreachable(f"Could not connect to {ctx.label} at {ctx.shown_url}: {ctx.scrub(str(err))} "
                                       "Check the base URL and your network.", provider=p)
        return ProviderError(f"{ctx.label} call failed: {ctx.scrub(str(err))}", provider=p)
    detail, code = _server_error_detail(err)
    said = f" ({status}{' ' + code if code else ''}: {ctx.scrub(detail)})" if detail else f" ({status})"
    if status in (401, 403):
        return AuthenticationFailed(f"{ctx.label} rejected the API key from {ctx.key_source}{said}. "
                                    f"Check that the key is current and meant for {ctx.label}.", provider=p)
    if status == 404:
        return UnknownModel(f"{ctx.label} does not know the model '{ctx.model}'{said}. Check the model name "
                            f"(promptlab prices lists known models) and the base URL {ctx.shown_url}.",
                            provider=p, model=ctx.model)
    if status == 402 or (status == 429 and code == "insufficient_quota"):
        return QuotaExceeded(f"{ctx.label} says the account has no credit left{said}. "
                             "Add credit or use another key; retrying will not help.", provider=p)
    if status == 429:
        return RateLimited(f"{ctx.label} rate limit{said}.", provider=p, retry_after=retry_after_seconds(err))
    if status == 408:
        return ProviderTimeout(f"{ctx.label} timed out the request{said}. Try again.", provider=p)
    if status in (400, 413, 422):
        return BadRequest(f"{ctx.label} refused the request{said}.", provider=p)
    if status >= 500:
        kind = "is overloaded" if status == 529 or code == "overloaded_error" else "had a server error"
        return ProviderServerError(f"{ctx.label} {kind}{said}.", provider=p, status=status)
    return ProviderError(f"{ctx.label} returned an error{said}.", provider=p)


Sleeper = Callable[[float], None]


def open_with_retries(open_call: Callable[[], T], ctx: CallContext, retry: RetrySettings,
                      cancel: threading.Event | None, sleep: Sleeper | None = None) -> T:
    """Open the request; retry 429 / 5xx / overloaded with backoff honouring Retry-After.

    Only the opening is retried: once a token has streamed, a retry would bill twice.
    The total wait is capped by retry.max_total_wait_seconds; a longer Retry-After fails at once.
    """
    waited = 0.0
    attempts = max(retry.max_attempts, 1)
    for attempt in range(1, attempts + 1):
        if cancel is not None and cancel.is_set():
            raise Cancelled(f"Run cancelled before {ctx.label} answered; nothing was generated.",
                            provider=ctx.provider, partial_usage=Usage())
        try:
            return open_call()
        except Exception as err:  # noqa: BLE001 - every SDK error is classified below
            error = classify(err, ctx)
            if not error.retryable:
                raise error from err
            hint = error.retry_after if isinstance(error, RateLimited) else None
            delay = hint if hint is not None else retry.base_delay_seconds * (2 ** (attempt - 1))
            if attempt == attempts or waited + delay > retry.max_total_wait_seconds:
                raise _gave_up(error, attempt, waited, hint, retry) from err
            _wait(delay, cancel, sleep, ctx)
            waited += delay
    raise AssertionError("unreachable")


def _gave_up(error: ProviderError, attempts: int, waited: float, hint: float | None,
             retry: RetrySettings) -> ProviderError:
    tries = f"after {attempts} attempt{'s' if attempts > 1 else ''}" + (f" over {_seconds(waited)}" if waited else "")
    if hint is not None and waited + hint > retry.max_total_wait_seconds:
        advice = (f" The provider asks to wait {_seconds(hint)}, more than the {_seconds(retry.max_total_wait_seconds)} "
                  "allowed (retry.max_total_wait_seconds); try again later.")
    elif isinstance(error, RateLimited):
        advice = " Try again in a moment, or run fewer prompts at once."
    else:
        advice = " The provider may be having trouble; try again later."
    message = f"{error} Still failing {tries}.{advice}"
    if isinstance(error, RateLimited):
        return RateLimited(message, provider=error.provider, retry_after=error.retry_after)
    status = error.status if isinstance(error, ProviderServerError) else None
    return ProviderServerError(message, provider=error.provider, status=status)


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value >= 1 or value == 0 else f"{value:.2g} s"


def _wait(delay: float, cancel: threading.Event | None, sleep: Sleeper | None, ctx: CallContext) -> None:
    if sleep is not None:
        sleep(delay)
    elif cancel is not None:
        if cancel.wait(delay):
            raise Cancelled(f"Run cancelled while waiting to retry {ctx.label}; nothing was generated.",
                            provider=ctx.provider, partial_usage=Usage())
    else:
        time.sleep(delay)


def estimate_usage(prompt: PromptSpec, model: str, output_text: str, known: Usage | None = None) -> Usage:
    """Usage counted locally (marked estimated) where the provider reported none or only a part.

    Reported input figures are kept; the output is the larger of the reported and the counted.
    """
    from promptlab_tui.core import tokens

    counted_output = tokens.count_text(output_text, model).tokens if output_text else 0
    if known is not None and known.total_input_tokens > 0:
        return Usage(input_tokens=known.input_tokens, cached_input_tokens=known.cached_input_tokens,
                     cache_write_tokens=known.cache_write_tokens, cache_write_1h_tokens=known.cache_write_1h_tokens,
                     output_tokens=max(known.output_tokens, counted_output), reasoning_tokens=known.reasoning_tokens,
                     estimated=True)
    from promptlab_tui.core.request_tokens import count_prompt

    input_tokens = count_prompt(prompt, model).tokens
    return Usage(input_tokens=input_tokens, output_tokens=counted_output, estimated=True)


def usd_to_nanos_or_none(value: Any) -> int | None:
    """A provider-reported cost in USD (JSON number or string) -> nanos; floats go through their repr."""
    from promptlab_tui.core.money import usd_to_nanos

    if value is None or isinstance(value, bool):
        return None
    try:
        return usd_to_nanos(Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def mid_stream_error(err: BaseException, ctx: CallContext, cancelled: bool, text: str, usage: Usage) -> ProviderError:
    """An exception while reading an open stream -> Cancelled / ProviderTimeout / StreamBroken, with the partial run."""
    from promptlab_tui.providers.base import MalformedResponse, StreamBroken

    p, got = ctx.provider, f"after {len(text):,} characters of output"
    if cancelled:
        return Cancelled(f"Run cancelled {got}.", provider=p, partial_text=text, partial_usage=usage)
    if is_timeout(err):
        return ProviderTimeout(f"{ctx.label} stopped sending {got}: the stream timed out. The partial answer and "
                               "its estimated usage were kept.", provider=p, partial_text=text, usage=usage)
    if isinstance(err, ValueError) and not is_transport_error(err):  # json.JSONDecodeError and friends
        return MalformedResponse(f"{ctx.label} sent a malformed response {got} ({ctx.scrub(str(err))}).",
                                 provider=p, partial_text=text, partial_usage=usage)
    detail = ctx.scrub(str(err)) or type(err).__name__
    if getattr(err, "body", None) is not None:  # an error event inside the stream (e.g. overloaded_error)
        detail = _server_error_detail(err)[0] or detail
    return StreamBroken(f"The {ctx.label} stream broke {got} ({detail}). The partial answer and its estimated "
                        "usage were kept.", provider=p, partial_text=text, partial_usage=usage)


def interrupter(sdk_stream: Any) -> Callable[[], None]:
    """A function that makes a read blocked on this SDK stream fail at once (from another thread).

    Shutting the socket down is what wakes a blocked recv(); closing the response would not.
    """
    def interrupt() -> None:
        response = getattr(sdk_stream, "response", None)
        network = (getattr(response, "extensions", None) or {}).get("network_stream")
        sock = network.get_extra_info("socket") if network is not None else None
        if sock is None:
            sdk_stream.close()
            return
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    return interrupt


class CloseOnCancel:
    """Interrupts the stream from a helper thread when `cancel` is set, so a blocked read ends at once."""

    def __init__(self, cancel: threading.Event | None, sdk_stream: Any):
        self.cancel = cancel
        self.close = interrupter(sdk_stream)
        self.done = threading.Event()

    def _watch(self) -> None:
        assert self.cancel is not None
        while not self.done.is_set():
            if self.cancel.wait(0.05):
                if not self.done.is_set():
                    self.close()
                return

    def __enter__(self) -> "CloseOnCancel":
        if self.cancel is not None:
            threading.Thread(target=self._watch, name="provider-cancel", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
