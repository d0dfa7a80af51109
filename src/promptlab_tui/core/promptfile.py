"""Prompt files: plain text, Markdown with TOML front matter between `+++` lines, or OpenAI-format JSON.

- plain text (any other suffix): the whole file is the user message;
- `.md` / `.markdown`: optional front matter (model, system, max_tokens, temperature, name, tags),
  then the user message;
- `.json`: a list of chat messages, or {"messages": [...], "model": ..., "max_tokens": ..., ...}.
A file's single trailing newline is not part of the message. Errors name file, line, field, expectation.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from promptlab_tui.core.prompt_choice import choice_settings as _choice_settings, usd_nanos as _usd_nanos
from promptlab_tui.core.toml_positions import TomlPositions
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


DEFAULT_MAX_PROMPT_BYTES = 64 * 1024 * 1024  # config.toml `max_prompt_file_mb`


def load_prompt_file(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_PROMPT_BYTES) -> PromptSpec:
    """Read and check a prompt file: only a regular file (never a FIFO or /dev/zero) of at most `max_bytes`."""
    path = Path(path)
    data = _read_regular_file(path, max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PromptFileError(path, line, "(encoding)", "UTF-8 text", f"byte 0x{data[error.start]:02x}") from error
    del data  # a big file is held once, as text
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    suffix = path.suffix.lower()
    if suffix == ".json":
        spec = _load_json(path, text)
    elif suffix in MARKDOWN_SUFFIXES:
        spec = _load_markdown(path, text)
    else:
        body = _strip_final_newline(text)
        if not body.strip():
            raise PromptFileError(path, 1, "(user message)", "some text: the prompt file is empty")
        spec = PromptSpec(messages=[ChatMessage("user", body)])
    spec.source_path = str(path)
    if spec.name is None:
        spec.name = path.stem
    return spec


_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def _read_regular_file(path: Path, max_bytes: int) -> bytes:
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; a regular file reads the same either way.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise PromptFileError(path, None, "(file)", "a readable prompt file", error.strerror or str(error)) from error
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):
        os.close(fd)
        raise PromptFileError(path, None, "(file)", "a readable prompt file", "Is a directory")
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise PromptFileError(path, None, "(file)", "a regular file holding the prompt", kind)
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > max_bytes:
            raise PromptFileError(path, None, "(file)", f"a prompt file of at most {_megabytes(max_bytes)} "
                                  "(raise max_prompt_file_mb in config.toml for bigger ones)",
                                  _megabytes(info.st_size))
        data = handle.read(max_bytes + 1)  # the file may grow while it is read
    if len(data) > max_bytes:
        raise PromptFileError(path, None, "(file)", f"a prompt file of at most {_megabytes(max_bytes)}",
                              "a file that kept growing while it was read")
    return data


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:,.1f} MB" if size >= 104_858 else f"{size / 1024:,.0f} KB"


def _strip_final_newline(text: str) -> str:
    return text[:-1] if text.endswith("\n") else text


# -- Markdown with TOML front matter --------------------------------------------------------------

def _load_markdown(path: Path, text: str) -> PromptSpec:
    lines = text.split("\n")
    settings: dict[str, Any] = {}
    body_start = 0
    if lines and lines[0].strip() == FRONT_MATTER_FENCE:
        closing = next((i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_FENCE), None)
        if closing is None:
            raise PromptFileError(path, 1, "(front matter)", f"a closing {FRONT_MATTER_FENCE} line after the settings")
        front = "\n".join(lines[1:closing])
        settings = _front_matter(path, front)
        body_start = closing + 1
    body = "\n".join(lines[body_start:])
    if body_start and body.startswith("\n"):
        body = body[1:]  # the blank line after the closing +++
    body = _strip_final_newline(body)
    if not body.strip():
        raise PromptFileError(path, body_start + 1, "(user message)",
                              "the user message" + (" after the front matter" if body_start else ""))
    messages = []
    if settings.get("system"):
        messages.append(ChatMessage("system", settings["system"]))
    messages += [ChatMessage(m["role"], m["content"]) for m in settings.get("messages", [])]  # a conversation
    messages.append(ChatMessage("user", body))
    spec = _spec(messages, settings)
    if "_lines" in settings:
        lines_of = settings["_lines"]

        def fail(where: str, expected: str, got: Any = None) -> PromptFileError:
            return PromptFileError(path, lines_of.get(where.split(".")[0]), where, expected, got)

        _request_extras(spec, settings, fail, anthropic=False)
    return spec


def _front_matter(path: Path, front: str) -> dict[str, Any]:
    try:
        document = tomllib.loads(front)
    except RecursionError as error:  # tomllib recurses per nesting level
        raise PromptFileError(path, 2, "(front matter)", "valid TOML", "values nested too deeply") from error
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line = None
        if "(at line " in message:
            line = int(message.rsplit("(at line ", 1)[1].split(",")[0]) + 1
            message = message.rsplit(" (at line ", 1)[0]
        elif "(at end of document)" in message:
            line = len(front.split("\n")) + 1
            message = message.replace(" (at end of document)", "")
        raise PromptFileError(path, line, "(front matter)", "valid TOML", message) from error
    positions = TomlPositions(front)
    checked: dict[str, Any] = {}
    for key, value in document.items():
        line = (positions.line_of((key,)) or 0) + 1
        if key in _REQUEST_KEYS:
            checked[key] = value  # checked with the messages, as in a JSON request
            continue
        if key not in _SETTINGS:
            raise PromptFileError(path, line, key, "one of: " + ", ".join((*_SETTINGS, *_REQUEST_KEYS)), key)
        checked[key] = _setting(path, line, key, value)
    if any(key in checked for key in _REQUEST_KEYS):
        checked["_lines"] = {key: (positions.line_of((key,)) or 0) + 1 for key in _REQUEST_KEYS if key in checked}
    return checked


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


# -- JSON chat messages ---------------------------------------------------------------------------

_DECODER = json.JSONDecoder()


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _members(text: str, start: int) -> dict[Any, int]:
    """Offsets where each element (array) or member value (object) of the container at `start` begins."""
    offsets: dict[Any, int] = {}
    opening = text[start]
    index = _skip_space(text, start + 1)
    position = 0
    while index < len(text) and text[index] not in "]}":
        if opening == "{":
            key, index = _DECODER.raw_decode(text, index)
            index = _skip_space(text, _skip_space(text, index) + 1)  # past the colon
        else:
            key, position = position, position + 1
        offsets[key] = index
        _, index = _DECODER.raw_decode(text, index)
        index = _skip_space(text, index)
        if index < len(text) and text[index] == ",":
            index = _skip_space(text, index + 1)
    return offsets


def _load_json(path: Path, text: str) -> PromptSpec:
    from promptlab_tui.core import request_shape as shape

    try:
        document = json.loads(text)
    except RecursionError as error:  # the json module recurses per nesting level
        raise PromptFileError(path, 1, "(JSON syntax)", "valid JSON", "lists or objects nested too deeply") from error
    except json.JSONDecodeError as error:
        raise PromptFileError(path, error.lineno, f"(JSON syntax, column {error.colno})", "valid JSON",
                              error.msg) from error
    root = _skip_space(text, 0)
    settings: dict[str, Any] = {}
    members: dict[Any, int] = {}
    anthropic = isinstance(document, dict) and shape.looks_anthropic(document)
    if isinstance(document, dict):
        members = _members(text, root)
        allowed = ("messages", "max_completion_tokens", *_REQUEST_KEYS, *[k for k in _SETTINGS if k != "system"],
                   *(("system",) if anthropic else ()))
        for key, value in document.items():
            line = _line_at(text, members[key])
            if key not in allowed:
                raise PromptFileError(path, line, key, "one of: " + ", ".join(allowed), key)
            if key not in ("messages", "system", *_REQUEST_KEYS):
                settings["max_tokens" if key == "max_completion_tokens" else key] = \
                    _setting(path, line, "max_tokens" if key == "max_completion_tokens" else key, value)
        if "messages" not in document:
            raise PromptFileError(path, _line_at(text, root), "messages", "a list of chat messages")
        messages_raw, messages_at = document["messages"], members["messages"]
        field = "messages"
    else:
        messages_raw, messages_at, field = document, root, "(top level)"
    if not isinstance(messages_raw, list) or not messages_raw:
        raise PromptFileError(path, _line_at(text, messages_at), field,
                              'a non-empty list of messages like [{"role": "user", "content": "..."}]',
                              type(messages_raw).__name__ if not isinstance(messages_raw, list) else "[]")
    offsets = _members(text, messages_at)

    def fail(where: str, expected: str, got: Any = None) -> PromptFileError:
        head = where.split(".")[0].split("[")[0]
        offset = members.get(head, root)
        if where.startswith("messages["):
            index, _, rest = where[len("messages["):].partition("]")
            offset = offsets.get(int(index), messages_at)
            key = rest.lstrip(".").split(".")[0].split("[")[0]
            if key and isinstance(messages_raw[int(index)], dict):
                offset = _members(text, offset).get(key, offset)  # the line of the message's own field
        return PromptFileError(path, _line_at(text, offset), where, expected, got)

    base = path.parent.resolve()
    if anthropic:
        messages = shape.anthropic_messages(messages_raw, base, fail)
        if document.get("system"):
            messages.insert(0, ChatMessage("system", shape.anthropic_system(document["system"], fail)))
    else:
        messages = [shape.openai_message(item, i, base, fail) for i, item in enumerate(messages_raw)]
    if not any(m.content.strip() or m.parts or m.tool_calls for m in messages if m.role not in ("system", "developer")):
        raise PromptFileError(path, _line_at(text, messages_at), "messages", "at least one non-empty user message")
    spec = _spec(messages, settings)
    if isinstance(document, dict):
        _request_extras(spec, document, fail, anthropic)
    return spec


def _request_extras(spec: PromptSpec, document: dict[str, Any], fail: Any, anthropic: bool) -> None:
    """tools, tool_choice and response_format, checked and kept to be sent as given."""
    from promptlab_tui.core import request_shape as shape

    if document.get("tools") is not None:
        spec.tools = (shape.anthropic_tools if anthropic else shape.openai_tools)(document["tools"], fail)
    if document.get("tool_choice") is not None:
        choice = document["tool_choice"]
        spec.tool_choice = shape.anthropic_tool_choice(choice) if anthropic else choice
    if document.get("response_format") is not None:
        spec.response_format = shape.response_format(document["response_format"], fail)


# -- saving ---------------------------------------------------------------------------------------

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
