"""Token counting: exact with tiktoken for OpenAI models, approximate (and marked so) for everyone else.

Loading a vocabulary never touches the network: tiktoken is only asked for an encoding whose
BPE file is already in its cache folder, so an offline machine gets an approximate count and a
note saying how to fix it instead of a hang.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptlab_tui.core.approx_tokens import (  # noqa: F401  (re-exported: callers count through core.tokens)
    UNITS_PER_TOKEN, apply_calibration, approximate_count, approximate_tokens, approximate_units, calibration_ratio,
    units_to_tokens)
from promptlab_tui.core.token_pieces import O200K, PIECE_CHARS, cut_pattern, sum_over_pieces  # noqa: F401
from promptlab_tui.core.types import ChatMessage, TokenCount

if TYPE_CHECKING:  # tiktoken is imported lazily: 40 ms we do not want on the first frame
    from tiktoken import Encoding

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


def resolve_encoding(model: str) -> tuple[str | None, Encoding | None]:
    name = encoding_name_for_model(model)
    return name, (get_encoding(name) if name else None)


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
