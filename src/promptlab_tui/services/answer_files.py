"""Keeping an answer: as a Markdown file, or with its prompt as a conversation prompt file (JSON messages)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from promptlab_tui.services.editor_values import EditorValues
from promptlab_tui.services.prompt_store import file_name


def answers_dir() -> Path:
    from promptlab_tui.paths import app_paths

    return app_paths().data_dir / "answers"


def _stem(prompt_name: str | None, now: datetime) -> str:
    return f"{prompt_name or 'untitled'}-{now:%Y%m%d-%H%M%S}"


def _write_private(path: Path, text: str) -> Path:
    from promptlab_tui.core.promptfile import write_private_text

    return write_private_text(path, text)


def save_answer(answer: str, prompt_name: str | None, now: datetime, folder: Path | None = None) -> Path:
    """answers/<prompt> <date time>.md holding the answer as it was shown."""
    path = (folder or answers_dir()) / file_name(_stem(prompt_name, now))
    return _write_private(path, answer if answer.endswith("\n") else answer + "\n")


def save_conversation(values: EditorValues, answer: str, prompt_name: str | None, now: datetime,
                      folder: Path | None = None) -> Path:
    """prompts/<prompt> <date time>.json: the system and user messages and the answer as the assistant's,
    a prompt file `promptlab run` and the Lab open like any other."""
    from promptlab_tui.core.promptfile import prompt_file_text
    from promptlab_tui.core.types import ChatMessage
    from promptlab_tui.services.preview_engine import prompt_from
    from promptlab_tui.services.prompt_store import prompts_dir

    spec = prompt_from(values)
    spec.messages.append(ChatMessage("assistant", answer))
    name = _stem(prompt_name, now)
    spec.name = name
    path = (folder or prompts_dir()) / file_name(name).replace(".md", ".json")
    if path.exists():
        raise FileExistsError(f"{path} already exists")
    return _write_private(path, prompt_file_text(spec, markdown=False))
