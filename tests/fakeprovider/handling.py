"""Request handling of the fake provider: checks like the real APIs, then the scripted behaviour."""

from __future__ import annotations

import json
import socket
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from tests.fakeprovider import responses, wire
from tests.fakeprovider.behaviours import Behaviour

if TYPE_CHECKING:
    from tests.fakeprovider.server import _Handler

_SECRET_HEADERS = {"authorization", "x-api-key", "api-key", "cookie"}
_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names, without authorization / x-api-key
    body: Any  # parsed JSON, or None
    raw_body: str
    api: str | None  # "openai" | "anthropic" | None
    key_accepted: bool = False
    behaviour: str | None = None  # kind of the behaviour that answered
    status: int | None = None
    usage: dict[str, Any] | None = None  # the usage the server put on the wire (protocol's shape)
    chunks_sent: int = 0  # text chunks streamed
    completed: bool = False  # the whole response was written
    client_disconnected: bool = False  # the client closed the connection first (cancel)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def recorded_from(handler: "_Handler", path: str, raw: bytes, api: str | None) -> RecordedRequest:
    headers = {k.lower(): v for k, v in handler.headers.items() if k.lower() not in _SECRET_HEADERS}
    text = raw.decode("utf-8", errors="replace")
    try:
        body = json.loads(text) if text else None
    except json.JSONDecodeError:
        body = None
    return RecordedRequest(method=handler.command, path=path, headers=headers, body=body, raw_body=text, api=api)


def _api_key(handler: "_Handler") -> str | None:
    auth = handler.headers.get("Authorization") or ""
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return handler.headers.get("x-api-key")


def _count_api(path: str) -> str | None:
    if path.endswith("/messages/count_tokens"):
        return "anthropic_count"
    if path.endswith("/responses/input_tokens"):
        return "openai_count"
    if path.endswith(":countTokens"):
        return "gemini_count"
    return None


def serve_count(h: "_Handler", path: str, raw: bytes, api: str) -> None:
    """The count endpoints: the same input figure the API's own usage would report for this request."""
    fake = h.fake
    rec = recorded_from(h, path, raw, api)
    fake.record(rec)
    body = rec.body if isinstance(rec.body, dict) else {}
    key = h.headers.get("x-goog-api-key") if api == "gemini_count" else _api_key(h)
    if not fake.key_ok(key):
        return _error(h, rec, Behaviour.invalid_key(), key=key or "")
    rec.key_accepted = True
    behaviour = fake.next_behaviour()
    rec.behaviour = behaviour.kind
    if behaviour.kind == "error":
        return _error(h, rec, behaviour)
    if api == "anthropic_count":
        answer: dict[str, Any] = {"input_tokens": wire.count_anthropic_prompt(body)}
    elif api == "openai_count":
        answer = {"object": "response.input_tokens",
                  "input_tokens": wire.count_responses_input(body, str(body.get("model", "")))}
    else:
        answer = {"totalTokens": wire.count_gemini_request(body)}
    rec.status, rec.usage, rec.completed = 200, answer, True
    h.send_json(200, answer)


def serve_api(h: "_Handler", path: str, raw: bytes) -> None:
    fake = h.fake
    count_api = _count_api(path)
    if count_api is not None:
        return serve_count(h, path, raw, count_api)
    api = "anthropic" if path.endswith("/messages") else "openai" if path.endswith("/chat/completions") else None
    rec = recorded_from(h, path, raw, api)
    fake.record(rec)
    if api is None:
        rec.status = 404
        h.send_json(404, {"error": {"message": f"Unknown path {path}", "type": "invalid_request_error"}})
        return
    body = rec.body
    if not isinstance(body, dict):
        return _error(h, rec, Behaviour.error(400, "We could not parse the JSON body of your request."))
    model = str(body.get("model", ""))
    key = _api_key(h)
    if not fake.key_ok(key):
        return _error(h, rec, Behaviour.invalid_key(), key=key or "")
    rec.key_accepted = True
    if not fake.model_known(model):
        return _error(h, rec, Behaviour.unknown_model(), model=model)
    if api == "anthropic" and not isinstance(body.get("max_tokens"), int):
        return _error(h, rec, Behaviour.error(400, "max_tokens: Field required"))
    behaviour = fake.next_behaviour()
    rec.behaviour = behaviour.kind
    try:
        if behaviour.first_byte_delay and fake.stopping.wait(behaviour.first_byte_delay):
            h.close_connection = True
            return
        if behaviour.kind == "error":
            return _error(h, rec, behaviour, model=model)
        answer = (responses.openai_answer if api == "openai" else responses.anthropic_answer)(behaviour, body)
        if body.get("stream"):
            _stream(h, rec, behaviour, answer, model, body)
        else:
            _json(h, rec, behaviour, answer, model)
    except _DISCONNECTS:
        rec.client_disconnected = True
        h.close_connection = True


