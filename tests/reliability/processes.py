"""Helpers for tests that run `promptlab` in real processes (kill -9, Ctrl-C, many at once)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
REPO_ROOT = Path(__file__).resolve().parents[2]


def promptlab_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "promptlab_tui", *args]


def process_env(fake_env: dict[str, str]) -> dict[str, str]:
    """This test's PROMPTLAB_HOME and vocabularies (inherited), pointed at the fake provider."""
    return {**os.environ, **fake_env, "PYTHONUNBUFFERED": "1"}


def start_promptlab(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(promptlab_command(*args), env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def run_promptlab(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(promptlab_command(*args), env=env, cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=timeout)


def wait_until(probe: Callable[[], T | None], timeout: float = 60.0, what: str = "condition") -> T:
    """Poll `probe` until it returns something truthy (no fixed sleeps)."""
    pause = threading.Event()
    for _ in range(int(timeout / 0.05)):
        value = probe()
        if value:
            return value
        pause.wait(0.05)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def write_prompt(folder: Path, name: str, text: str = "Count to a thousand, one number a line.",
                 model: str = "gpt-4o-mini", max_tokens: int = 2000) -> str:
    path = folder / name
    path.write_text(f'+++\nmodel = "{model}"\nmax_tokens = {max_tokens}\nname = "{path.stem}"\n+++\n{text}\n',
                    encoding="utf-8")
    return str(path)
