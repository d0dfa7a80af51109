"""What a prompt file may set, how a bad value is reported (file, line, field, what was expected), and the
PromptSpec made from checked settings: shared by the Markdown and JSON readers and the writer."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from promptlab_tui.core.prompt_choice import usd_nanos as _usd_nanos
from promptlab_tui.core.types import ChatMessage, PromptSpec

MARKDOWN_SUFFIXES = (".md", ".markdown")
FRONT_MATTER_FENCE = "+++"
ROLES = ("system", "developer", "user", "assistant", "tool")
_REQUEST_KEYS = ("tools", "tool_choice", "response_format")  # sent as given
_SETTINGS = {"model": "a model name like \"gpt-4o-mini\"", "system": "the system prompt (a string)",
             "max_tokens": "a whole number of tokens, 1 or more", "temperature": "a number from 0 to 2",
             "name": "a name for the prompt (a string)", "tags": "a list of strings like [\"support\", \"v2\"]",
             "max_cost": "an amount in USD like 0.05 (per run)",
             "session_budget": "an amount in USD like 1.50 (for a run over several files)",
             "quality": "a quality tier: \"low\", \"medium\" or \"high\"",
             "fallback": "a list of model names like [\"gpt-4o\", \"gpt-4o-mini\"]",
             "cache": "true or false",
             "messages": "the conversation so far: [[messages]] tables with role = \"user\" or \"assistant\" "
                         "and content = \"...\" (the body is the next user message)"}


class PromptFileError(Exception):
    def __init__(self, file: str | os.PathLike[str], line: int | None, field: str, expected: str,
                 got: Any = None) -> None:
        self.file, self.line, self.field, self.expected = str(file), line, field, expected
        self.got = None if got is None else _show(got)
        where = f"{self.file}:{line}" if line else self.file
        detail = f", got {self.got}" if self.got is not None else ""
        super().__init__(f"{where}: {field}: expected {expected}{detail}")


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, (str, bool)) or value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _setting(path: Path, line: int | None, key: str, value: Any) -> Any:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    ok = {
        "model": isinstance(value, str) and bool(value.strip()),
        "system": isinstance(value, str),
        "name": isinstance(value, str) and bool(value.strip()),
        "max_tokens": isinstance(value, int) and not isinstance(value, bool) and 1 <= value < 2**63,  # JSON: any size
        "temperature": number and 0 <= value <= 2,
        "tags": isinstance(value, list) and all(isinstance(tag, str) for tag in value),
        "max_cost": _usd_nanos(value) is not None,
        "session_budget": _usd_nanos(value) is not None,
        "quality": value in ("low", "medium", "high"),
        "fallback": isinstance(value, list) and all(isinstance(m, str) and m.strip() for m in value),
        "cache": isinstance(value, bool),
        "messages": isinstance(value, list) and all(
            isinstance(m, dict) and set(m) == {"role", "content"} and m["role"] in ("user", "assistant")
            and isinstance(m["content"], str) for m in value),
    }[key]
    if not ok:
        raise PromptFileError(path, line, key, _SETTINGS[key], value)
    if key in ("max_cost", "session_budget"):
        return _usd_nanos(value)
    if key == "fallback":
        return [model.strip() for model in value]
    return value.strip() if key in ("model", "name") else value


def _spec(messages: list[ChatMessage], settings: dict[str, Any]) -> PromptSpec:
    spec = PromptSpec(messages=messages)
    for key in ("model", "max_tokens", "name"):
        if key in settings:
            setattr(spec, key, settings[key])
    if "temperature" in settings:
        spec.temperature = float(settings["temperature"])
    spec.tags = list(settings.get("tags", []))
    spec.quality = settings.get("quality")
    spec.max_cost_nanos = settings.get("max_cost")
    spec.session_budget_nanos = settings.get("session_budget")
    spec.fallback = list(settings.get("fallback", []))
    spec.cache = settings.get("cache")
    return spec
