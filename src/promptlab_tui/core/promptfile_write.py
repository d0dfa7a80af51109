"""Saving prompt files: Markdown with TOML front matter (or JSON for a .json path), written atomically 0600."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from promptlab_tui.core.prompt_choice import choice_settings as _choice_settings
from promptlab_tui.core.promptfile_fields import _REQUEST_KEYS, FRONT_MATTER_FENCE, PromptFileError
from promptlab_tui.core.types import PromptSpec


def _toml_string(value: str) -> str:
    multiline = "\n" in value
    out = []
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\n" if multiline else "\\n")
        elif char == "\t":
            out.append("\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    escaped = "".join(out)
    return f'"""\n{escaped}"""' if multiline else f'"{escaped}"'


def prompt_file_text(spec: PromptSpec, markdown: bool = True) -> str:
    """The text `save_prompt_file` writes: Markdown with front matter, or JSON."""
    if not markdown:
        data: dict[str, Any] = {"model": spec.model, "max_tokens": spec.max_tokens}
        if spec.temperature is not None:
            data["temperature"] = spec.temperature
        if spec.name:
            data["name"] = spec.name
        if spec.tags:
            data["tags"] = list(spec.tags)
        data.update(_choice_settings(spec))
        for key in _REQUEST_KEYS:
            if getattr(spec, key) is not None:
                data[key] = getattr(spec, key)
        data["messages"] = [message.as_openai() for message in spec.messages]
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    conversation = [m for m in spec.messages if m.role not in ("system", "developer")]
    if not conversation or conversation[-1].role != "user" or any(  # tools and formats go in the front matter
            m.name or m.parts or m.tool_calls or m.role not in ("user", "assistant") for m in conversation):
        raise PromptFileError(spec.source_path or "(prompt)", None, "messages",
                              "user and assistant messages ending with a user message to save as Markdown "
                              "(save other conversations, tools or images as .json)")
    lines = []
    if spec.name:
        lines.append(f"name = {_toml_string(spec.name)}")
    lines.append(f"model = {_toml_string(spec.model)}")
    lines.append(f"max_tokens = {spec.max_tokens}")
    if spec.temperature is not None:
        lines.append(f"temperature = {float(spec.temperature)!r}")
    if spec.tags:
        lines.append("tags = [" + ", ".join(_toml_string(tag) for tag in spec.tags) + "]")
    for key, value in _choice_settings(spec).items():
        shown = (_toml_string(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool)
                 else "[" + ", ".join(_toml_string(item) for item in value) + "]")
        lines.append(f"{key} = {shown}")
    if spec.system:
        lines.append(f"system = {_toml_string(spec.system)}")
    lines += _request_lines(spec)
    for message in conversation[:-1]:  # a conversation: the turns so far, as [[messages]] tables
        lines += ["", "[[messages]]", f"role = {_toml_string(message.role)}",
                  f"content = {_toml_string(message.content)}"]
    front = "\n".join(lines)
    return f"{FRONT_MATTER_FENCE}\n{front}\n{FRONT_MATTER_FENCE}\n\n{conversation[-1].content}\n"


def _request_lines(spec: PromptSpec) -> list[str]:
    """tools / tool_choice / response_format as TOML front matter lines (inline tables)."""
    from promptlab_tui.core.toml_values import NotTomlable, toml_value

    lines = []
    for key in _REQUEST_KEYS:
        value = getattr(spec, key)
        if value is None:
            continue
        try:
            lines.append(f"{key} = {toml_value(value)}")
        except NotTomlable as error:
            raise PromptFileError(spec.source_path or "(prompt)", None, key,
                                  "values TOML can hold (save as .json to keep nulls)", str(error)) from error
    return lines


def save_prompt_file(spec: PromptSpec, path: str | os.PathLike[str]) -> Path:
    """Write the prompt (Markdown + front matter, or JSON for a .json path) atomically; loads back equal."""
    path = Path(path)
    return write_private_text(path, prompt_file_text(spec, markdown=path.suffix.lower() != ".json"))


def write_private_text(path: Path, text: str) -> Path:
    """Write `text` atomically to a file only its owner can read (0600: prompts and answers are private)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
