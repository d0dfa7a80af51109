"""Token counting: exact with tiktoken for OpenAI models, approximate (and marked so) for everyone else.

Loading a vocabulary never touches the network: tiktoken is only asked for an encoding whose
BPE file is already in its cache folder, so an offline machine gets an approximate count and a
note saying how to fix it instead of a hang.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptlab_tui.core.types import ChatMessage, TokenCount

if TYPE_CHECKING:  # tiktoken is imported lazily: 40 ms we do not want on the first frame
    from tiktoken import Encoding

O200K = "o200k_base"
CL100K = "cl100k_base"

# Where tiktoken downloads each vocabulary from; the cache file name is the sha1 of this address.
VOCABULARY_URLS = {
    O200K: "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    CL100K: "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}
# The sha256 tiktoken checks; a corrupt cached file would make tiktoken re-download it.
VOCABULARY_SHA256 = {
    O200K: "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    CL100K: "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
}

# OpenAI chat format (cookbook, API-verified): <|start|>{role}<|message|>{content}<|end|> = 3 + role + content.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3

# The o200k families share "gpt-4" with cl100k's GPT-4, so they are checked first.
_O200K_PREFIXES = ("gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1-", "o3-", "o4-")
_O200K_NAMES = ("o1", "o3", "o4")
_CL100K_PREFIXES = ("gpt-4-", "gpt-3.5", "gpt-35", "text-embedding-ada", "text-embedding-3-")
_CL100K_NAMES = ("gpt-4", "davinci-002", "babbage-002")
_OPENAI_ROUTE_PREFIXES = ("openai", "azure", "azure_openai")

_encodings: dict[str, Encoding] = {}
_unusable: dict[str, tuple[object, ...]] = {}  # name -> cache file state that failed: not re-read until it changes
_load_lock = threading.Lock()


def encoding_name_for_model(model: str) -> str | None:
    """The tiktoken encoding of an OpenAI model (any snapshot or `openai/` route), None for others."""
    name = model.strip().lower()
    if "/" in name:
        route, _, name = name.rpartition("/")
        # "openai/gpt-4o", "openrouter/openai/gpt-4o": the tokenizer is OpenAI's; "meta-llama/..." is not.
        if route.split("/")[-1] not in _OPENAI_ROUTE_PREFIXES:
            return None
    if name.startswith("ft:"):  # fine-tunes: "ft:gpt-4o-mini-2024-07-18:org::id"
        name = name[3:].split(":", 1)[0]
    if name in _O200K_NAMES or name.startswith(_O200K_PREFIXES):
        return O200K
    if name in _CL100K_NAMES or name.startswith(_CL100K_PREFIXES):
        return CL100K
    return None


def tiktoken_cache_dir() -> Path | None:
    """The folder tiktoken reads cached vocabularies from (None: caching disabled)."""
    for variable in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if variable in os.environ:
            value = os.environ[variable]
            return Path(value) if value else None
    return Path(tempfile.gettempdir()) / "data-gym-cache"


def vocabulary_path(name: str) -> Path | None:
    """Where tiktoken expects the cached vocabulary of `name` (whether or not it is there)."""
    url = VOCABULARY_URLS.get(name)
    cache = tiktoken_cache_dir()
    if url is None or cache is None:
        return None
    return cache / hashlib.sha1(url.encode()).hexdigest()


def _vocabulary_is_valid(path: Path, name: str) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return hashlib.sha256(data).hexdigest() == VOCABULARY_SHA256[name]


def loaded_encoding(name: str) -> Encoding | None:
    """The encoding if it is already in memory; never loads (safe on the UI thread)."""
    return _encodings.get(name)


def get_encoding(name: str) -> Encoding | None:
    """The tiktoken encoding, loaded once from the local cache; None when the vocabulary is not cached.

    Never downloads: the cached file is checked (exists, right hash) before tiktoken sees it.
    The first load takes about 0.35 s, so call it from a worker, not on the way to the first frame.
    """
    encoding = _encodings.get(name)
    if encoding is not None:
        return encoding
    with _load_lock:
        encoding = _encodings.get(name)
        if encoding is not None:
            return encoding
        path = vocabulary_path(name)
        state = _file_state(path)
        if _unusable.get(name) == state:
            return None
        encoding = _load_verified(name, path) if state[1] is not None else None
        if encoding is None:
            _unusable[name] = state
            return None
        _encodings[name] = encoding
        return encoding


def _file_state(path: Path | None) -> tuple[object, ...]:
    try:
        stat = path.stat() if path is not None else None
    except OSError:
        stat = None
    return (str(path), stat and (stat.st_size, stat.st_mtime_ns))


def _load_verified(name: str, path: Path | None) -> Encoding | None:
    if path is None or not _vocabulary_is_valid(path, name):
        return None
    try:
        import tiktoken

        return tiktoken.get_encoding(name)
    except Exception:  # an unreadable cache must degrade to approximate counting, not crash
        return None


def missing_vocabulary_note(name: str) -> str:
    cache = tiktoken_cache_dir()
    where = f"in {cache}" if cache else "(tiktoken caching is disabled: TIKTOKEN_CACHE_DIR is empty)"
    return (
        f"Approximate: the {name} vocabulary is not cached {where}. "
        f"Set TIKTOKEN_CACHE_DIR to a folder that holds it, or run once online: "
        f"python -c \"import tiktoken; tiktoken.get_encoding('{name}')\""
    )


# --- approximate counting -------------------------------------------------------------------

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


def resolve_encoding(model: str) -> tuple[str | None, Encoding | None]:
    name = encoding_name_for_model(model)
    return name, (get_encoding(name) if name else None)


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


def encoded_length(encoding: Encoding, name: str | None, text: str) -> int:
    """len(encode_ordinary(text)) in bounded memory."""
    return sum_over_pieces(text, lambda piece: len(encoding.encode_ordinary(piece)), name)


def count_text(text: str, model: str, calibration: float | None = None) -> TokenCount:
    """Tokens of a plain text for `model`: exact when tiktoken knows the model and its vocabulary is cached."""
    name, encoding = resolve_encoding(model)
    if encoding is not None:
        return TokenCount(encoded_length(encoding, name, text), exact=True, method=name or "")
    note = missing_vocabulary_note(name) if name else None
    return approximate_count(approximate_tokens(text), model, calibration, note)


def _message_fields(message: ChatMessage | dict[str, Any]) -> tuple[str, str, str | None]:
    if isinstance(message, ChatMessage):
        return message.role, message.content, message.name
    content = message.get("content") or ""
    if isinstance(content, list):  # OpenAI content parts: only the text parts are text tokens
        content = "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(message.get("role", "")), str(content), message.get("name")


def count_messages(messages: Sequence[ChatMessage | dict[str, Any]], model: str,
                   calibration: float | None = None) -> TokenCount:
    """Prompt tokens of a chat request: equals the API's `prompt_tokens` for OpenAI chat models.

    Overhead per OpenAI's cookbook: 3 per message, the role's own tokens, +1 per name, +3 reply priming.
    """
    name, encoding = resolve_encoding(model)
    if encoding is not None:
        total = REPLY_PRIMING_TOKENS
        for message in messages:
            role, content, sender = _message_fields(message)
            total += TOKENS_PER_MESSAGE + len(encoding.encode_ordinary(role))
            total += encoded_length(encoding, name, content)
            if sender:
                total += TOKENS_PER_NAME + len(encoding.encode_ordinary(sender))
        return TokenCount(total, exact=True, method=name or "")
    raw = REPLY_PRIMING_TOKENS
    for message in messages:
        role, content, sender = _message_fields(message)
        raw += TOKENS_PER_MESSAGE + 1 + approximate_tokens(content)
        if sender:
            raw += TOKENS_PER_NAME + approximate_tokens(sender)
    note = missing_vocabulary_note(name) if name else None
    return approximate_count(raw, model, calibration, note)
