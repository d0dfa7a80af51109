"""Prompt files load into the messages a run sends, and bad ones say file, line, field and expectation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptlab_tui.core.promptfile import PromptFileError, load_prompt_file, save_prompt_file
from promptlab_tui.core.types import ChatMessage, PromptSpec


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> PromptFileError:
    with pytest.raises(PromptFileError) as caught:
        load_prompt_file(path)
    return caught.value


def test_plain_text_is_the_user_message(tmp_path: Path) -> None:
    spec = load_prompt_file(write(tmp_path, "hello.txt", "Say hello.\nTwice.\n"))
    assert spec.messages == [ChatMessage("user", "Say hello.\nTwice.")]
    assert spec.name == "hello" and spec.source_path.endswith("hello.txt")


def test_markdown_front_matter_sets_the_request(tmp_path: Path) -> None:
    spec = load_prompt_file(write(tmp_path, "review.md", '+++\nmodel = "gpt-4.1-mini"\nsystem = "Be brief."\n'
                                  'max_tokens = 300\ntemperature = 0.2\nname = "code review"\n'
                                  'tags = ["review", "v2"]\n+++\n\nReview this diff.\n'))
    assert spec.model == "gpt-4.1-mini" and spec.max_tokens == 300 and spec.temperature == 0.2
    assert spec.name == "code review" and spec.tags == ["review", "v2"]
    assert spec.messages == [ChatMessage("system", "Be brief."), ChatMessage("user", "Review this diff.")]


def test_markdown_without_front_matter(tmp_path: Path) -> None:
    spec = load_prompt_file(write(tmp_path, "plain.md", "# Title\n\nBody text\n"))
    assert spec.messages == [ChatMessage("user", "# Title\n\nBody text")]


def test_json_list_and_object_forms(tmp_path: Path) -> None:
    messages = [{"role": "system", "content": "S"}, {"role": "user", "content": "U", "name": "ann"}]
    spec = load_prompt_file(write(tmp_path, "chat.json", json.dumps(messages)))
    assert spec.messages == [ChatMessage("system", "S"), ChatMessage("user", "U", "ann")]
    spec = load_prompt_file(write(tmp_path, "req.json", json.dumps(
        {"model": "gpt-4o", "max_completion_tokens": 50, "messages": [
            {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]})))
    assert spec.model == "gpt-4o" and spec.max_tokens == 50 and spec.messages[0].content == "ab"


@pytest.mark.parametrize(
    ("name", "text", "line", "field", "expected"),
    [
        ("bad.md", '+++\nmodel = "gpt-4o"\nmax_tokens = "lots"\n+++\nhi\n', 3, "max_tokens", "whole number"),
        ("bad.md", '+++\nmodel = "gpt-4o"\ntemperature = 7\n+++\nhi\n', 3, "temperature", "0 to 2"),
        ("bad.md", '+++\nmodel = "gpt-4o"\nmodle = "x"\n+++\nhi\n', 3, "modle", "one of: model"),
        ("bad.md", '+++\nmodel = "gpt-4o\n+++\nhi\n', 2, "(front matter)", "valid TOML"),
        ("bad.md", '+++\nmodel = "gpt-4o"\nhi\n', 1, "(front matter)", "closing +++"),
        ("bad.md", '+++\nmodel = "gpt-4o"\n+++\n\n\n', 4, "(user message)", "user message"),
        ("empty.txt", "\n", 1, "(user message)", "empty"),
        ("bad.json", '[\n  {"role": "user", "content": "hi"},\n  {"role": "robot", "content": "x"}\n]', 3,
         "messages[1].role", "one of: system"),
        ("bad.json", '{\n  "model": "gpt-4o",\n  "messages": [\n    {"role": "user",\n     "content": 5}\n  ]\n}',
         5, "messages[0].content", "message text"),
        ("bad.json", '{\n  "model": "gpt-4o",\n  "stream": true,\n  "messages": []\n}', 3, "stream", "one of"),
        ("bad.json", '[\n  {"role": "user", "content": "hi"},\n]', 3, "(JSON syntax, column 1)", "valid JSON"),
        ("bad.json", '{"messages": []}', 1, "messages", "non-empty list"),
        ("bad.json", '[{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]', 1,
         "messages[0].content[0].image_url.url", "an image URL"),
    ],
)
def test_bad_files_name_line_field_and_expectation(tmp_path: Path, name: str, text: str, line: int, field: str,
                                                    expected: str) -> None:
    path = write(tmp_path, name, text)
    error = refused(path)
    assert (error.line, error.field) == (line, field)
    assert expected in error.expected
    assert str(error).startswith(f"{path}:{line}: {field}: expected")


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    assert refused(tmp_path / "missing.txt").field == "(file)"
    error = refused(write(tmp_path, "latin.txt", b"ok\nbad \xe9 byte\n"))
    assert error.line == 2 and error.expected == "UTF-8 text"


def test_saved_markdown_loads_back_equal(tmp_path: Path) -> None:
    spec = PromptSpec(messages=[ChatMessage("system", 'Say "hi".\nThen stop. \\o/'),
                                ChatMessage("user", "\nLine one\n\n```\ncode\n```\n")],
                      model="claude-sonnet-4.5", max_tokens=777, temperature=0.7, name="greet", tags=["a", "b c"])
    path = save_prompt_file(spec, tmp_path / "prompts" / "greet.md")
    loaded = load_prompt_file(path)
    assert loaded.source_path == str(path)
    loaded.source_path = None
    assert loaded == spec
    assert path.read_text().startswith('+++\nname = "greet"\nmodel = "claude-sonnet-4.5"\n')


def test_a_conversation_markdown_cannot_hold_saves_as_json_only(tmp_path: Path) -> None:
    # Markdown holds user/assistant turns ending with a user message (issue 11); not one ending with an answer.
    spec = PromptSpec(messages=[ChatMessage("user", "q"), ChatMessage("assistant", "a")], name="chat")
    with pytest.raises(PromptFileError, match="json"):
        save_prompt_file(spec, tmp_path / "chat.md")
    assert not (tmp_path / "chat.md").exists()
    loaded = load_prompt_file(save_prompt_file(spec, tmp_path / "chat.json"))
    loaded.source_path = None
    assert loaded == spec


TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=60)


@settings(max_examples=80, deadline=None)
@given(system=TEXT, user=TEXT.filter(lambda t: t.strip()), name=TEXT.filter(lambda t: t.strip() == t and t),
       temperature=st.none() | st.floats(0, 2), max_tokens=st.integers(1, 200_000), tags=st.lists(TEXT, max_size=3))
def test_any_prompt_round_trips_through_markdown(tmp_path_factory, system, user, name, temperature, max_tokens,
                                                 tags) -> None:
    messages = ([ChatMessage("system", system)] if system else []) + [ChatMessage("user", user)]
    spec = PromptSpec(messages=messages, model="gpt-4o", max_tokens=max_tokens, temperature=temperature,
                      name=name, tags=tags)
    path = save_prompt_file(spec, tmp_path_factory.mktemp("rt") / "p.md")
    loaded = load_prompt_file(path)
    loaded.source_path = None
    assert loaded == spec
