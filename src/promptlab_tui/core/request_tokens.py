"""Input tokens of a whole request: messages, tool definitions, tool calls, response format and images.

Plain chat text keeps its exact count (`tokens.count_messages`); each other part is added with its own
rule (`tool_tokens`, `image_tokens`) and listed for the preview. The total is exact only when every part
is; otherwise the heuristic total is calibrated as one figure and the note says which parts are approximate.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from promptlab_tui.core import image_tokens as images
from promptlab_tui.core import tokens
from promptlab_tui.core.tool_tokens import (
    PartCost,
    anthropic_tool_costs,
    openai_tool_costs,
    response_format_cost,
    tool_call_tokens,
)
from promptlab_tui.core.types import ChatMessage, PromptSpec, TokenCount


@dataclass(frozen=True)
class RequestCount:
    """The request's input tokens and the parts beyond chat text, each with its own count."""

    count: TokenCount
    tools: tuple[PartCost, ...] = ()
    tools_overhead: int = 0  # the tool list's fixed tokens (OpenAI's end of list, Claude's tool system prompt)
    images: tuple[PartCost, ...] = ()
    extras: tuple[PartCost, ...] = ()  # response format, tool calls
    approximate_parts: tuple[str, ...] = field(default_factory=tuple)  # "tools", "images", ... (calibration kinds)

    @property
    def tokens(self) -> int:
        return self.count.tokens

    @property
    def kind(self) -> str:
        """What calibration learns per: "text", or the approximate parts joined ("images+tools")."""
        return "+".join(sorted(self.approximate_parts)) or "text"


def _provider_family(model: str) -> str:
    name = model.lower()
    if tokens.encoding_name_for_model(model):
        return "openai"
    if "claude" in name:
        return "anthropic"
    if "gemini" in name:
        return "gemini"
    return "other"


def _image_parts(message: ChatMessage) -> list[dict[str, Any]]:
    return [part for part in message.parts or () if isinstance(part, dict) and part.get("type") == "image_url"]


def _image_cost(part: dict[str, Any], index: int, model: str, family: str) -> PartCost:
    spec = part.get("image_url") or {}
    url = str(spec.get("url", "")) if isinstance(spec, dict) else str(spec)
    detail = str(spec.get("detail", "auto")) if isinstance(spec, dict) else "auto"
    head = images.image_head(url)
    size = images.image_size(head) if head else None
    label = f"image {index}"
    if size is None:
        why = "an http URL is not downloaded to count it" if url.startswith("http") else "its size could not be read"
        return PartCost(label, images.largest_image_tokens(model), False, f"the largest possible: {why}")
    shown = f"{size.width}x{size.height} {size.format}"
    if family == "anthropic":
        return PartCost(label, images.anthropic_image_tokens(size.width, size.height), True, shown)
    if family == "gemini":
        return PartCost(label, images.gemini_image_tokens(size.width, size.height), False,
                        f"{shown}; approximate (Gemini's tiles)")
    counted, known = images.openai_image_tokens(model, size.width, size.height, detail)
    exact = known and detail in ("low", "high") and family == "openai"
    why = "" if exact else ("; detail auto counted as high" if detail not in ("low", "high") else "; no published figure")
    return PartCost(label, counted, exact, f"{shown}, detail {detail}{why}")


Calibration = Any  # a factor, or a function kind -> factor (calibration is learned per kind of content)


