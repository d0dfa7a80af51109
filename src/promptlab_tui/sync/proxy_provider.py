"""Proxy mode on the client: a Provider whose calls go to the team server, which holds the keys and the budget.

The server reserves, calls the provider and settles; this streams its NDJSON back as the usual events,
so the Lab and `promptlab run` behave as with a direct provider (the local ledger records the run too).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

from promptlab_tui.core.types import PromptSpec, Usage
from promptlab_tui.providers.base import (BadRequest, Cancelled, Completed, Provider, ProviderError, ProviderUnreachable,
                                          StreamBroken, StreamEvent, TextDelta)
from promptlab_tui.sync.credentials import Login


class TeamProxyProvider(Provider):
    def __init__(self, login: Login, provider: str, model: str, run_id: str, prompt_name: str | None = None) -> None:
        self.login, self.name, self.model, self.run_id, self.prompt_name = login, provider, model, run_id, prompt_name

    def stream(self, prompt: PromptSpec, max_tokens: int, cancel: threading.Event | None = None) -> Iterator[StreamEvent]:
        import httpx

        body = {"id": self.run_id, "provider": self.name, "model": self.model, "max_tokens": max_tokens,
                "messages": [{"role": m.role, "content": m.content} for m in prompt.messages],
                "prompt_name": prompt.name or self.prompt_name}
        text: list[str] = []
        try:
            with httpx.Client(base_url=self.login.url, timeout=httpx.Timeout(10.0, read=120.0),
                              headers={"Authorization": f"Bearer {self.login.token}"}) as client:
                with client.stream("POST", "/v1/proxy/runs", json=body) as response:
                    if response.status_code >= 400:
                        raise BadRequest(f"the team server refused the run: {_error(response)}", provider=self.name)
                    for line in response.iter_lines():
                        if cancel is not None and cancel.is_set():
                            raise Cancelled("cancelled", provider=self.name, partial_text="".join(text))
                        if not line.strip():
                            continue
                        event = json.loads(line)
                        if event["type"] == "delta":
                            text.append(event["text"])
                            yield TextDelta(event["text"])
                        elif event["type"] == "done":
                            yield Completed("".join(text), _usage(event), event.get("finish_reason"))
                            return
                        else:
                            raise StreamBroken(f"the team server's run failed: {event.get('message')}",
                                               provider=self.name, partial_text="".join(text),
                                               partial_usage=_usage(event) if "usage" in event else None)
        except httpx.HTTPError as error:
            raise ProviderUnreachable(f"team server {self.login.url}: {type(error).__name__}: {error}",
                                      provider=self.name, partial_text="".join(text)) from None
        except (ValueError, KeyError) as error:
            raise StreamBroken(f"the team server sent an unreadable line ({error})", provider=self.name,
                               partial_text="".join(text)) from None
        raise StreamBroken("the team server's stream ended without a result", provider=self.name,
                           partial_text="".join(text))


def _usage(event: dict[str, Any]) -> Usage:
    usage = event.get("usage") or {}
    return Usage(input_tokens=int(usage.get("input_tokens", 0)), output_tokens=int(usage.get("output_tokens", 0)),
                 cached_input_tokens=int(usage.get("cached_input_tokens", 0)),
                 cache_write_tokens=int(usage.get("cache_write_tokens", 0)),
                 reasoning_tokens=int(usage.get("reasoning_tokens", 0)), estimated=bool(usage.get("estimated")))


def _error(response: Any) -> str:
    response.read()
    try:
        return response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code}"


__all__ = ["TeamProxyProvider", "ProviderError"]
