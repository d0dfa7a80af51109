"""Proxy mode: the server holds the team's provider keys (Fernet-encrypted with PROMPTLAB_SERVER_KEY) and runs
prompts for members, reserving and settling on the team's budgets exactly as the local ledger does.

The run itself goes through the app's own RunService (tracking off: the team server is the ledger),
so planning, the worst case, the SDK adapters, cancellation and partial-spend accounting are shared.
"""

from __future__ import annotations

import json
import os
import queue
import threading
from collections.abc import Iterator
from typing import Any

from promptlab_tui.server.errors import ApiError

KEY_ENV = "PROMPTLAB_SERVER_KEY"


def _fernet() -> Any:
    from cryptography.fernet import Fernet

    key = os.environ.get(KEY_ENV, "")
    if not key:
        raise ApiError(409, "no_server_key", f"the server has no {KEY_ENV}: set it to a Fernet key to hold provider "
                       "keys (see docs/team-server.md)")
    try:
        return Fernet(key.encode())
    except (ValueError, TypeError):
        raise ApiError(409, "bad_server_key", f"{KEY_ENV} is not a Fernet key (32 url-safe base64 bytes)") from None


def encrypt(secret: str) -> bytes:
    return _fernet().encrypt(secret.encode())


def decrypt(token: bytes) -> str:
    from cryptography.fernet import InvalidToken

    try:
        return _fernet().decrypt(bytes(token)).decode()
    except InvalidToken:
        raise ApiError(409, "bad_server_key", f"the stored provider key cannot be read with this {KEY_ENV} "
                       "(was the key changed?): store the provider key again") from None


def last4(token: bytes) -> str | None:
    """The key's last 4 characters (what `promptlab team provider-key list` shows); None when it cannot be read."""
    try:
        secret = decrypt(token)
    except ApiError:
        return None
    return secret[-4:] if len(secret) >= 12 else None  # a short key would be mostly given away


def run_service(provider: str, api_key: str, base_url: str | None) -> Any:
    from promptlab_tui.config import AppConfig, ProviderSettings
    from promptlab_tui.services.context import ServiceContext
    from promptlab_tui.services.runner import RunService

    config = AppConfig(providers={provider: ProviderSettings(api_key=api_key, base_url=base_url)})
    return RunService(ServiceContext(tracking=False, config=config))


def plan_run(service: Any, body: Any) -> Any:
    from promptlab_tui.core.types import ChatMessage, PromptSpec
    from promptlab_tui.services.run_types import RunInputError, RunOptions

    try:
        messages = [ChatMessage(role=m.get("role", "user"), content=m.get("content", "")) for m in body.messages]
        spec = PromptSpec(messages, model=body.model, max_tokens=body.max_tokens, name=body.prompt_name)
        plan = service.prepare_run(spec, RunOptions(provider=body.provider))
    except RunInputError as error:
        raise ApiError(422, "invalid_request", str(error)) from None
    plan.run_id = body.id
    return plan


def stream_run(service: Any, plan: Any, finish: Any, abandon: Any, heartbeat: Any = None,
               heartbeat_s: float = 225.0) -> Iterator[bytes]:
    """NDJSON: {"type": "delta", "text"} … then {"type": "done", …} or {"type": "error", …}; `finish(outcome)`
    settles on the server. A client that disconnects cancels the run (what was spent is still settled).
    `heartbeat()` runs every heartbeat_s while the call lasts: a run longer than the hold expiry keeps it."""
    from promptlab_tui.services.run_types import RunTextDelta

    events: queue.Queue = queue.Queue()
    cancel = threading.Event()
    done = object()

    def on_event(event: Any) -> None:
        if isinstance(event, RunTextDelta):
            events.put(("delta", event.text))

    def work() -> None:
        outcome = None
        try:
            outcome = service.execute(plan, on_event, cancel)
        except BaseException as error:  # noqa: BLE001 - reported to the client below
            events.put(("crash", f"{type(error).__name__}: {error}"))
        finally:
            try:
                summary = finish(outcome) if outcome is not None else abandon()
            except BaseException as error:  # noqa: BLE001
                summary = {"type": "error", "message": f"not settled: {type(error).__name__}: {error}"}
            events.put((done, summary))

    worker = threading.Thread(target=work, name=f"proxy-{plan.run_id}", daemon=True)
    worker.start()
    if heartbeat is not None:
        threading.Thread(target=_beat, args=(worker, heartbeat, heartbeat_s), name=f"proxy-beat-{plan.run_id}",
                         daemon=True).start()
    try:
        while True:
            kind, value = events.get()
            if kind is done:
                if value is not None:
                    yield (json.dumps(value) + "\n").encode()
                return
            if kind == "delta":
                yield (json.dumps({"type": "delta", "text": value}) + "\n").encode()
            else:
                yield (json.dumps({"type": "error", "message": value}) + "\n").encode()
    finally:
        cancel.set()  # a disconnected client: stop the provider call
        worker.join(timeout=60)


def _beat(worker: threading.Thread, heartbeat: Any, interval: float) -> None:
    while worker.is_alive():
        worker.join(interval)
        if worker.is_alive():
            try:
                heartbeat()
            except Exception:  # noqa: BLE001 - an expired or settled hold: settling handles it (counted once)
                return


def outcome_summary(outcome: Any) -> dict[str, Any]:
    usage = outcome.usage
    return {"type": "done" if outcome.ok else "error", "status": outcome.status,
            "message": None if outcome.error is None else str(outcome.error),
            "usage": {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
                      "cached_input_tokens": usage.cached_input_tokens,
                      "cache_write_tokens": usage.cache_write_tokens + usage.cache_write_1h_tokens,
                      "reasoning_tokens": usage.reasoning_tokens, "estimated": usage.estimated},
            "cost_nanos": None if outcome.cost is None else outcome.cost.total_nanos,
            "finish_reason": outcome.finish_reason, "duration_ms": round(outcome.duration_s * 1000)}
