"""Response bodies of both protocols, JSON and SSE, exactly as the real APIs shape them."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from tests.fakeprovider import wire
from tests.fakeprovider.behaviours import Behaviour, anthropic_final_usage, anthropic_start_usage, openai_usage


@dataclass
class Answer:
    """What a reply behaviour answers to one request, before it is put on the wire."""

    text: str
    chunks: list[str]
    finish_reason: str
    usage: dict[str, Any] | None  # the wire usage (protocol's own shape)
    start_usage: dict[str, Any] | None = None  # Anthropic message_start usage
    tool_call: dict[str, Any] | None = None  # {"name", "arguments"} when the answer is a tool call


def _requested_max_tokens(body: dict[str, Any]) -> int | None:
    for key in ("max_completion_tokens", "max_tokens"):
        if isinstance(body.get(key), int):
            return body[key]
    return None


def openai_answer(b: Behaviour, body: dict[str, Any]) -> Answer:
    model = str(body.get("model", ""))
    limit = _requested_max_tokens(body)
    budget = None if limit is None else max(limit - b.reasoning_tokens, 0)  # reasoning counts against the limit
    text, visible, cut = wire.truncate_to_tokens(b.text, budget, model) if budget is not None else (
        b.text, wire.count_text(b.text, model), False)
    prompt = wire.count_openai_prompt(list(body.get("messages", [])), model) \
        + wire.count_openai_tools(list(body.get("tools") or []), model)
    finish = b.finish_reason or ("length" if cut else "stop")
    if b.tool_call is not None:
        visible = wire.count_text(b.tool_call["name"] + json.dumps(b.tool_call["arguments"]), model)
        return Answer("", [], "tool_calls", openai_usage(b, prompt, visible), tool_call=b.tool_call)
    return Answer(text, wire.split_chunks(text), finish, openai_usage(b, prompt, visible))


def anthropic_answer(b: Behaviour, body: dict[str, Any]) -> Answer:
    limit = _requested_max_tokens(body)
    text, visible, cut = wire.truncate_to_tokens(b.text, limit or 4096, "claude")
    prompt = wire.count_anthropic_prompt(body)
    finish = b.finish_reason or ("max_tokens" if cut else "end_turn")
    if b.tool_call is not None:
        visible = wire.count_text(b.tool_call["name"] + json.dumps(b.tool_call["arguments"]), "claude")
        return Answer("", [], "tool_use", anthropic_final_usage(b, prompt, visible), anthropic_start_usage(b, prompt),
                      tool_call=b.tool_call)
    return Answer(text, wire.split_chunks(text), finish, anthropic_final_usage(b, prompt, visible),
                  anthropic_start_usage(b, prompt))


# ---- OpenAI Chat Completions ----------------------------------------------------------------


def openai_json(answer: Answer, model: str, request_id: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "id": request_id, "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text, "refusal": None},
                     "logprobs": None, "finish_reason": answer.finish_reason}],
        "system_fingerprint": "fp_fake",
    }
    if answer.usage is not None:
        response["usage"] = answer.usage
    return response


def openai_sse(answer: Answer, model: str, request_id: str, include_usage: bool) -> tuple[list[bytes], int]:
    """(SSE events, index of the first text event); usage chunk only when include_usage was asked."""
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None, choices: bool = True, usage: Any = None) -> bytes:
        data: dict[str, Any] = {"id": request_id, "object": "chat.completion.chunk", "created": created,
                                "model": model, "system_fingerprint": "fp_fake",
                                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
                                if choices else []}
        if include_usage:
            data["usage"] = usage
        return b"data: " + json.dumps(data).encode() + b"\n\n"

    events = [chunk({"role": "assistant", "content": "", "refusal": None})]
    if answer.tool_call is not None:  # the call's name first, then its arguments in a later delta
        call = answer.tool_call
        events.append(chunk({"tool_calls": [{"index": 0, "id": "call_fake", "type": "function",
                                             "function": {"name": call["name"], "arguments": ""}}]}))
        events.append(chunk({"tool_calls": [{"index": 0, "function": {"arguments": json.dumps(call["arguments"])}}]}))
    events += [chunk({"content": piece}) for piece in answer.chunks]
    events.append(chunk({}, answer.finish_reason))
    if include_usage and answer.usage is not None:
        events.append(chunk({}, choices=False, usage=answer.usage))
    events.append(b"data: [DONE]\n\n")
    return events, 1


# ---- Anthropic Messages ---------------------------------------------------------------------


def anthropic_json(answer: Answer, model: str, request_id: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "id": request_id, "type": "message", "role": "assistant", "model": model,
        "content": [{"type": "text", "text": answer.text}],
        "stop_reason": answer.finish_reason, "stop_sequence": None,
    }
    if answer.usage is not None:
        response["usage"] = answer.usage
    return response


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def anthropic_sse(answer: Answer, model: str, request_id: str) -> tuple[list[bytes], int]:
    message: dict[str, Any] = {"id": request_id, "type": "message", "role": "assistant", "model": model,
                               "content": [], "stop_reason": None, "stop_sequence": None}
    if answer.start_usage is not None:
        message["usage"] = answer.start_usage
    block: dict[str, Any] = {"type": "text", "text": ""}
    if answer.tool_call is not None:
        block = {"type": "tool_use", "id": "toolu_fake", "name": answer.tool_call["name"], "input": {}}
    events = [
        _event("message_start", {"type": "message_start", "message": message}),
        _event("content_block_start", {"type": "content_block_start", "index": 0, "content_block": block}),
        _event("ping", {"type": "ping"}),
    ]
    if answer.tool_call is not None:
        events.append(_event("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {
            "type": "input_json_delta", "partial_json": json.dumps(answer.tool_call["arguments"])}}))
    first_text = len(events)
    events += [_event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                              "delta": {"type": "text_delta", "text": piece}})
               for piece in answer.chunks]
    events.append(_event("content_block_stop", {"type": "content_block_stop", "index": 0}))
    delta: dict[str, Any] = {"type": "message_delta",
                             "delta": {"stop_reason": answer.finish_reason, "stop_sequence": None}}
    if answer.usage is not None:
        delta["usage"] = {"output_tokens": answer.usage.get("output_tokens", 0)}  # cumulative
    events.append(_event("message_delta", delta))
    events.append(_event("message_stop", {"type": "message_stop"}))
    return events, first_text


MALFORMED_SSE = b'data: {"id": "chatcmpl-broken", "choices": [{"delta": {"content": "x"\n\n'
MALFORMED_ANTHROPIC_SSE = b'event: content_block_delta\ndata: {"type": "content_block_delta", "delta": {\n\n'
MALFORMED_JSON = b'{"id": "broken", "choices": [{"message": {"content": "tru'


def stream_error_event(api: str, status: int, message: str | None) -> bytes:
    """The error a provider sends inside an already-started stream."""
    if api == "anthropic":
        return _event("error", wire.anthropic_error(status, message=message))
    return b"data: " + json.dumps(wire.openai_error(status, message=message)).encode() + b"\n\n"