def _error(h: "_Handler", rec: RecordedRequest, b: Behaviour, *, model: str = "", key: str = "") -> None:
    if rec.api in ("anthropic", "anthropic_count"):
        payload = wire.anthropic_error(b.status, model=model, message=b.error_message, error_type=b.error_type)
        headers = {"request-id": "req_fake0001"}
    else:
        payload = wire.openai_error(b.status, model=model, key=key, message=b.error_message,
                                    error_type=b.error_type, code=b.error_code)
        headers = {"x-request-id": "req_fake0001"}
    if b.retry_after is not None:
        headers["retry-after"] = b.retry_after
    headers.update(b.headers)
    rec.status = b.status
    rec.completed = True
    h.send_json(b.status, payload, headers)


def _json(h: "_Handler", rec: RecordedRequest, b: Behaviour, answer: responses.Answer, model: str) -> None:
    rec.status = 200
    if b.kind == "malformed":
        rec.completed = True
        h.send_raw(200, responses.MALFORMED_JSON, b.headers)
        return
    make = responses.openai_json if rec.api == "openai" else responses.anthropic_json
    data = json.dumps(make(answer, model, h.fake.new_id("chatcmpl-" if rec.api == "openai" else "msg_"))).encode()
    if b.kind == "broken":  # promise the whole body, send half of it, hang up
        h.send_raw(200, data[: len(data) // 2], b.headers, content_length=len(data))
        _hang_up(h, b)
        return
    rec.usage = answer.usage
    rec.completed = True
    h.send_raw(200, data, b.headers)


def _stream(h: "_Handler", rec: RecordedRequest, b: Behaviour, answer: responses.Answer, model: str,
            body: dict[str, Any]) -> None:
    fake = h.fake
    if rec.api == "openai":
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        events, first_text = responses.openai_sse(answer, model, fake.new_id("chatcmpl-"), include_usage)
        usage_sent = answer.usage if include_usage else None
    else:
        events, first_text = responses.anthropic_sse(answer, model, fake.new_id("msg_"))
        usage_sent = answer.usage
    fault_at = first_text + b.break_after_chunks if b.kind in ("broken", "malformed", "stream_error") else None
    # Recorded before the bytes go out, so a test that has read the whole answer sees them.
    rec.usage = usage_sent if fault_at is None else (answer.start_usage if rec.api == "anthropic" else None)
    rec.status = 200
    h.start_stream(b.headers, close_delimited=b.close_delimited)
    for index, event in enumerate(events):
        if index == fault_at:
            break
        is_text = first_text <= index < first_text + len(answer.chunks)
        if is_text and b.chunk_delay and fake.stopping.wait(b.chunk_delay):
            h.close_connection = True  # server shutting down
            return
        if is_text:
            rec.chunks_sent += 1
        if index == len(events) - 1:
            rec.completed = True
        h.write_chunk(event)
    else:
        h.end_stream()
        return
    if b.kind in ("malformed", "stream_error"):
        if b.kind == "stream_error":
            bad = responses.stream_error_event(rec.api or "openai", b.status, b.error_message)
        else:
            bad = responses.MALFORMED_SSE if rec.api == "openai" else responses.MALFORMED_ANTHROPIC_SSE
        rec.completed = True
        h.write_chunk(bad)
        h.end_stream()
        return
    _hang_up(h, b)


def _hang_up(h: "_Handler", b: Behaviour) -> None:
    """Close the connection mid-response (after an optional stall), as a dying server would."""
    if b.stall_seconds:
        h.fake.stopping.wait(b.stall_seconds)
    h.close_connection = True
    try:
        h.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def control(h: "_Handler", path: str, raw: bytes) -> None:
    """Scripting from another process: /_control/script, /default, /reset, /settings."""
    fake = h.fake
    try:
        data = json.loads(raw.decode() or "null")
        if path == "/_control/script":
            items = data["behaviours"] if isinstance(data, dict) else data
            fake.script(*(Behaviour.from_dict(item) for item in items))
        elif path == "/_control/default":
            fake.default = Behaviour.from_dict(data)
        elif path == "/_control/reset":
            fake.reset()
        elif path == "/_control/settings":
            if "require_key" in data:
                fake.require_key = bool(data["require_key"])
            if "unknown_models" in data:
                fake.unknown_models = set(data["unknown_models"])
        else:
            h.send_json(404, {"error": f"unknown control path {path}"})
            return
    except (ValueError, KeyError, TypeError) as err:
        h.send_json(400, {"error": str(err)})
        return
    h.send_json(200, {"ok": True, "pending": fake.pending_behaviours})
