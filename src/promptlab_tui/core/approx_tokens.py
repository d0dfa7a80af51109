"""Approximate token counts for models without a local tokenizer: a tokenizer-free estimate in quarter
tokens, additive across newline and word boundaries, then calibrated from the model's recorded runs."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from promptlab_tui.core.token_pieces import PIECE_CHARS, sum_over_pieces
from promptlab_tui.core.types import TokenCount

# Pieces that BPE tokenizers rarely merge across: words, digit groups, punctuation runs, newlines.
_WORD = re.compile(r"[A-Za-z\u00c0-\uffff]+")  # faster than a Unicode letter class, near enough
_DIGITS = re.compile(r"\d+")
_PUNCT = re.compile(r"[^\w\s]")
_NEWLINES = re.compile(r"\n+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")
_SPACED_NUMBER = re.compile(r" \d")  # the space before a number is a token of its own


# Approximate counts are summed in quarter tokens so that chunked sums equal the whole text's.
UNITS_PER_TOKEN = 4


def approximate_units(text: str) -> int:
    """A tokenizer-free estimate in quarter tokens: a token per word, digit triple and newline run,
    3/4 per punctuation mark, extra for long words, spaced numbers, non-ASCII and CJK characters.

    Additive across newline and word boundaries (no counted piece spans one), so the incremental
    counter's per-chunk sums equal the count of the whole text.
    """
    if not text:
        return 0
    if len(text) > PIECE_CHARS:
        return sum_over_pieces(text, _approximate_units)
    return _approximate_units(text)


def _approximate_units(text: str) -> int:
    word_list = _WORD.findall(text)
    words = len(word_list)
    long_words = sum((length - 1) // 8 for length in map(len, word_list))  # 9+ letters: extra tokens
    digits = sum((len(run) + 2) // 3 for run in _DIGITS.findall(text))
    newlines = len(_NEWLINES.findall(text))
    punct = len(_PUNCT.findall(text))
    spaced_numbers = len(_SPACED_NUMBER.findall(text))
    non_ascii = len(_NON_ASCII.findall(text))
    cjk = len(_CJK.findall(text)) if non_ascii else 0
    return UNITS_PER_TOKEN * (words + long_words + digits + newlines + spaced_numbers) + 3 * punct + non_ascii + 2 * cjk


def units_to_tokens(units: int) -> int:
    return -(-units // UNITS_PER_TOKEN)


def approximate_tokens(text: str) -> int:
    """Estimated tokens of a text for a model without a local tokenizer (before calibration)."""
    return units_to_tokens(approximate_units(text))


def apply_calibration(raw_tokens: int, calibration: float | None) -> int:
    if not calibration or calibration <= 0:
        return raw_tokens
    return math.ceil(raw_tokens * calibration)


def calibration_ratio(pairs: Iterable[tuple[int, int]], min_pairs: int = 1) -> float | None:
    """Actual/approximate factor learned from (uncalibrated approx, provider-reported) pairs: the median of
    the runs' ratios, None when there are too few or it is ignored (see core.calibration)."""
    from promptlab_tui.core.calibration import learn_calibration

    learned = learn_calibration(pairs)
    if learned is None or learned.runs < min_pairs or learned.ignored:
        return None
    return float(learned)


def approximate_count(raw: int, model: str, calibration: float | None, note: str | None) -> TokenCount:
    from promptlab_tui.core.calibration import upper_factor

    upper = math.ceil(raw * upper_factor(calibration))
    learned = getattr(calibration, "label", None)
    if calibration and calibration > 0 and not getattr(calibration, "ignored", None):
        told = learned() if learned else f"x{calibration:.2f}"
        return TokenCount(
            apply_calibration(raw, calibration),
            exact=False,
            method="approx:calibrated",
            note=note or f"Approximate for {model}, calibrated from its recorded runs ({told}).",
            uncalibrated_tokens=raw,
            upper_tokens=max(upper, apply_calibration(raw, calibration)),
        )
    default = f"Approximate: {model} has no local tokenizer; counts improve once runs of it are recorded."
    if learned:  # a calibration that is being ignored: say so
        default = f"Approximate: {model} has no local tokenizer; {learned()}."
    return TokenCount(raw, exact=False, method="approx:heuristic", note=note or default,
                      uncalibrated_tokens=raw, upper_tokens=upper)
