"""Long texts are counted in pieces cut where counts add up, so no token (or word) list of a whole 50 MB
prompt is ever made; core.incremental cuts its chunks at the same places."""

from __future__ import annotations

import re
from collections.abc import Callable

O200K = "o200k_base"

# Zero-width cut candidates where counts add up (cut at match.start()); core.incremental cuts there too.
_CUTS = {
    O200K: re.compile(r"(?<=[\r\n])(?=[^\s/])|(?<=[A-Za-z])(?= [A-Za-z])"),
    "default": re.compile(r"(?<=[\r\n])(?=\S)|(?<=[A-Za-z])(?= [A-Za-z])"),
}


def cut_pattern(encoding_name: str | None) -> re.Pattern[str]:
    return _CUTS[O200K] if encoding_name == O200K else _CUTS["default"]


PIECE_CHARS = 1 << 18  # a text longer than this is counted in pieces: a token list per piece, never for the whole


def sum_over_pieces(text: str, measure: Callable[[str], int], encoding_name: str | None = None) -> int:
    """measure(text) for an additive measure, in pieces cut where counts add up (see core.incremental),
    so that a 50 MB prompt never makes a token list (or a word list) of its whole size."""
    if len(text) <= PIECE_CHARS:
        return measure(text)
    cuts, total, position = cut_pattern(encoding_name), 0, 0
    while len(text) - position > PIECE_CHARS:
        found = cuts.search(text, position + PIECE_CHARS)
        if found is None:
            break
        total += measure(text[position:found.start()])
        position = found.start()
    return total + measure(text[position:])
