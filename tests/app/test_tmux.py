"""The real `promptlab` command in a real terminal (tmux): what a person would see and type."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
WAIT_S = 30.0


def promptlab_command() -> list[str]:
    script = Path(sys.executable).parent / "promptlab"
    if script.exists():
        return [str(script)]
    found = shutil.which("promptlab")
    return [found] if found else [sys.executable, "-m", "promptlab_tui"]


class Tmux:
    def __init__(self, home: Path) -> None:
        self.socket = f"promptlab-test-{uuid.uuid4().hex[:8]}"
        self.session = "lab"
        self.home = home

    def run(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10)
        return result.stdout

    def start(self, command: list[str], width: int = 100, height: int = 30) -> None:
        env = {"PROMPTLAB_HOME": str(self.home), "TERM": "xterm-256color",
               "TIKTOKEN_CACHE_DIR": os.environ.get("TIKTOKEN_CACHE_DIR", "")}
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        line = f"env {exports} {shlex.join(command)}; echo PROMPTLAB-EXITED $?; sleep 30"
        self.run("new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height), line)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session)

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", self.session, "-l", text)

    def wait_for(self, text: str) -> str:
        deadline = time.monotonic() + WAIT_S
        screen = ""
        while time.monotonic() < deadline:  # poll the terminal, bounded
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the terminal shows:\n{screen}")

    def wait_gone(self, text: str) -> str:
        deadline = time.monotonic() + WAIT_S
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text not in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} is still shown:\n{screen}")

    def kill(self) -> None:
        self.run("kill-server")


@pytest.mark.slow
def test_promptlab_in_a_terminal(isolated_home):
    tmux = Tmux(isolated_home)
    try:
        tmux.start(promptlab_command())
        first = tmux.wait_for("Welcome to promptlab")  # no budget yet: the setup wizard
        assert "recommended budget" in first
        tmux.keys("Escape")  # skip it
        tmux.wait_gone("Welcome to promptlab")
        tmux.wait_for("No budget set")
        tmux.type("Write a limerick about invoices")
        tmux.wait_for("Write a limerick about invoices")
        screen = tmux.wait_for("Expected")
        assert "gpt-4o-mini" in screen and "Input" in screen and "$" in screen
        assert "^r Run" in screen or "^r" in screen
        tmux.keys("C-r")  # no API key in this terminal: Run explains which one is missing
        screen = tmux.wait_for("OPENAI_API_KEY")
        tmux.keys("C-b")
        tmux.wait_for("Adjust budget")
        tmux.keys("Escape")
        tmux.wait_gone("Adjust budget")
        tmux.keys("C-q")  # the prompt was typed but never saved: the Lab asks first
        tmux.wait_for("Unsaved changes")
        tmux.keys("d")  # discard
        tmux.wait_for("PROMPTLAB-EXITED 0")
    finally:
        tmux.kill()
