"""Keystroke and paste to preview in the running app (Textual Pilot, headless, 120x40), big prompts.

The Lab's user prompt holds ~100K tokens (and ~1M in full mode; o200k_base, gpt-4o-mini); a key is
pressed (then a block pasted) at the end of the text and the clock runs until (a) the editor holds the
change (the echo) and (b) the cost preview holds the new, exact token count. The preview waits for
typing to pause (the Lab's debounce) before it recounts, so (b) includes that pause on purpose: it is
what the user sees. The worker's own recount time is given in the note (it follows the size of the
edit, not of the prompt). Baseline: a full tiktoken re-encode (`encode_ordinary`) of the same text.
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
BIG_TOKENS = 1_000_000  # full mode also measures a 1M-token prompt
PASTE_BLOCK = ("\n\nPasted log {0}:\n" + "ERROR 2024-06-01 worker timeout after 30 s; retry 3 of 5, see ticket 4411.\n" * 12)
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
    counted = 0
    while counted < tokens:  # batches counted on their own: counts add up closely at sentence ends
        batch = []
        for _ in range(400):
            sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18)))
            batch.append(sentence.capitalize() + rng.choice((". ", ". ", ", and ", "? ", ".\n", ".\n\n", ":\n- ")))
        counted += len(encoding.encode_ordinary("".join(batch)))
        parts += batch
    return "".join(parts).rstrip() + "\n"


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


class Figures:
    """What one prompt size gives: per key and per paste, ms to the echo and to the exact count painted,
    and the worker's recount time (the journal's edits applied, the estimate made)."""

    def __init__(self) -> None:
        self.echo: list[float] = []
        self.count: list[float] = []
        self.paste_echo: list[float] = []
        self.paste_count: list[float] = []
        self.recount: list[float] = []
        self.mismatch = 0


async def _measure(text: str, encoding: Any, presses: int, pastes: int) -> Figures:
    from textual.widgets import TextArea

    from promptlab_tui.app import PromptLabApp
    from promptlab_tui.services import preview_engine
    from promptlab_tui.widgets.preview.preview_pane import PreviewPane

    figures = Figures()
    compute = preview_engine.PreviewEngine.compute

    def timed_compute(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return compute(self, *args, **kwargs)
        finally:
            figures.recount.append((time.perf_counter() - start) * 1000)

    preview_engine.PreviewEngine.compute = timed_compute
    app = PromptLabApp(cursor_blink=False, setup_wizard=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await _wait_for(lambda: app.pricing is not None, 60)
            area = app.screen.query_one("#user-text", TextArea)
            pane = app.screen.query_one(PreviewPane)
            paint = _PaintClock(app)

            def shown() -> int | None:
                preview = pane.preview
                return preview.input_tokens if preview is not None and preview.exact else None

            area.text = text
            current = len(encoding.encode_ordinary(text))
            await _wait_for(lambda: shown() is not None and shown() > current, 300)
            await pilot.pause(0.5)  # let the initial count and the tips settle
            overhead = shown() - current  # chat format tokens around the text
            area.focus()
            area.move_cursor(area.document.end)

            async def edit(send: Any, expected: int, echoes: list[float], counts: list[float], keep: bool) -> None:
                before_end = area.document.end
                paint.arm(lambda: area.document.end != before_end)
                start = time.perf_counter()
                send()
                await _wait_for(lambda: paint.seen_at is not None, 30)
                echo = (paint.seen_at - start) * 1000
                paint.arm(lambda: shown() == expected + overhead)
                await _wait_for(lambda: paint.seen_at is not None, 30)
                if keep:
                    echoes.append(echo)
                    counts.append((paint.seen_at - start) * 1000)
                await pilot.pause(0.2)

            figures.recount.clear()
            for i in range(presses + 1):  # the first press is a warm-up
                key, current = _pick_key(encoding, area.document.text, current)
                await edit(lambda key=key: _send_key(app, key), current, figures.echo, figures.count, bool(i))
            for i in range(pastes):
                block = PASTE_BLOCK.format(i)
                current = len(encoding.encode_ordinary(area.document.text + block))
                await edit(lambda block=block: _send_paste(app, block), current, figures.paste_echo,
                           figures.paste_count, True)
            figures.mismatch = shown() - (len(encoding.encode_ordinary(area.document.text)) + overhead)
    finally:
        preview_engine.PreviewEngine.compute = compute
    return figures


def _send_paste(app: Any, text: str) -> None:
    """A paste, handed to the app the way its terminal driver does (the app gives it to the focused editor)."""
    from textual import events

    event = events.Paste(text)
    event.set_sender(app)
    app._driver.send_message(event)


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
    rows: list[dict] = []
    sizes = [TARGET_TOKENS] if quick else [TARGET_TOKENS, BIG_TOKENS]
    os.environ["PROMPTLAB_TEST"] = "1"
    for size in sizes:
        # a home per size: the Lab saves unsaved edits as a draft and restores it at the next start, which would
        # put the previous size's text back over this one's
        with tempfile.TemporaryDirectory(prefix="promptlab-keystroke-") as home:
            os.environ["PROMPTLAB_HOME"] = home
            rows += _rows_for(size, encoding, quick)
    return rows


def _rows_for(size: int, encoding: Any, quick: bool) -> list[dict]:
    text = big_prompt(encoding, size)
    tokens = len(encoding.encode_ordinary(text))
    presses, pastes = (5, 2) if quick else (25, 7)
    full_ms = median_ms(lambda: encoding.encode_ordinary(text + "x"), 5 if quick else 15)
    figures = asyncio.run(_measure(text, encoding, presses, pastes))
    debounce = _debounce_ms() or 0
    base = {"baseline_name": f"full tiktoken re-encode ({tokens:,} tokens)", "baseline": full_ms}
    label = f"{tokens // 1000:,}K-token prompt" if tokens < 1_000_000 else f"{tokens / 1e6:.1f}M-token prompt"
    echo = statistics.median(figures.echo)
    count = statistics.median(figures.count)
    paste_count = statistics.median(figures.paste_count)
    recount = statistics.median(figures.recount) if figures.recount else None
    exact = "equals" if figures.mismatch == 0 else f"differs by {figures.mismatch} from"
    worker = f"; the worker's recount (edits applied + estimate) {recount:.2f} ms" if recount is not None else ""
    paste_tokens = len(encoding.encode_ordinary(PASTE_BLOCK.format(0)))
    return [
        row(GROUP, f"key to echo painted in the editor ({label})", echo, "ms", **base,
            target=f"< {ECHO_TARGET_MS:g} ms (one frame)", met=echo < ECHO_TARGET_MS,
            note=f"median of {presses} presses; key event to the next screen update after the edit (Pilot, headless)"),
        row(GROUP, f"key to exact count painted in the preview ({label})", count, "ms", **base,
            note=f"median of {presses}; includes the Lab's {debounce:g} ms typing-pause debounce; "
                 f"{count - debounce:.1f} ms after it{worker}; count {exact} a full count"),
        row(GROUP, f"paste of {paste_tokens} tokens to exact count painted ({label})", paste_count, "ms", **base,
            note=f"median of {pastes}; echo {statistics.median(figures.paste_echo):.1f} ms; includes the "
                 f"{debounce:g} ms debounce; the edit, not the whole text, is recounted"),
    ]


def _debounce_ms() -> float | None:
    try:
        from promptlab_tui.screens.lab.lab_screen import PREVIEW_DEBOUNCE_S
    except ImportError:
        return None
    return PREVIEW_DEBOUNCE_S * 1000
