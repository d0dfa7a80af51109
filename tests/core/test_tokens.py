"""Exact token counts for OpenAI models, approximate (and labelled so) for the rest, never a hang offline."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from promptlab_tui.core.tokens import (
    CL100K,
    O200K,
    approximate_tokens,
    calibration_ratio,
    count_messages,
    count_text,
    encoding_name_for_model,
    get_encoding,
)
from promptlab_tui.core.types import ChatMessage

def _vocabularies_cached() -> bool:
    return get_encoding(O200K) is not None and get_encoding(CL100K) is not None


@pytest.fixture(scope="module")
def vocab() -> None:
    # Checked when tests run, after conftest has pointed TIKTOKEN_CACHE_DIR at the shared copy.
    if not _vocabularies_cached():
        pytest.skip("tiktoken vocabularies not cached")


requires_vocab = pytest.mark.usefixtures("vocab")

# OpenAI cookbook "How to count tokens with tiktoken", section 6: the example conversation whose
# prompt_tokens the API reported as 129 (gpt-3.5-turbo, gpt-4-0613, gpt-4) and 124 (gpt-4o, gpt-4o-mini).
COOKBOOK_MESSAGES = [
    ChatMessage("system", "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."),
    ChatMessage("system", "New synergies will help drive top-line growth.", name="example_user"),
    ChatMessage("system", "Things working well together will increase revenue.", name="example_assistant"),
    ChatMessage("system", "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.", name="example_user"),
    ChatMessage("system", "Let's talk later when we're less busy about how to do better.", name="example_assistant"),
    ChatMessage("user", "This late pivot means we don't have time to boil the ocean for the client deliverable."),
]


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o", O200K), ("gpt-4o-mini", O200K), ("gpt-4o-2024-08-06", O200K), ("gpt-4o-mini-2024-07-18", O200K),
        ("chatgpt-4o-latest", O200K), ("gpt-4.1", O200K), ("gpt-4.1-mini", O200K), ("gpt-4.1-nano-2025-04-14", O200K),
        ("o1", O200K), ("o1-mini", O200K), ("o3", O200K), ("o3-mini-2025-01-31", O200K), ("o4-mini", O200K),
        ("gpt-5", O200K), ("gpt-5-mini", O200K), ("gpt-5-nano-2025-08-07", O200K), ("openai/gpt-4o", O200K),
        ("OpenAI/GPT-4o-Mini", O200K), ("openrouter/openai/gpt-4.1", O200K), ("ft:gpt-4o-mini-2024-07-18:acme::abc", O200K),
        ("gpt-4", CL100K), ("gpt-4-0613", CL100K), ("gpt-4-turbo", CL100K), ("gpt-4-turbo-2024-04-09", CL100K),
        ("gpt-4-32k", CL100K), ("gpt-3.5-turbo", CL100K), ("gpt-3.5-turbo-0125", CL100K), ("openai/gpt-4", CL100K),
        ("claude-3-5-sonnet-20241022", None), ("claude-sonnet-4-5", None), ("gemini-1.5-pro", None),
        ("meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", None), ("llama3.1-8b", None), ("o200", None), ("", None),
    ],
)
def test_model_maps_to_its_encoding(model: str, expected: str | None) -> None:
    assert encoding_name_for_model(model) == expected


@requires_vocab
@pytest.mark.parametrize(
    ("model", "api_prompt_tokens"),
    [("gpt-3.5-turbo", 129), ("gpt-4-0613", 129), ("gpt-4", 129), ("gpt-4o", 124), ("gpt-4o-mini", 124)],
)
def test_chat_count_equals_the_prompt_tokens_the_api_reported(model: str, api_prompt_tokens: int) -> None:
    count = count_messages(COOKBOOK_MESSAGES, model)
    assert count.tokens == api_prompt_tokens
    assert count.exact and count.note is None


@requires_vocab
def test_openai_format_dicts_count_like_chat_messages() -> None:
    as_dicts = [m.as_openai() for m in COOKBOOK_MESSAGES]
    assert count_messages(as_dicts, "gpt-4o").tokens == 124


@requires_vocab
def test_openai_content_parts_count_their_text() -> None:
    parts = [{"role": "user", "content": [{"type": "text", "text": "Hello "}, {"type": "text", "text": "world"}]}]
    assert count_messages(parts, "gpt-4o").tokens == count_messages([ChatMessage("user", "Hello world")], "gpt-4o").tokens


def test_a_corrupt_vocabulary_is_checked_once_not_on_every_count(tmp_path, monkeypatch) -> None:
    from promptlab_tui.core import tokens

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(tokens, "_encodings", {})
    monkeypatch.setattr(tokens, "_unusable", {})
    (tmp_path / "fb374d419588a4632f3f557e76b4b70aebbca790").write_bytes(b"not a vocabulary")
    reads = []
    real_check = tokens._vocabulary_is_valid
    monkeypatch.setattr(tokens, "_vocabulary_is_valid", lambda path, name: reads.append(name) or real_check(path, name))
    assert [count_text("hello", "gpt-4o").exact for _ in range(5)] == [False] * 5
    assert reads == ["o200k_base"]


@requires_vocab
def test_chat_overhead_is_three_per_message_role_name_and_priming() -> None:
    encoding = get_encoding(O200K)
    assert encoding is not None
    content = "Summarise the attached report in three bullet points."
    plain = count_messages([ChatMessage("user", content)], "gpt-4o").tokens
    assert plain == 3 + 1 + len(encoding.encode_ordinary(content)) + 3
    named = count_messages([ChatMessage("user", content, name="alice")], "gpt-4o").tokens
    assert named == plain + 1 + len(encoding.encode_ordinary("alice"))
    assert count_messages([], "gpt-4o").tokens == 3


@requires_vocab
def test_text_with_special_token_markers_is_counted_not_refused() -> None:
    count = count_text("Docs mention <|endoftext|> and <|endofprompt|> literally.", "gpt-4o")
    encoding = get_encoding(O200K)
    assert count.exact
    assert count.tokens == len(encoding.encode_ordinary("Docs mention <|endoftext|> and <|endofprompt|> literally."))
    assert count.tokens > 10  # the markers are plain text, several tokens each


@requires_vocab
def test_encodings_are_loaded_once_and_shared_across_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        loaded = list(pool.map(get_encoding, [CL100K] * 8))
    assert all(e is loaded[0] for e in loaded)
    assert count_text("hello world", "gpt-4").tokens == 2


def test_other_providers_are_always_approximate_and_say_so() -> None:
    count = count_text("Explain the difference between a mutex and a semaphore.", "claude-3-5-sonnet-20241022")
    assert not count.exact
    assert count.method == "approx:heuristic"
    assert count.note and "claude-3-5-sonnet" in count.note
    assert 8 <= count.tokens <= 16  # about 11 real tokens
    messages = count_messages([ChatMessage("user", "Hello there")], "gemini-1.5-pro")
    assert not messages.exact and messages.tokens > 0


def test_calibration_scales_approximate_counts_and_is_labelled() -> None:
    text = "The quick brown fox jumps over the lazy dog. " * 20
    raw = count_text(text, "claude-sonnet-4")
    calibrated = count_text(text, "claude-sonnet-4", calibration=1.2)
    assert calibrated.method == "approx:calibrated" and not calibrated.exact
    assert calibrated.tokens == pytest.approx(raw.tokens * 1.2, abs=1)
    assert "1.20" in (calibrated.note or "")


@requires_vocab
def test_calibration_never_changes_an_exact_count() -> None:
    assert count_text("hello world", "gpt-4o", calibration=3.0).tokens == 2


def test_calibration_ratio_from_history() -> None:
    assert calibration_ratio([]) is None
    assert calibration_ratio([(100, 120), (200, 240)]) == pytest.approx(1.2)
    assert calibration_ratio([(100, 10_000)]) is None  # x100: ignored, one absurd run cannot wreck estimates
    assert calibration_ratio([(0, 50), (100, 90)]) == pytest.approx(0.9)


def test_approximation_is_in_the_right_range_for_ordinary_text() -> None:
    prose = "Large language models are billed per token, so counting before a run avoids surprises. " * 10
    assert 150 <= approximate_tokens(prose) <= 210  # o200k: 170
    assert approximate_tokens("") == 0
    assert approximate_tokens("東京は日本の首都です。") >= 5


_OFFLINE_PROBE = textwrap.dedent(
    """
    import json, socket, time
    attempts = []
    def refuse(*args, **kwargs):
        attempts.append(repr(args[:2]))
        raise OSError("network disabled by test")
    socket.socket.connect = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    start = time.monotonic()
    from promptlab_tui.core.tokens import count_text, count_messages, get_encoding
    from promptlab_tui.core.types import ChatMessage
    text = count_text("How many tokens is this sentence?", "gpt-4o")
    chat = count_messages([ChatMessage("user", "hi")], "gpt-4")
    print(json.dumps({
        "encoding": get_encoding("o200k_base") is not None,
        "exact": [text.exact, chat.exact], "tokens": text.tokens, "note": text.note,
        "method": text.method, "attempts": attempts, "seconds": time.monotonic() - start,
    }))
    """
)


@pytest.mark.parametrize("cache_state", ["empty", "corrupt", "disabled"])
def test_missing_vocabulary_counts_approximately_without_network(tmp_path, cache_state: str) -> None:
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")}
    env["TIKTOKEN_CACHE_DIR"] = "" if cache_state == "disabled" else str(tmp_path)
    if cache_state == "corrupt":  # a truncated download under the right name must not trigger a re-download
        (tmp_path / "fb374d419588a4632f3f557e76b4b70aebbca790").write_bytes(b"truncated")
        (tmp_path / "9b5ad71b2ce5302211f9c61530b329a4922fc6a4").write_bytes(b"")
    done = subprocess.run([sys.executable, "-c", _OFFLINE_PROBE], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["attempts"] == []
    assert result["encoding"] is False
    assert result["exact"] == [False, False]
    assert result["tokens"] > 0
    assert "o200k_base" in result["note"] and "TIKTOKEN_CACHE_DIR" in result["note"]
