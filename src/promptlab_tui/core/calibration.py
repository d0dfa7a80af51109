"""What approximate counts learn from settled runs: actual input tokens / our uncalibrated count.

Robust and bounded: the factor is the median of the recent runs' ratios (one odd run moves it little),
runs whose prompts were too short to say anything are left out, and a median outside [LOW, HIGH] means
the runs and the heuristic disagree beyond what a tokenizer difference explains (cached prefixes,
images counted elsewhere...): it is then ignored, and the preview says so. A reservation takes the
upper bound (the ratios' 90th percentile), so a hard limit holds when the provider bills more.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

LOW, HIGH = 1 / 3, 3.0  # a factor outside this is not a tokenizer difference
MIN_ESTIMATED_TOKENS = 16  # shorter prompts: fixed overheads swamp the ratio (13 tokens -> x27 was seen)
UNCALIBRATED_UPPER = 1.2  # the heuristic's headroom before any run has been seen


class CalibrationFactor(float):
    """The factor (a float, so counters can key on it) with what it was learned from."""

    runs: int
    upper: float
    ignored: str | None

    def __new__(cls, factor: float, runs: int, upper: float, ignored: str | None = None) -> CalibrationFactor:
        value = super().__new__(cls, factor)
        value.runs, value.upper, value.ignored = runs, upper, ignored
        return value

    def label(self) -> str:
        """"≈ +4 % from 23 runs" (or why it is ignored)."""
        if self.ignored:
            return self.ignored
        percent = round((float(self) - 1) * 100)
        runs = "run" if self.runs == 1 else "runs"
        return f"≈ {percent:+d} % from {self.runs} {runs}"


def _nearest_rank(ordered: list[float], fraction: float) -> float:
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def learn_calibration(pairs: Iterable[tuple[int, int]]) -> CalibrationFactor | None:
    """From (our uncalibrated count, the provider's input tokens) of recent runs, newest first."""
    ratios = sorted(actual / estimated for estimated, actual in pairs
                    if estimated >= MIN_ESTIMATED_TOKENS and actual > 0)
    if not ratios:
        return None
    count = len(ratios)
    middle = count // 2
    median = ratios[middle] if count % 2 else (ratios[middle - 1] + ratios[middle]) / 2
    upper = max(median, _nearest_rank(ratios, 0.9))
    runs = "run" if count == 1 else "runs"
    if not LOW <= median <= HIGH:
        why = (f"calibration x{median:.2f} from {count} {runs} ignored (outside x{LOW:.2f}–x{HIGH:.2f}: "
               "the runs do not look like this prompt's text)")
        return CalibrationFactor(1.0, count, UNCALIBRATED_UPPER, why)
    return CalibrationFactor(median, count, min(upper, HIGH))


def upper_factor(calibration: float | None) -> float:
    """The factor a reservation uses on an approximate count."""
    if isinstance(calibration, CalibrationFactor):
        return max(calibration.upper, float(calibration))
    return max(UNCALIBRATED_UPPER, calibration or 0.0)


def reservation_input_tokens(count: object) -> int:
    """Input tokens a worst case is computed on: exact as counted; approximate at its upper bound."""
    tokens = int(getattr(count, "tokens"))
    if getattr(count, "exact", False):
        return tokens
    upper = getattr(count, "upper_tokens", None)
    return max(tokens, upper if upper is not None else math.ceil(tokens * UNCALIBRATED_UPPER))
