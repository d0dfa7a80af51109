"""The live counter equals a full tiktoken count after any edits, and re-encodes only near the edit."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptlab_tui.core import tokens
from promptlab_tui.core.incremental import CHUNK_CHARS, IncrementalTokenCounter, cut_pattern, split_chunks
from promptlab_tui.core.tokens import CL100K, O200K, approximate_tokens, get_encoding


def _vocabularies_cached() -> bool:
    return get_encoding(O200K) is not None and get_encoding(CL100K) is not None


@pytest.fixture(scope="module")
def vocab() -> None:
    # Checked when tests run, after conftest has pointed TIKTOKEN_CACHE_DIR at the shared copy.
    if not _vocabularies_cached():
        pytest.skip("tiktoken vocabularies not cached")


requires_vocab = pytest.mark.usefixtures("vocab")

MODELS = {O200K: "gpt-4o", CL100K: "gpt-4"}

# Pieces chosen to sit on every rule of both pre-tokenizer regexes: newline runs, CRs, slashes after
# punctuation, contractions, digits, combining marks, non-Latin scripts, tabs, special-token text.
PIECES = [
    "a", "b", "Z", "word", "Hello", "camelCase", "ALLCAPS", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\r",
    "/", "//", ".", ",", "!", "?", "...", "'s", "'T", "'ll", "\"", "(", ")", "{", "}", "-", "_", "#", "*", "`",
    "1", "42", "12345", "é", "e\u0301", "東京", "日本語", "Привет", "🙂", "\u00a0", "\u2028", "\x0b", "\x1c",
    "<|endoftext|>", "<|endofprompt|>", "http://x.io/a", ".\n/", ":\n", "\n/", " \n ", "\n ", "x\n", "1\n2",
]
texts = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)
edits = st.lists(
    st.tuples(st.floats(0, 1), st.floats(0, 1), texts.map(lambda t: t[:30])), min_size=1, max_size=12
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _full(encoding_name: str, text: str) -> int:
    return len(get_encoding(encoding_name).encode_ordinary(text))


def _edit(text: str, a: float, b: float, replacement: str) -> tuple[int, int, str]:
    start, end = sorted((int(a * len(text)), int(b * len(text))))
    return start, end, replacement


@requires_vocab
@pytest.mark.parametrize("encoding_name", [O200K, CL100K])
@FAST
@given(text=texts)
def test_counts_add_up_across_every_safe_cut(encoding_name: str, text: str) -> None:
    pieces = split_chunks(text, 0, len(text), cut_pattern(encoding_name), target=0)
    assert "".join(pieces) == text
    assert sum(_full(encoding_name, p) for p in pieces) == _full(encoding_name, text)


@requires_vocab
@pytest.mark.parametrize("encoding_name", [O200K, CL100K])
@FAST
@given(start=texts, changes=edits, chunk_chars=st.sampled_from([1, 3, 16, 64]))
def test_any_edit_sequence_keeps_the_count_exact(encoding_name, start, changes, chunk_chars) -> None:
    by_text = IncrementalTokenCounter(MODELS[encoding_name], chunk_chars=chunk_chars)
    by_edit = IncrementalTokenCounter(MODELS[encoding_name], chunk_chars=chunk_chars)
    text = start
    by_text.update(text)
    by_edit.update(text)
    for a, b, replacement in changes:
        begin, end, replacement = _edit(text, a, b, replacement)
        text = text[:begin] + replacement + text[end:]
        expected = _full(encoding_name, text)
        assert by_text.update(text).tokens == expected
        assert by_edit.apply_edit(begin, end, replacement).tokens == expected
        assert by_edit.text == text
    assert by_text.result().exact and by_text.result().method == encoding_name


@FAST
@given(start=texts, changes=edits)
def test_approximate_live_count_equals_the_approximate_full_count(start, changes) -> None:
    counter = IncrementalTokenCounter("claude-sonnet-4-5", chunk_chars=8)
    text = start
    counter.update(text)
    for a, b, replacement in changes:
        begin, end, replacement = _edit(text, a, b, replacement)
        text = text[:begin] + replacement + text[end:]
        count = counter.apply_edit(begin, end, replacement)
        assert count.tokens == approximate_tokens(text)
        assert not count.exact


@requires_vocab
def test_slash_after_punctuation_and_newline_is_not_a_cut_in_o200k() -> None:
    # o200k's punctuation rule takes ";\n//" as one piece: cutting before "/" would over-count.
    text = "x = end;\n// comment\n"
    assert _full(O200K, "x = end;\n") + _full(O200K, "// comment\n") != _full(O200K, text)
    assert split_chunks(text, 0, len(text), cut_pattern(O200K), target=0) == [text]
    assert split_chunks(text, 0, len(text), cut_pattern(CL100K), target=0)[-1] == "// comment\n"


@requires_vocab
def test_summing_lines_over_counts_but_the_live_counter_does_not() -> None:
    text = "".join(f"Step {i}: call the API.\n\n    return {{'id': {i}}}  # ok\n" for i in range(300))
    per_line = sum(_full(O200K, line) for line in text.splitlines(keepends=True))
    assert per_line > _full(O200K, text)
    assert IncrementalTokenCounter("gpt-4o").update(text).tokens == _full(O200K, text)


def _document(lines: int) -> str:
    return "".join(f"Line {i} of the prompt explains a detail, with code: x_{i} = f({i}) / 2.\n" for i in range(lines))


@requires_vocab
def test_a_one_line_edit_re_encodes_about_one_chunk_not_the_text() -> None:
    text = _document(5000)  # ~375K chars
    counter = IncrementalTokenCounter("gpt-4o")
    counter.update(text)
    assert counter.chunk_count > 50
    middle = text.index("Line 2500 ")
    edited = text[:middle] + "Edited " + text[middle:]
    assert counter.update(edited).tokens == _full(O200K, edited)
    assert 0 < counter.last_reencoded_chars <= 3 * (CHUNK_CHARS + 100)
    counter.apply_edit(middle, middle + 7, "")
    assert counter.result().tokens == _full(O200K, text)
    assert counter.last_reencoded_chars <= 3 * (CHUNK_CHARS + 100)


@requires_vocab
def test_one_long_line_without_newlines_is_still_cut_at_word_spaces() -> None:
    text = " ".join(["tokens cost money"] * 20000)  # 360K chars, no newline
    counter = IncrementalTokenCounter("gpt-4o")
    counter.update(text)
    assert counter.chunk_count > 50
    counter.apply_edit(180_000, 180_000, "very ")
    assert counter.result().tokens == _full(O200K, counter.text)
    assert counter.last_reencoded_chars <= 3 * (CHUNK_CHARS + 100)


@requires_vocab
def test_editor_locations_map_to_offsets() -> None:
    text = _document(2000)
    counter = IncrementalTokenCounter("gpt-4o")
    counter.update(text)
    row_start = text.index("Line 1234 ")
    assert counter.offset_of((1234, 5)) == row_start + 5
    assert counter.offset_of((0, 3)) == 3
    counter.apply_edit_at((1234, 0), (1235, 0), "")  # delete a whole line
    expected = text.replace(text[row_start : text.index("Line 1235 ")], "")
    assert counter.text == expected
    assert counter.result().tokens == _full(O200K, expected)
    crlf = IncrementalTokenCounter("gpt-4o")
    crlf.update("first\r\nsecond\r\nthird")
    assert crlf.offset_of((2, 1)) == len("first\r\nsecond\r\n") + 1
    with pytest.raises(ValueError, match="row 9"):
        crlf.offset_of((9, 0))


def test_an_edit_outside_the_text_is_refused_with_the_length() -> None:
    counter = IncrementalTokenCounter("claude-3-5-haiku")
    counter.update("short")
    with pytest.raises(ValueError, match="length 5"):
        counter.apply_edit(3, 9, "x")
    assert counter.text == "short"


def test_unchanged_text_costs_nothing() -> None:
    counter = IncrementalTokenCounter("gemini-2.5-pro")
    first = counter.update("same words\nhere")
    assert counter.update("same words\n" + "here") == first
    assert counter.last_reencoded_chars == 0


def test_missing_vocabulary_makes_the_live_count_approximate_with_a_fix(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(tokens, "_encodings", {})
    count = IncrementalTokenCounter("gpt-4o-mini").update("How many tokens is this?\nAbout seven.")
    assert not count.exact
    assert count.tokens == approximate_tokens("How many tokens is this?\nAbout seven.")
    assert "o200k_base" in count.note and "TIKTOKEN_CACHE_DIR" in count.note


def test_calibration_applies_to_the_live_approximate_count() -> None:
    text = "Summarise this contract in plain words.\n" * 50
    plain = IncrementalTokenCounter("claude-opus-4").update(text)
    calibrated = IncrementalTokenCounter("claude-opus-4", calibration=1.25).update(text)
    assert calibrated.tokens == pytest.approx(plain.tokens * 1.25, abs=1)
    assert calibrated.method == "approx:calibrated"
