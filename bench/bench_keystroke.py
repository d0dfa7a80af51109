"""Keystroke to preview in the running app (Textual Pilot, headless, 120x40), with a 100K-token prompt.

The Lab's user prompt holds ~100K tokens (o200k_base, gpt-4o-mini); a key is pressed at the end of the
text and the clock runs until (a) the editor holds the new character (the echo) and (b) the cost
preview holds the new, exact token count. The preview waits for typing to pause (the Lab's debounce)
before it recounts, so (b) includes that pause on purpose: it is what the user sees.
Baseline: a full tiktoken re-encode (`encode_ordinary`) of the same text, in the same run.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from typing import Any

from bench.harness import median_ms, row

GROUP = "keystroke"
TARGET_TOKENS = 100_000
MODEL = "gpt-4o-mini"
ECHO_TARGET_MS = 16.7  # one frame at 60 Hz: typing must not wait for counting
WORDS = ("the", "prompt", "model", "token", "budget", "cost", "answer", "user", "system", "context", "window",
         "summary", "ticket", "customer", "invoice", "refund", "latency", "error", "retry", "cache", "price",
         "report", "draft", "review", "classify", "extract", "JSON", "field", "value", "2024", "v2", "e.g.",
         "should", "must", "never", "always", "because", "however", "therefore", "include", "return")


def big_prompt(encoding: Any, tokens: int = TARGET_TOKENS, seed: int = 11) -> str:
    """Prose-like text of about `tokens` tokens: sentences, lists and paragraphs, ending with a newline."""
    rng = random.Random(seed)
    parts: list[str] = []
    while True:
        for _ in range(400):
            sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18)))
            parts.append(sentence.capitalize() + rng.choice((". ", ". ", ", and ", "? ", ".\n", ".\n\n", ":\n- ")))
        text = "".join(parts)
        if len(encoding.encode_ordinary(text)) >= tokens:
            return text.rstrip() + "\n"


async def _wait_for(predicate: Any, timeout_s: float) -> float:
    """Poll the app's state without blocking its loop; returns when the predicate holds (ms since call)."""
    start = time.perf_counter()
    while not predicate():
        if time.perf_counter() - start > timeout_s:
            raise TimeoutError(f"gave up after {timeout_s:.0f} s")
        await asyncio.sleep(0.0005)
    return (time.perf_counter() - start) * 1000


class _PaintClock:
    """Wraps the app's display hook (called headless too): when the first screen update composited
    while a condition holds went out, i.e. when the user would see the change."""

    def __init__(self, app: Any) -> None:
        self.seen_at: float | None = None
        self._condition: Any = None
        self._display = app._display
        app._display = self._record

    def arm(self, condition: Any) -> None:
        self.seen_at, self._condition = None, condition

    def _record(self, screen: Any, renderable: Any) -> None:
        if renderable is not None and self._condition is not None and self._condition():
            self.seen_at, self._condition = time.perf_counter(), None
        self._display(screen, renderable)


def _pick_key(encoding: Any, text: str, current: int) -> tuple[str, int]:
    """A key whose character changes the count (letters can merge into the last word's token)."""
    for key in ("x", "7", ".", "q", ",", "z"):
        count = len(encoding.encode_ordinary(text + key))
        if count != current:
            return key, count
    raise RuntimeError("no key changes the token count")


async def _measure(text: str, encoding: Any, presses: int) -> tuple[list[float], list[float], int]:
    from textual.widgets import TextArea

    from promptlab_tui.app import PromptLabApp
    from promptlab_tui.widgets.preview.preview_pane import PreviewPane

    app = PromptLabApp(cursor_blink=False, setup_wizard=False)
    echo_ms: list[float] = []
    preview_ms: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await _wait_for(lambda: app.pricing is not None, 60)
        area = app.screen.query_one("#user-text", TextArea)
        pane = app.screen.query_one(PreviewPane)
        paint = _PaintClock(app)

        def shown() -> int | None:
            preview = pane.preview
            return preview.input_tokens if preview is not None and preview.exact else None

        area.text = text
        await _wait_for(lambda: shown() is not None and shown() > TARGET_TOKENS * 0.9, 120)
        await pilot.pause(0.3)  # let the initial count settle
        current = len(encoding.encode_ordinary(text))
        overhead = shown() - current  # chat format tokens around the text
        area.focus()
        area.move_cursor(area.document.end)
        for i in range(presses + 1):  # the first press is a warm-up
            key, current = _pick_key(encoding, area.text, current)
            before_end = area.document.end
            paint.arm(lambda: area.document.end != before_end)
            start = time.perf_counter()
            _send_key(app, key)
            await _wait_for(lambda: paint.seen_at is not None, 10)
            echo = (paint.seen_at - start) * 1000
            paint.arm(lambda: shown() == current + overhead)
            await _wait_for(lambda: paint.seen_at is not None, 10)
            if i:
                echo_ms.append(echo)
                preview_ms.append((paint.seen_at - start) * 1000)
            await pilot.pause(0.2)
        mismatch = shown() - (len(encoding.encode_ordinary(area.text)) + overhead)
    return echo_ms, preview_ms, mismatch


def _send_key(app: Any, key: str) -> None:
    """Hand a key to the app the way its terminal driver does, without Pilot's waits for idle."""
    from textual import events

    event = events.Key(key, key)
    event.set_sender(app)
    app._driver.send_message(event)


def run(quick: bool) -> list[dict]:
    from promptlab_tui.core.tokens import encoding_name_for_model, get_encoding

    encoding = get_encoding(encoding_name_for_model(MODEL) or "o200k_base")
    if encoding is None:
        raise RuntimeError("the o200k_base vocabulary is not cached (set TIKTOKEN_CACHE_DIR)")
    text = big_prompt(encoding)
    tokens = len(encoding.encode_ordinary(text))
    presses = 5 if quick else 25
    full_ms = median_ms(lambda: encoding.encode_ordinary(text + "x"), 5 if quick else 15)
    with tempfile.TemporaryDirectory(prefix="promptlab-keystroke-") as home:
        os.environ["PROMPTLAB_HOME"] = home
        os.environ["PROMPTLAB_TEST"] = "1"
        echo_ms, preview_ms, mismatch = asyncio.run(_measure(text, encoding, presses))
    debounce = _debounce_ms()
    preview = statistics.median(preview_ms)
    base = {"baseline_name": f"full tiktoken re-encode ({tokens:,} tokens)", "baseline": full_ms}
    return [
        row(GROUP, f"key to echo painted in the editor ({tokens // 1000}K-token prompt)", statistics.median(echo_ms), "ms",
            **base, target=f"< {ECHO_TARGET_MS:g} ms (one frame)", met=statistics.median(echo_ms) < ECHO_TARGET_MS,
            note=f"median of {presses} presses; key event to the next screen update after the edit (Pilot, headless)"),
        row(GROUP, f"key to exact count painted in the preview ({tokens // 1000}K-token prompt)", preview, "ms", **base,
            note=f"median of {presses}; includes the Lab's {debounce} typing-pause debounce; "
                 f"{preview - (debounce or 0):.1f} ms after it; count "
                 f"{'equals' if mismatch == 0 else f'differs by {mismatch} from'} a full count"),
    ]


def _debounce_ms() -> float | None:
    try:
        from promptlab_tui.screens.lab import PREVIEW_DEBOUNCE_S
    except ImportError:
        return None
    return PREVIEW_DEBOUNCE_S * 1000
