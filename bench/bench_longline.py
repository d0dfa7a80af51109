"""Typing in an 840 KB single-line prompt: the Lab's editor (TrackedTextArea) against Textual's own TextArea.

Both hold the same text in an app of the same size (120x40, headless Pilot); a key is pressed and the
clock stops after the next screen update. TextArea cuts the whole line at every wrap offset for each row
it draws; the Lab's editor cuts out only the row's section (issue 8, item 31: no slower than TextArea).
"""

from __future__ import annotations

import asyncio
import statistics
import time

from bench.harness import row

GROUP = "long line"
TEXT_CHARS = 840_000


def _key_ms(tracked: bool, keys: str) -> list[float]:
    from textual.app import App
    from textual.widgets import TextArea

    from promptlab_tui.services.edit_journal import EditJournal
    from promptlab_tui.widgets.editor.tracked_text_area import TrackedTextArea

    text = ("lorem ipsum dolor sit amet " * (TEXT_CHARS // 27 + 1))[:TEXT_CHARS]

    class Editor(App):
        def compose(self):
            if tracked:
                yield TrackedTextArea(role="user", journal=EditJournal(), text=text, soft_wrap=True, id="area")
            else:
                yield TextArea(text, soft_wrap=True, id="area")

    async def measure() -> list[float]:
        app = Editor()
        async with app.run_test(size=(120, 40)) as pilot:
            app.query_one("#area").focus()
            await pilot.pause()
            samples = []
            for key in keys:
                start = time.perf_counter()
                await pilot.press(key)
                await pilot.pause()
                samples.append((time.perf_counter() - start) * 1000)
            return samples

    return asyncio.run(measure())


def run(quick: bool) -> list[dict]:
    keys = "ab" if quick else "abcde"
    plain, ours = [], []
    for _ in range(1 if quick else 2):  # alternating, so the machine's load falls on both
        plain += _key_ms(False, keys)
        ours += _key_ms(True, keys)
    ms, base = statistics.median(ours), statistics.median(plain)
    return [row(GROUP, f"key to screen update, {TEXT_CHARS // 1000} KB single-line prompt (Lab editor)", ms, "ms",
                baseline_name="Textual's TextArea, same text and size", baseline=base,
                target="≤ TextArea", met=ms <= base,
                note=f"median of {len(ours)} keys each; TextArea range {min(plain):,.0f}–{max(plain):,.0f} ms")]