def count_prompt(spec: PromptSpec, model: str | None = None, calibration: Calibration = None) -> RequestCount:
    """Input tokens of sending `spec` to `model` (default: the spec's own). `calibration` may be a
    function of the request's kind ("text", "tools", "images+tools"...) returning its factor."""
    model = model or spec.model
    text = tokens.count_messages(spec.messages, model)
    if not spec.has_request_extras:
        factor = calibration("text") if callable(calibration) else calibration
        if text.exact or not factor:
            return RequestCount(text)
        return RequestCount(tokens.approximate_count(text.tokens, model, factor, None))
    name, encoding = tokens.resolve_encoding(model)
    if encoding is not None:
        def encode(value: str) -> int:
            return len(encoding.encode_ordinary(value))
    else:
        encode = tokens.approximate_tokens
    family = _provider_family(model)
    approximate: set[str] = set()
    tool_costs: list[PartCost] = []
    overhead = 0
    if spec.tools:
        if family == "openai":
            tool_costs, overhead = openai_tool_costs(spec.tools, model, name, encode, encoding is not None)
        else:
            tool_costs, overhead = anthropic_tool_costs(spec.tools, model, spec.tool_choice, encode)
        if not all(cost.exact for cost in tool_costs) or spec.tool_choice not in (None, "auto"):
            approximate.add("tools")
    image_costs = [_image_cost(part, i, model, family)
                   for i, part in enumerate((p for m in spec.messages for p in _image_parts(m)), start=1)]
    if not all(cost.exact for cost in image_costs):
        approximate.add("images")
    extras: list[PartCost] = []
    calls = [call for m in spec.messages for call in m.tool_calls or ()]
    if calls or any(m.tool_call_id is not None for m in spec.messages):
        extras.append(PartCost(f"tool calls ({len(calls)})", tool_call_tokens(calls, encode), False,
                               "approximate: no published rule for tool calls in the conversation"))
        approximate.add("tool_calls")
    response = response_format_cost(spec.response_format, encode)
    if response is not None:
        extras.append(response)
        approximate.add("response_format")
    raw = text.tokens + overhead + sum(c.tokens for c in (*tool_costs, *image_costs, *extras))
    kind = "+".join(sorted(approximate)) or "text"
    if callable(calibration):
        calibration = calibration(kind)
    if text.exact and not approximate:
        count = TokenCount(raw, exact=True, method=name or "")
    else:
        parts = ", ".join(sorted(approximate))
        if text.exact:
            note: str | None = f"Approximate: {parts} follow no published rule for {model}."
        else:  # the texts are approximate too: the heuristic's own note (calibrated, or how to fix it)
            note = tokens.missing_vocabulary_note(name) if name else None
        base = text.uncalibrated_tokens if text.uncalibrated_tokens is not None else text.tokens
        count = tokens.approximate_count(raw - text.tokens + base, model, calibration, note)
        if calibration and count.method == "approx:calibrated" and text.exact:
            label = calibration.label() if hasattr(calibration, "label") else f"x{calibration:.2f}"
            count = replace(count, note=f"{note} Calibrated from its recorded runs ({label}).")
        count = replace(count, kind=kind)
    return RequestCount(count, tuple(tool_costs), overhead, tuple(image_costs), tuple(extras),
                        tuple(sorted(approximate)))


# -- the Lab: a loaded request's parts beyond the two texts the editor holds ----------------------

@dataclass(frozen=True)
class RequestExtras:
    """Tools, tool choice, response format and images of a loaded prompt file: the Lab edits the texts,
    these ride along into the preview and the run unchanged."""

    tools: tuple[dict[str, Any], ...] = ()
    tool_choice: Any = None
    response_format: dict[str, Any] | None = None
    images: tuple[dict[str, Any], ...] = ()  # image_url parts, sent with the last user message

    @classmethod
    def of(cls, spec: PromptSpec) -> RequestExtras | None:
        images = tuple(part for m in spec.messages for part in _image_parts(m))
        if not (spec.tools or spec.response_format or images or spec.tool_choice is not None):
            return None
        return cls(tuple(spec.tools or ()), spec.tool_choice, spec.response_format, images)

    def apply(self, spec: PromptSpec) -> PromptSpec:
        """`spec` with these parts: tools and formats as given, images after the last user message's text."""
        messages = list(spec.messages)
        if self.images:
            last = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
            if last is not None:
                text = messages[last].content
                parts = ({"type": "text", "text": text},) if text else ()
                messages[last] = replace(messages[last], parts=parts + self.images)
        return replace(spec, messages=messages, tools=list(self.tools) or None, tool_choice=self.tool_choice,
                       response_format=self.response_format)


@dataclass(frozen=True)
class ExtrasCost:
    tokens: int  # added to the texts' count
    exact: bool
    lines: tuple[str, ...]  # "Tool get_weather 45", "Image 1 765 (1024x1024 png, detail high)"


def extras_cost(extras: RequestExtras, model: str, roles: tuple[str, ...] = ("system", "user")) -> ExtrasCost:
    """What the parts add to a request of empty texts for `model` (the texts are counted incrementally)."""
    bare = PromptSpec(messages=[ChatMessage(role, "") for role in roles], model=model)
    plain = count_prompt(bare).count
    full = count_prompt(extras.apply(bare))
    lines = [f"Tool {c.label} {'' if c.exact else '≈'}{c.tokens:,}" for c in full.tools]
    if full.tools_overhead:
        lines.append(f"Tools framing {full.tools_overhead:,}")
    lines += [f"{c.label.capitalize()} {'' if c.exact else '≈'}{c.tokens:,} ({c.detail})" for c in full.images]
    lines += [f"{c.label.capitalize()} ≈{c.tokens:,}" for c in full.extras]
    base = plain.uncalibrated_tokens if plain.uncalibrated_tokens is not None else plain.tokens
    raw = full.count.uncalibrated_tokens if full.count.uncalibrated_tokens is not None else full.count.tokens
    return ExtrasCost(max(0, raw - base), full.count.exact, tuple(lines))
