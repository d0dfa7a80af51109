"""Tokens of tool definitions, tool calls and response formats in a chat request.

OpenAI renders tool definitions into the prompt in a format it does not publish; OpenAI's cookbook
("How to count tokens with tiktoken", section 7) gives a rule it verified against the API's
`prompt_tokens` for gpt-3.5-turbo, gpt-4, gpt-4o and gpt-4o-mini: per function a fixed start, the
tokens of "name:description" (final period dropped), per property a fixed cost plus
"key:type:description", per enum a (negative) start and per item a fixed cost plus the item, and one
fixed end for the list. Anything outside that rule (nested objects, arrays, other models, tool calls,
response formats) is counted by a stated approximation and marked so, to be calibrated from the runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Encode = Callable[[str], int]  # text -> its token count


@dataclass(frozen=True)
class ToolOverheads:
    func_init: int
    prop_init: int
    prop_key: int
    enum_init: int
    enum_item: int
    func_end: int


# The cookbook's per-model constants, each verified there against the API.
GPT4O_OVERHEADS = ToolOverheads(func_init=7, prop_init=3, prop_key=3, enum_init=-3, enum_item=3, func_end=12)
GPT4_OVERHEADS = ToolOverheads(func_init=10, prop_init=3, prop_key=3, enum_init=-3, enum_item=3, func_end=12)
_VERIFIED = {"gpt-4o": GPT4O_OVERHEADS, "gpt-4o-mini": GPT4O_OVERHEADS,
             "gpt-3.5-turbo": GPT4_OVERHEADS, "gpt-4": GPT4_OVERHEADS}
_SNAPSHOT = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")  # gpt-4o-2024-08-06, gpt-4-0613, gpt-3.5-turbo-0125

# Per assistant tool call (no published rule): the call's framing around its name and JSON arguments.
TOOL_CALL_OVERHEAD = 5
# Per JSON-schema response format (no published rule): the framing around the schema's name and text.
RESPONSE_FORMAT_OVERHEAD = 8

# Anthropic's published system-prompt tokens added when tools are sent (auto/none, any/tool).
_ANTHROPIC_TOOL_SYSTEM = (("claude-3-opus", 530, 281), ("claude-3-sonnet", 159, 235), ("claude-3-haiku", 264, 340),
                          ("claude-3-5-haiku", 264, 340), ("claude", 346, 313))


def model_family(model: str) -> str:
    """'openai/gpt-4o-2024-08-06' -> 'gpt-4o'; 'ft:gpt-4o-mini-2024-07-18:org::x' -> 'gpt-4o-mini'."""
    name = model.strip().lower().rsplit("/", 1)[-1]
    if name.startswith("ft:"):
        name = name[3:].split(":", 1)[0]
    return _SNAPSHOT.sub("", name)


def tool_overheads(model: str, encoding: str | None) -> tuple[ToolOverheads, bool]:
    """(constants, verified): the cookbook's for its four models; the same encoding's otherwise, unverified."""
    verified = _VERIFIED.get(model_family(model))
    if verified is not None:
        return verified, True
    return (GPT4_OVERHEADS if encoding == "cl100k_base" else GPT4O_OVERHEADS), False


@dataclass(frozen=True)
class PartCost:
    """One counted piece of a request shown in the preview: a tool, an image, the response format."""

    label: str
    tokens: int
    exact: bool
    detail: str = ""  # why approximate, or the image's size and detail


def _strip_period(text: str) -> str:
    return text[:-1] if text.endswith(".") else text


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


_RULE_PROPERTY_KEYS = {"type", "description", "enum"}
_RULE_PARAMETER_KEYS = {"type", "properties", "required"}
_RULE_FUNCTION_KEYS = {"name", "description", "parameters"}


def _function_tokens(function: dict[str, Any], encode: Encode, o: ToolOverheads) -> tuple[int, list[str]]:
    """The cookbook's rule for one function; the reasons it does not fully apply (empty: within the rule)."""
    outside: list[str] = []
    extra_keys = set(function) - _RULE_FUNCTION_KEYS
    if extra_keys:
        outside.append("keys " + ", ".join(sorted(extra_keys)))
    description = function.get("description")
    if not isinstance(description, str):
        outside.append("no description")
        description = ""
    tokens = o.func_init + encode(f"{function.get('name', '')}:{_strip_period(description)}")
    parameters = function.get("parameters") or {}
    if not isinstance(parameters, dict):
        return tokens + encode(_json(parameters)), [*outside, "parameters not an object"]
    if set(parameters) - _RULE_PARAMETER_KEYS:
        extra = {k: v for k, v in parameters.items() if k not in _RULE_PARAMETER_KEYS}
        tokens += encode(_json(extra))
        outside.append("parameter keys " + ", ".join(sorted(extra)))
    properties = parameters.get("properties") or {}
    if properties:
        tokens += o.prop_init
        for key, schema in properties.items():
            tokens += o.prop_key
            schema = schema if isinstance(schema, dict) else {}
            kind, text = schema.get("type", ""), schema.get("description")
            if not isinstance(kind, str):
                outside.append(f"{key}: type {_json(kind)}")
                kind = "|".join(map(str, kind)) if isinstance(kind, list) else str(kind)
            if not isinstance(text, str):
                outside.append(f"{key}: no description")
                text = ""
            if "enum" in schema:
                tokens += o.enum_init
                for item in schema["enum"] or ():
                    if not isinstance(item, str):
                        outside.append(f"{key}: enum item {_json(item)}")
                    tokens += o.enum_item + encode(item if isinstance(item, str) else _json(item))
            rest = {k: v for k, v in schema.items() if k not in _RULE_PROPERTY_KEYS}
            if rest:  # nested objects, arrays, formats...: their JSON, as an approximation
                tokens += encode(_json(rest))
                outside.append(f"{key}: " + ", ".join(sorted(rest)))
            tokens += encode(f"{key}:{kind}:{_strip_period(text)}")
    return tokens, outside


