"""How long a run is expected to take: p50 / p90 from past runs of this prompt (else this model),
each past duration scaled to the output this run is expected to produce (a longer answer takes longer).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MIN_OUTPUT_TOKENS = 8  # shorter past answers are mostly latency: scaling them up would exaggerate
MIN_PROMPT_RUNS = 3  # fewer runs of this prompt: the model's runs predict better
MIN_RUNS = 3  # one or two runs say little about the next one's time: no estimate shown before three


@dataclass(frozen=True)
class DurationEstimate:
    p50_ms: int
    p90_ms: int
    runs: int
    basis: str  # "this prompt's 5 runs" / "gpt-4o-mini's 40 runs"

    def label(self) -> str:
        return f"~{format_seconds(self.p50_ms)} (p90 {format_seconds(self.p90_ms)}, {self.basis})"


def format_seconds(ms: int) -> str:
    return f"{ms / 1000:.1f} s" if ms < 60_000 else f"{ms // 60_000} min {ms % 60_000 // 1000:02d} s"


def _rank(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def expected_duration(samples: Sequence[tuple[int, int]], expected_output: int, p90_output: int,
                      basis: str) -> DurationEstimate | None:
    """From (duration ms, output tokens) of past completed runs; None with fewer than three usable ones."""
    usable = [(ms, out) for ms, out in samples if ms and ms > 0 and out >= MIN_OUTPUT_TOKENS]
    if len(usable) < MIN_RUNS:
        return None
    typical = [ms * max(expected_output, 1) / out for ms, out in usable]
    long = [ms * max(p90_output, 1) / out for ms, out in usable]
    p50 = round(_rank(typical, 0.5))
    return DurationEstimate(p50, max(p50, round(_rank(long, 0.9))), len(usable), basis)


def choose_samples(prompt_samples: Sequence[tuple[int, int]], model_samples: Sequence[tuple[int, int]],
                   model: str) -> tuple[Sequence[tuple[int, int]], str]:
    if len(prompt_samples) >= MIN_PROMPT_RUNS:
        return prompt_samples, f"this prompt's {len(prompt_samples)} runs"
    return model_samples, f"{model}'s {len(model_samples)} runs"


def progress_label(elapsed_ms: int, estimate: DurationEstimate | None) -> str:
    """The running view: '3.2 s of ~5.0 s' and, past the p90, that it is slower than usual."""
    if estimate is None:
        return format_seconds(elapsed_ms)
    shown = f"{format_seconds(elapsed_ms)} of ~{format_seconds(estimate.p50_ms)}"
    return shown + (" — slower than 9 runs in 10" if elapsed_ms > estimate.p90_ms else "")
