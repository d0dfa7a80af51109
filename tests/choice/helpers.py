"""Shared helpers of the issue-11 tests: prompt files, hand-computed costs, JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptlab_tui.cli.main import main

OTHER_KEYS = ("GEMINI_API_KEY", "TOGETHER_API_KEY", "GROQ_API_KEY", "CEREBRAS_API_KEY", "OPENROUTER_API_KEY")


@pytest.fixture
def only_fake_keys(monkeypatch, fake_provider_env):
    """The fake provider's OpenAI and Anthropic keys, and no other provider's."""
    for name in OTHER_KEYS:
        monkeypatch.delenv(name, raising=False)
    return fake_provider_env


def write_prompt(folder: Path, name: str, text: str = "Name three primes.", **front: object) -> str:
    front = {"max_tokens": 64, **front}
    lines = []
    for key, value in front.items():
        shown = json.dumps(value) if not isinstance(value, bool) else str(value).lower()
        lines.append(f"{key} = {shown}")
    path = folder / name
    path.write_text("+++\n" + "\n".join(lines) + f"\n+++\n{text}\n", encoding="utf-8")
    return str(path)


def run_json(capsys, *argv: str) -> tuple[int, list[dict]]:
    code = main(["run", "--json", *argv])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.strip()]


def tokens_of(text: str) -> int:
    from promptlab_tui.core.tokens import get_encoding

    return len(get_encoding("o200k_base").encode_ordinary(text))


def prompt_tokens(text: str) -> int:
    """What the fake provider reports as prompt_tokens for one user message: 3 per message, the role
    ("user": 1 token), the text, 3 to prime the reply (OpenAI's cookbook)."""
    return 3 + 1 + tokens_of(text) + 3
