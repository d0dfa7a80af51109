"""Prompt files: plain text, Markdown with TOML front matter between `+++` lines, or OpenAI-format JSON.

- plain text (any other suffix): the whole file is the user message;
- `.md` / `.markdown`: optional front matter (model, system, max_tokens, temperature, name, tags),
  then the user message;
- `.json`: a list of chat messages, or {"messages": [...], "model": ..., "max_tokens": ..., ...}.
A file's single trailing newline is not part of the message. Errors name file, line, field, expectation.
This module reads; the fields and errors are in promptfile_fields, JSON in promptfile_json, saving in
promptfile_write (its functions are importable from here too).
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from promptlab_tui.core.promptfile_fields import (
    _REQUEST_KEYS, _SETTINGS, FRONT_MATTER_FENCE, MARKDOWN_SUFFIXES, PromptFileError, _setting, _spec)
from promptlab_tui.core.promptfile_json import _load_json, _request_extras
from promptlab_tui.core.promptfile_write import (  # noqa: F401  (re-exported: the writers' one home for callers)
    prompt_file_text, save_prompt_file, write_private_text)
from promptlab_tui.core.toml_positions import TomlPositions
from promptlab_tui.core.types import ChatMessage, PromptSpec

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
