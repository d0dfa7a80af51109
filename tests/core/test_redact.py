"""Secrets in text: URL credentials, secret query parameters, key-shaped strings; ordinary text untouched."""

from __future__ import annotations

import pytest

from promptlab_tui.core.redact import redact_secrets


@pytest.mark.parametrize(("text", "shown"), [
    ("http://user:hunter2@host/v1", "http://***@host/v1"),
    ("https://h/v1?api_key=abc123&x=1", "https://h/v1?api_key=***&x=1"),
    ("http://h/9f8e7d6c5b4a39281706f5e4d3c2b1a0ffee/v1", "http://h/***/v1"),
    ("key sk-proj-AbCdEf123456 refused", "key sk-proj-*** refused"),
    ("gsk_abcdefghij and AIzaSyABCDEFGH", "gsk_*** and AIza***"),
])
def test_secrets_are_masked(text, shown):
    assert redact_secrets(text) == shown


@pytest.mark.parametrize("text", [
    "claude-3-5-sonnet-20241022 does not exist", "run 3f1c2a4e-1234-4abc-8def-0123456789ab",
    "Could not connect to OpenAI at http://127.0.0.1:5/v1: Connection error.", "max_tokens: Field required",
    "/tmp/pytest-of-root/pytest-318/test_a_bad_pricing_file_is_ref10/promptlab-home/pricing.toml",
])
def test_ordinary_text_is_left_alone(text):
    assert redact_secrets(text) == text


def test_a_known_secret_is_masked_wherever_it_is():
    assert redact_secrets("the key tok3n-xyz was refused", "tok3n-xyz") == "the key *** was refused"


def test_snake_case_file_names_with_digits_are_not_taken_for_keys() -> None:
    path = "/tmp/pytest-of-root/pytest-227/test_a_bad_prompt_file_is_refu19/folder.md"
    assert redact_secrets(f"{path}: expected a readable prompt file") == f"{path}: expected a readable prompt file"
