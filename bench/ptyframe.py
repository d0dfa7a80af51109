"""Time a terminal program to its first painted frame in a pseudo-terminal.

First frame = the alternate-screen switch (ESC[?1049h) followed by at least `min_bytes` of screen
output; the clock starts just before the fork and the process group is killed once the frame is seen.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import termios
import time

ALT_SCREEN = b"\x1b[?1049h"


class NoFrame(RuntimeError):
    """The program exited or timed out before painting its first frame."""


def first_frame_ms(argv: list[str], env: dict[str, str], cwd: str | None = None, cols: int = 120,
                   rows: int = 40, min_bytes: int = 3000, timeout_s: float = 30.0) -> float:
    start = time.perf_counter()
    pid, master = pty.fork()
    if pid == 0:  # child: size the terminal, then become the program
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            if cwd:
                os.chdir(cwd)
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    buffer = bytearray()
    try:
        deadline = start + timeout_s
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise NoFrame(f"no first frame within {timeout_s:.0f} s; output began {bytes(buffer[:200])!r}")
            ready, _, _ = select.select([master], [], [], remaining)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal (exited)
                chunk = b""
            if not chunk:
                raise NoFrame(f"exited before its first frame; output: {_tail(buffer)}")
            buffer += chunk
            at = buffer.find(ALT_SCREEN)
            if at >= 0 and len(buffer) - at - len(ALT_SCREEN) >= min_bytes:
                return (time.perf_counter() - start) * 1000
    finally:
        _kill(pid)
        os.close(master)


def _tail(buffer: bytearray) -> str:
    text = bytes(buffer[-400:]).decode("utf-8", "replace")
    return " ".join(text.split())[-300:] or "(nothing)"


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def terminal_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a person's terminal; COLUMNS/LINES dropped so the pty size rules."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "TEXTUAL")}
    env.update({"TERM": "xterm-256color", "COLORTERM": "truecolor"})
    env.update(extra or {})
    return env


def median_first_frame_ms(argv: list[str], env: dict[str, str], repeat: int, cwd: str | None = None,
                          warmup: int = 1) -> tuple[float, list[float]]:
    """Median of `repeat` timed starts after `warmup` unmeasured ones (which compile bytecode, warm caches)."""
    for _ in range(warmup):
        first_frame_ms(argv, env, cwd)
    samples = [first_frame_ms(argv, env, cwd) for _ in range(repeat)]
    return statistics.median(samples), samples


# --- text on screen --------------------------------------------------------------------------------
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


def screen_text(output: bytes) -> str:
    """The characters written to the screen, escape sequences (cursor moves, colours) removed.

    Textual writes each changed line of a region in one go, so a phrase of one line stays contiguous."""
    return _ESCAPES.sub(b"", output).decode("utf-8", "replace")


def texts_on_screen_ms(argv: list[str], env: dict[str, str], texts: list[str], cwd: str | None = None,
                       cols: int = 120, rows: int = 40, timeout_s: float = 30.0) -> dict[str, float]:
    """Milliseconds from the fork until each of `texts` has been written to the alternate screen."""
    start = time.perf_counter()
    pid, master = pty.fork()
    if pid == 0:
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            if cwd:
                os.chdir(cwd)
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    buffer = bytearray()
    found: dict[str, float] = {}
    try:
        deadline = start + timeout_s
        while len(found) < len(texts):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                missing = [t for t in texts if t not in found]
                raise NoFrame(f"{missing} not on screen within {timeout_s:.0f} s; screen: {_tail(buffer)}")
            ready, _, _ = select.select([master], [], [], remaining)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                raise NoFrame(f"exited before showing {[t for t in texts if t not in found]}; output: {_tail(buffer)}")
            now = (time.perf_counter() - start) * 1000
            buffer += chunk
            at = buffer.find(ALT_SCREEN)
            if at < 0:
                continue
            shown = screen_text(bytes(buffer[at:]))
            for text in texts:
                if text not in found and text in shown:
                    found[text] = now
        return found
    finally:
        _kill(pid)
        os.close(master)