def openai_tool_costs(tools: Sequence[dict[str, Any]], model: str, encoding: str | None,
                      encode: Encode, exact_text: bool) -> tuple[list[PartCost], int]:
    """(one cost per tool, the list's fixed end) for an OpenAI chat model."""
    overheads, verified = tool_overheads(model, encoding)
    costs = []
    for tool in tools:
        function = tool.get("function") if tool.get("type", "function") == "function" else None
        if not isinstance(function, dict):
            name = str(tool.get("type", "tool"))
            costs.append(PartCost(name, encode(_json(tool)), False, "not a function tool: its JSON, approximately"))
            continue
        tokens, outside = _function_tokens(function, encode, overheads)
        reasons = list(outside)
        if not verified:
            reasons.insert(0, f"the cookbook's rule is verified for gpt-4o(-mini), gpt-4 and gpt-3.5-turbo, "
                              f"not {model_family(model)}")
        if not exact_text:
            reasons.insert(0, "no local tokenizer")
        exact = not reasons
        costs.append(PartCost(str(function.get("name", "?")), tokens, exact,
                              "" if exact else "approximate: " + "; ".join(reasons)))
    return costs, (overheads.func_end if tools else 0)


def anthropic_tool_costs(tools: Sequence[dict[str, Any]], model: str, tool_choice: Any,
                         encode: Encode) -> tuple[list[PartCost], int]:
    """Claude: the published tool-use system prompt, plus each tool's JSON (approximate: no public tokenizer)."""
    family = model_family(model)
    forced = isinstance(tool_choice, dict) and tool_choice.get("type") in ("any", "tool", "function") \
        or tool_choice == "required"
    system = 0
    for prefix, auto, forced_tokens in _ANTHROPIC_TOOL_SYSTEM:
        if family.startswith(prefix):
            system = forced_tokens if forced else auto
            break
    costs = []
    for tool in tools:
        function = tool.get("function", tool) if isinstance(tool, dict) else {}
        shape = {"name": function.get("name"), "description": function.get("description"),
                 "input_schema": function.get("parameters", function.get("input_schema"))}
        costs.append(PartCost(str(function.get("name", "?")), encode(_json(shape)), False,
                              "approximate: Claude's tokenizer is not public"))
    return costs, (system if tools else 0)


def tool_call_tokens(tool_calls: Iterable[dict[str, Any]], encode: Encode) -> int:
    """An assistant message's tool calls: name and JSON arguments of each, with a framing (approximate)."""
    total = 0
    for call in tool_calls:
        function = call.get("function") or {}
        arguments = function.get("arguments", "")
        total += TOOL_CALL_OVERHEAD + encode(str(function.get("name", "")))
        total += encode(arguments if isinstance(arguments, str) else _json(arguments))
    return total


def response_format_cost(response_format: dict[str, Any] | None, encode: Encode) -> PartCost | None:
    """The response format's tokens: none for text; the schema's JSON with a framing (approximate)."""
    if not response_format or response_format.get("type") == "text":
        return None
    kind = str(response_format.get("type"))
    if kind == "json_schema":
        spec = response_format.get("json_schema") or {}
        tokens = RESPONSE_FORMAT_OVERHEAD + encode(str(spec.get("name", ""))) + encode(_json(spec.get("schema", {})))
        if spec.get("description"):
            tokens += encode(str(spec["description"]))
    else:
        tokens = 0
    return PartCost(f"response format ({kind})", tokens, False,
                    "approximate: OpenAI publishes no rule for response formats; calibrated from runs")
