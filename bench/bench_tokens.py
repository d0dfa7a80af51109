"""Per-edit live token recount against a full tiktoken re-encode of the same text, in the same run.

`python -m bench.bench_tokens [--quick]` prints its own table; `python -m bench` collects `run()`.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from typing import Any

GROUP = "token counting"
BASELINE = "full tiktoken re-encode"
MODEL = "gpt-4o"
SIZES = (1_000, 10_000, 100_000, 1_000_000)
TARGETS = {100_000: 20.0, 1_000_000: 100.0}

_PROSE = (
    "Large language models are billed per token, so a prompt that looks short can still cost more than expected. "
    "The team reviewed last quarter's spend and found that most of it came from a handful of long system prompts, "
    "each repeated on every request. Caching helped, but only once the prefix stayed byte-for-byte identical. "
    "Résumé drafts, naïve café menus and 東京の天気 notes were mixed in, as real inputs are.",
    "Before changing anything, measure: count the tokens, estimate the cost at today's prices, and compare "
    "the estimate with what the provider reports afterwards. Differences of a few percent usually come from "
    "message framing; larger ones mean the wrong tokenizer was used.",
)
_CODE = '''def summarise(records: list[dict[str, int]], *, limit: int = 10) -> dict[str, float]:
    """Return the mean cost per model, skipping runs without a price."""
    totals: dict[str, int] = {{}}
    for record in records[:limit]:
        if record.get("cost_nanos") is None:
            continue  # unpriced runs are reported separately
        totals[record["model"]] = totals.get(record["model"], 0) + record["cost_nanos"]
    return {{model: value / 1e9 for model, value in totals.items()}}  # section {n}
'''
_MARKDOWN = """## Step {n}: check the budget

| model | input $/M | output $/M |
| --- | ---: | ---: |
| gpt-4o-mini | 0.15 | 0.60 |
| gpt-4o | 2.50 | 10.00 |

- [ ] Run `promptlab estimate prompts/review.md --model gpt-4o --json`
- [x] See https://example.com/docs/pricing/{n}/ and /usr/local/share/prompts/
> Note: totals include **{n} runs** without a price.

"""


def realistic_text(target_tokens: int, seed: int = 7) -> str:
    """Prose, Python and Markdown mixed until the text holds about `target_tokens` o200k tokens."""
    rng = random.Random(seed)
    parts: list[str] = []
    chars = 0
    n = 0
    goal_chars = int(target_tokens * 4.1)  # about 4.1 chars per o200k token for this mix
    while chars < goal_chars:
        n += 1
        kind = rng.random()
        if kind < 0.5:
            block = " ".join(rng.sample(_PROSE, 2)) + f" (paragraph {n})\n\n"
        elif kind < 0.8:
            block = _CODE.format(n=n) + "\n"
        else:
            block = _MARKDOWN.format(n=n)
        parts.append(block)
        chars += len(block)
    return "".join(parts)


def _middle_line_edits(text: str, count: int, seed: int = 11) -> list[tuple[int, int, str]]:
    """One-line edits near the middle: retype a line with a word changed (start, end, replacement)."""
    rng = random.Random(seed)
    edits = []
    for _ in range(count):
        position = len(text) // 2 + rng.randint(-2000, 2000)
        start = text.rfind("\n", 0, position) + 1
        end = text.find("\n", position)
        end = len(text) if end < 0 else end
        line = text[start:end]
        word = rng.choice(["budget", "tokens", "costly", "prompt", "cached"])
        edits.append((start, end, f"{line[: len(line) // 2]}{word} {line[len(line) // 2:]}"))
    return edits


def measure_size(target_tokens: int, reps: int) -> dict[str, Any]:
    from promptlab_tui.core.incremental import IncrementalTokenCounter
    from promptlab_tui.core.tokens import encoding_name_for_model, get_encoding

    encoding = get_encoding(encoding_name_for_model(MODEL) or "")
    if encoding is None:
        raise RuntimeError("o200k_base vocabulary not cached: set TIKTOKEN_CACHE_DIR (see ../shared/README.md)")
    base = realistic_text(target_tokens)
    counter = IncrementalTokenCounter(MODEL)
    counter.update(base)
    tokens = len(encoding.encode_ordinary(base))
    full_ms: list[float] = []
    update_ms: list[float] = []
    edit_ms: list[float] = []
    for start, end, replacement in _middle_line_edits(base, reps):
        edited = base[:start] + replacement + base[end:]
        began = time.perf_counter()
        expected = len(encoding.encode_ordinary(edited))
        full_ms.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        got = counter.update(edited).tokens  # whole new text: finds the edit itself
        update_ms.append((time.perf_counter() - began) * 1000)
        if got != expected:
            raise AssertionError(f"incremental count {got} != full count {expected} at {target_tokens} tokens")
        counter.update(base)  # undo, unmeasured
        began = time.perf_counter()
        got = counter.apply_edit(start, end, replacement).tokens  # editor tells where the edit was
        edit_ms.append((time.perf_counter() - began) * 1000)
        if got != expected:
            raise AssertionError(f"apply_edit count {got} != full count {expected} at {target_tokens} tokens")
        counter.update(base)
    return {
        "tokens": tokens,
        "chunks": counter.chunk_count,
        "full_ms": statistics.median(full_ms),
        "update_ms": statistics.median(update_ms),
        "edit_ms": statistics.median(edit_ms),
    }


def _label(tokens: int) -> str:
    return f"{tokens // 1_000_000}M" if tokens >= 1_000_000 else f"{tokens // 1000}K"


def run(quick: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    sizes = SIZES[:3] if quick else SIZES
    for size in sizes:
        reps = (15 if size <= 100_000 else 9) if quick else (41 if size <= 100_000 else 21)
        figures = measure_size(size, reps)
        target = TARGETS.get(size)
        for name, key, how, targeted in (
            ("edit given by the editor, apply_edit()", "edit_ms", "the editor tells where the edit is", True),
            ("whole new text, update()", "update_ms",
             "no target: the counter must compare the whole text it is handed (memory-bound)", False),
        ):
            ratio = figures["full_ms"] / figures[key] if figures[key] else None
            goal = target if targeted else None
            rows.append({
                "group": GROUP,
                "name": f"one-line edit recount at {_label(size)} tokens: {name}",
                "value": round(figures[key], 4),
                "unit": "ms",
                "baseline_name": BASELINE,
                "baseline": round(figures["full_ms"], 3),
                "ratio": round(ratio, 1) if ratio else None,
                "target": f">= {goal:g}x at {_label(size)}" if goal else None,
                "met": (ratio is not None and ratio >= goal) if goal else None,
                "note": f"{figures['tokens']:,} tokens, {figures['chunks']} chunks; {how}; exact (asserted equal)",
            })
    return rows


def _print_table(rows: list[dict[str, Any]]) -> None:
    print("| figure | value | baseline | ratio | target | met |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    for r in rows:
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        print(f"| {r['name']} | {r['value']:.3f} ms | {r['baseline']:.2f} ms | {r['ratio']}x | {r['target'] or ''} | {met} |")


if __name__ == "__main__":
    _print_table(run(quick="--quick" in sys.argv[1:]))
