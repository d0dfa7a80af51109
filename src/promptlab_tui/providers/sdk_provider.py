"""What the OpenAI and Anthropic adapters share: settings, the lazily made SDK client, the call context."""

from __future__ import annotations

import threading
from abc import abstractmethod
from collections.abc import Callable, Iterator
from typing import Any

from promptlab_tui.config import RetrySettings
from promptlab_tui.providers.base import Provider
from promptlab_tui.core.types import Usage
from promptlab_tui.providers.support import CallContext, CloseOnCancel, Sleeper, mid_stream_error


class SdkProvider(Provider):
    def __init__(self, name: str, model: str, *, label: str, base_url: str, api_key: str, key_source: str,
                 timeout: float, retry: RetrySettings, sleep: Sleeper | None = None):
        self.name, self.model, self.label = name, model, label
        self.base_url = base_url
        self._api_key = api_key
        self.key_source = key_source
        self.timeout = timeout
        self.retry = retry
        self.sleep = sleep  # tests replace the retry wait
        self._client: Any = None

    @abstractmethod
    def new_client(self) -> Any:
        """Build the SDK client (the SDK is imported here, lazily: openai 0.6 s, anthropic 1.5 s)."""

    def client(self) -> Any:
        if self._client is None:
            self._client = self.new_client()
        return self._client

    def context(self) -> CallContext:
        return CallContext(self.name, self.label, self.model, self.base_url, self.key_source, self._api_key)

    @staticmethod
    def guarded_events(response: Any, ctx: CallContext, cancel: threading.Event | None, parts: list[str],
                       partial: Callable[[], Usage]) -> Iterator[Any]:
        """The SDK stream's events; a transport error or a cancel raises the user-facing error with what was spent."""
        with CloseOnCancel(cancel, response):
            try:
                events = iter(response)
                while True:
                    try:
                        event = next(events)
                    except StopIteration:
                        if cancel is not None and cancel.is_set():  # our own close ended the body: a cancel
                            raise mid_stream_error(RuntimeError(), ctx, True, "".join(parts), partial()) from None
                        return
                    except Exception as err:  # noqa: BLE001 - mapped to the user-facing error
                        raise mid_stream_error(err, ctx, bool(cancel and cancel.is_set()), "".join(parts),
                                               partial()) from err
                    if cancel is not None and cancel.is_set():
                        raise mid_stream_error(RuntimeError(), ctx, True, "".join(parts), partial())
                    yield event
            finally:
                response.close()
